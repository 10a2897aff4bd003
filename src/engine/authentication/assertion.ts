import { verifyAuthenticationResponse } from '@simplewebauthn/server'
import type { AuthenticationResponseJSON, VerifiedAuthenticationResponse } from '@simplewebauthn/server'
import { AuthenticationRejectedError } from '../../errors.js'
import type { EngineContext } from '../context.js'
import { crossOriginAllowed } from '../cross-origin.js'
import { reasonOf, withReason } from '../rejection.js'
import type { RejectionReason } from '../rejection.js'
import type { HandshakeRecord, NonceRecord, PasskeyRecord, PasskeyUse, TransactionRecord } from '../store.js'

/**
 * Checks an assertion against the transaction's user and handshake: the credential is that user's
 * passkey, the user handle (when sent) is the passkey's, and the signature, origins, RP ID, flags
 * and counter hold. Returns the passkey's use to record; every failure is
 * `FST_PASSKEY_MFA_AUTHENTICATION_REJECTED` with its reason.
 */
export async function verifyAssertion (
  ctx: EngineContext, transaction: TransactionRecord, handshake: HandshakeRecord, passkey: PasskeyRecord | null,
  response: AuthenticationResponseJSON, requireUserVerification: boolean
): Promise<PasskeyUse> {
  const { options } = ctx
  if (passkey === null || passkey.externalId !== transaction.externalId) throw rejected('credential')
  const { userHandle } = response.response
  if (userHandle !== undefined && userHandle !== '' && userHandle !== passkey.userHandle) throw rejected('credential')
  if (!crossOriginAllowed(response.response.clientDataJSON, options.topOrigins)) throw rejected('cross-origin')
  let verification: VerifiedAuthenticationResponse
  try {
    verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: handshake.challenge,
      expectedOrigin: [...options.origins, ...options.relatedOrigins],
      expectedRPID: options.rpId,
      expectedTopOrigin: options.topOrigins,
      requireUserVerification,
      credential: { id: passkey.credentialId, publicKey: new Uint8Array(passkey.publicKey), counter: passkey.counter }
    })
  } catch (error) {
    throw rejected(reasonOf(error))
  }
  const { verified, authenticationInfo } = verification
  if (!verified) throw rejected('signature')
  if ((authenticationInfo.credentialDeviceType === 'multiDevice') !== passkey.backupEligible) {
    throw rejected('backup-eligibility')
  }
  return {
    id: passkey.id,
    previousCounter: passkey.counter,
    counter: authenticationInfo.newCounter,
    backedUp: authenticationInfo.credentialBackedUp,
    lastUsedAt: options.now()
  }
}

/** Records the use (compare-and-set of the counter) with its nonce, if any; a lost race is a `counter` rejection. */
export async function recordUse (ctx: EngineContext, use: PasskeyUse, nonce: NonceRecord | null): Promise<void> {
  if (!await ctx.store.recordPasskeyUse(use, nonce)) throw rejected('counter')
}

/** The rejection of an assertion, for `reason`. */
export function rejected (reason: RejectionReason): Error {
  return withReason(new AuthenticationRejectedError(), reason)
}
