import type { FastifyBaseLogger } from 'fastify'
import { auditInstance } from '../audit.js'
import { createGuards } from './guards.js'
import type { MfaGuards } from './guards.js'
import { checkedExternalId } from './request-mfa.js'
import type { MfaRuntime } from './request-mfa.js'

/** `fastify.mfa`: the guards for host routes, and the end of a user's sessions. */
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
}

/** `fastify.mfa` over the plugin's runtime. */
export function createMfaInstance (runtime: MfaRuntime, log: FastifyBaseLogger): MfaInstance {
  const { engine, options, revoked } = runtime
  return {
    ...createGuards(engine),
    async revokeUserSessions (externalId) {
      await revoked.revokeUser(checkedExternalId(externalId, 'externalId'))
      auditInstance(log, 'info', options.onEvent, { type: 'sessions-revoked', externalId }, engine.now())
    }
  }
}
