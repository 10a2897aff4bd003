import type { FastifyBaseLogger } from 'fastify'
import { auditInstance } from '../audit.js'
import type { AuditDetails } from '../audit.js'
import type { UserDescription } from '../engine/users.js'
import { createGuards } from './guards.js'
import type { MfaGuards } from './guards.js'
import { checkedExternalId } from './request-mfa.js'
import type { MfaRuntime } from './request-mfa.js'

/**
 * What the browser's passkey provider should show for the user, for the WebAuthn Signal API's
 * `signalCurrentUserDetails` (the client's `signalCurrentUserDetails(details)` passes it on).
 */
export interface PasskeyUserDetails {
  rpId: string
  /** The WebAuthn user handle (base64url) of the user's passkeys; `null` when the user has none. */
  userId: string | null
  name: string
  displayName: string
}

/** `fastify.mfa`: the guards for host routes, the end of a user's sessions, and the support desk's calls. */
export interface MfaInstance extends MfaGuards {
  /**
   * Ends every MFA session of the user, on every instance sharing the store within
   * `revocationSyncMs`, the calling request's own included: call it after a password reset, an
   * account deletion or a suspected compromise. Sessions begun afterwards are not affected.
   *
   * @example
   * await users.setPassword(user, newPassword)
   * await app.mfa.revokeUserSessions(user.externalId)
   */
  revokeUserSessions: (externalId: string) => Promise<void>
  /** What the plugin holds about the user (passkeys, recovery codes left, trusted browsers, latest sign-in), for a support desk. */
  describeUser: (externalId: string) => Promise<UserDescription>
  /**
   * Resets the user's MFA, for a help desk that proved who the caller is: removes their passkeys,
   * recovery codes and trusted browsers, and ends their sessions everywhere. Their next first factor
   * enrolls a passkey anew. Raises `user-reset`.
   */
  resetUser: (externalId: string) => Promise<void>
  /**
   * Erases everything the plugin stores about the user (call it when the host deletes the account)
   * and ends their sessions everywhere; the revocation doing that is the one row left, swept when
   * those sessions would have expired anyway. Raises `user-deleted`.
   */
  deleteUser: (externalId: string) => Promise<void>
  /**
   * The details a page hands to the client's `signalCurrentUserDetails` after the user's name
   * changed, so their passkey provider shows the new one (the WebAuthn Signal API).
   *
   * @example
   * await users.rename(user, email)
   * return { details: await app.mfa.currentUserDetails(user.externalId, email) }
   */
  currentUserDetails: (externalId: string, displayName: string) => Promise<PasskeyUserDetails>
}

/** `fastify.mfa` over the plugin's runtime. */
export function createMfaInstance (runtime: MfaRuntime, log: FastifyBaseLogger): MfaInstance {
  const { engine, options, revoked } = runtime
  return {
    ...createGuards(engine),
    async revokeUserSessions (externalId) {
      await revoked.revokeUser(checkedExternalId(externalId, 'externalId'))
      record({ type: 'sessions-revoked', externalId })
    },
    async describeUser (externalId) {
      return await engine.describeUser(checkedExternalId(externalId, 'externalId'))
    },
    async resetUser (externalId) {
      const position = await engine.resetUser(checkedExternalId(externalId, 'externalId'), revoked.userRevocationExpiry())
      revoked.noteUserRevocation(externalId, position)
      record({ type: 'user-reset', externalId })
    },
    async currentUserDetails (externalId, displayName) {
      const [passkey] = await engine.listPasskeys(checkedExternalId(externalId, 'externalId'))
      return { rpId: engine.rpId, userId: passkey?.userHandle ?? null, name: displayName, displayName }
    },
    async deleteUser (externalId) {
      const position = await engine.deleteUser(checkedExternalId(externalId, 'externalId'), revoked.userRevocationExpiry())
      revoked.noteUserRevocation(externalId, position)
      record({ type: 'user-deleted', externalId })
    }
  }

  function record (details: AuditDetails): void {
    auditInstance(log, 'info', options.onEvent, details, engine.now())
  }
}
