import { describeDuration } from '../duration.js'
import { FactorChangeStepUpError, ReauthenticationRequiredError } from '../errors.js'
import type { Authenticated } from './state-machine.js'

/**
 * Whether `session` authenticated with a passkey at most `maxAgeMs` before `now`. Changing factors
 * needs this: a stolen or unattended signed-in cookie alone must not add, rename or remove passkeys.
 */
export function hasRecentPasskey (session: Authenticated, now: number, maxAgeMs: number): boolean {
  return session.passkeyAt !== null && now - session.passkeyAt <= maxAgeMs
}

/**
 * Throws `FST_PASSKEY_MFA_STEP_UP_REQUIRED` unless {@link hasRecentPasskey}, or the session signed in
 * with a recovery code at most `maxAgeMs` ago: a user who lost their passkey replaces it with that.
 */
export function assertRecentPasskey (session: Authenticated, now: number, maxAgeMs: number): void {
  if (hasRecentPasskey(session, now, maxAgeMs) || (session.recovered === true && now - session.authenticatedAt <= maxAgeMs)) return
  throw new FactorChangeStepUpError(describeDuration(maxAgeMs))
}

/**
 * Throws unless a signed-in user without passkeys may add a first one: there is no passkey to
 * confirm with, so the first factor must be at most `maxAgeMs` old
 * (`FST_PASSKEY_MFA_REAUTHENTICATION_REQUIRED` otherwise).
 */
export function assertRecentFirstFactor (session: Authenticated, now: number, maxAgeMs: number): void {
  if (now - session.authenticatedAt > maxAgeMs) throw new ReauthenticationRequiredError(describeDuration(maxAgeMs))
}
