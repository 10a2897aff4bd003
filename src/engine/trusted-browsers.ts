import { TrustedBrowserNotFoundError } from '../errors.js'
import type { EngineContext } from './context.js'
import type { TrustedBrowserRecord } from './store.js'
import { digest, randomToken } from './tokens.js'

/** The longest a browser may stay trusted: 30 days. */
export const MAX_TRUST_MS = 30 * 24 * 60 * 60_000

/** A trusted browser as the host shows it (no token, no digest). */
export interface TrustedBrowserInfo {
  id: string
  /** Browser and system, e.g. "Chrome on Linux". */
  name: string
  createdAt: Date
  /** The latest sign-in it stood in for the passkey step (its creation at first). */
  lastUsedAt: Date
  expiresAt: Date
  /** Whether it is the browser whose token the caller passed (the one asking). */
  current: boolean
}

/** A newly trusted browser, and the token its cookie carries (shown this once; the store keeps its digest). */
export interface BrowserTrust {
  token: string
  browser: TrustedBrowserInfo
}

/** What `randomToken()` makes a browser token of: 32 bytes, base64url. Anything else is no token and never reaches the store. */
const TOKEN = /^[\w-]{43}$/
/** What `randomToken(16)` makes a trusted browser's ID of. */
const ID = /^[\w-]{22}$/

/**
 * Trusts a browser of the user for `maxAgeMs` (at most 30 days); returns its token, 256 bits from the
 * CSPRNG. The user's trust of `replacesToken` (the browser's former token), if any, goes in the same write.
 */
export async function trustBrowser (
  ctx: EngineContext, externalId: string, name: string, maxAgeMs: number, replacesToken: string | null
): Promise<BrowserTrust> {
  const now = ctx.options.now()
  const token = randomToken(32)
  const record: TrustedBrowserRecord = {
    id: randomToken(16), key: digest(token), externalId, name, createdAt: now, lastUsedAt: now, expiresAt: now + Math.min(maxAgeMs, MAX_TRUST_MS)
  }
  await ctx.store.addTrustedBrowser(record, replacesToken !== null && TOKEN.test(replacesToken) ? digest(replacesToken) : null)
  return { token, browser: toInfo(record, record.key) }
}

/** The user's trusted browser whose token this is, its use recorded; `null` when the token is no live trust of this user. */
export async function useTrustedBrowser (ctx: EngineContext, externalId: string, token: string): Promise<TrustedBrowserInfo | null> {
  if (!TOKEN.test(token)) return null
  const record = await ctx.store.useTrustedBrowser(digest(token), externalId, ctx.options.now())
  return record === null ? null : toInfo(record, record.key)
}

/** The user's live trusted browsers, oldest first; the one of `currentToken`, if any, is `current`. */
export async function listTrustedBrowsers (ctx: EngineContext, externalId: string, currentToken?: string): Promise<TrustedBrowserInfo[]> {
  const now = ctx.options.now()
  const currentKey = currentToken !== undefined && TOKEN.test(currentToken) ? digest(currentToken) : null
  return (await ctx.store.listTrustedBrowsers(externalId)).filter(({ expiresAt }) => expiresAt > now).map((record) => toInfo(record, currentKey))
}

/** Revokes one of the user's trusted browsers; `FST_PASSKEY_MFA_TRUSTED_BROWSER_NOT_FOUND` when the user has none of that ID. */
export async function revokeTrustedBrowser (ctx: EngineContext, externalId: string, id: string): Promise<void> {
  const deleted = ID.test(id) ? await ctx.store.deleteTrustedBrowsers(externalId, id) : 0
  if (deleted === 0) throw new TrustedBrowserNotFoundError()
}

function toInfo ({ id, key, name, createdAt, lastUsedAt, expiresAt }: TrustedBrowserRecord, currentKey: string | null): TrustedBrowserInfo {
  return { id, name, createdAt: new Date(createdAt), lastUsedAt: new Date(lastUsedAt), expiresAt: new Date(expiresAt), current: key === currentKey }
}
