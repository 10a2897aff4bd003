import type { EngineContext } from './context.js'
import { listPasskeys } from './passkeys.js'
import type { PasskeyInfo } from './passkeys.js'
import { listTrustedBrowsers } from './trusted-browsers.js'
import type { TrustedBrowserInfo } from './trusted-browsers.js'

/** What the engine holds about a user, for a support desk. */
export interface UserDescription {
  externalId: string
  passkeys: PasskeyInfo[]
  recoveryCodesLeft: number
  trustedBrowsers: TrustedBrowserInfo[]
  /**
   * The latest sign-in or step-up by a passkey or a trusted browser (`null`: none). A registration
   * counts as a use of its passkey; a recovery-code sign-in shows only in the audit events.
   */
  lastSignInAt: Date | null
}

/** What the engine holds about the user: passkeys, recovery codes left, trusted browsers and the latest sign-in. */
export async function describeUser (ctx: EngineContext, externalId: string): Promise<UserDescription> {
  const [passkeys, recoveryCodesLeft, trustedBrowsers] = await Promise.all([
    listPasskeys(ctx, externalId), ctx.store.countRecoveryCodes(externalId), listTrustedBrowsers(ctx, externalId)
  ])
  const uses = [...passkeys.map(({ lastUsedAt }) => lastUsedAt?.getTime() ?? 0), ...trustedBrowsers.map(({ lastUsedAt }) => lastUsedAt.getTime())]
  const latest = Math.max(0, ...uses)
  return { externalId, passkeys, recoveryCodesLeft, trustedBrowsers, lastSignInAt: latest === 0 ? null : new Date(latest) }
}
