import { verifyAuthenticationResponse } from '@simplewebauthn/server'
import type { AuthenticationResponseJSON, VerifiedAuthenticationResponse } from '@simplewebauthn/server'
import { AuthenticationRejectedError } from '../../errors.js'
import type { EngineContext } from '../context.js'
import type { HandshakeRecord, PasskeyRecord, TransactionRecord } from '../store.js'
import { crossOriginAllowed } from '../cross-origin.js'
import { newNonce } from '../nonces.js'
import { attributedTo, reasonOf, withReason } from '../rejection.js'
import type { FinishedCeremony } from '../rejection.js'
import type { RejectionReason } from '../rejection.js'
import { digest } from '../tokens.js'
import { checkClosed } from '../transactions.js'

/** Arguments of {@link finishAuthentication}. */
export interface FinishAuthenticationArgs {
  transactionId: string
  handshakeId: string
  /** The browser's answer, as `@simplewebauthn/browser` returns it. */
  response: AuthenticationResponseJSON
}

/**
 * Finishes an authentication ceremony: consumes the transaction, checks that the credential is one of
 * the transaction user's passkeys, verifies the assertion (signature, counter, flags), records the
 * use and issues a one-time nonce, in one atomic store call. Returns the nonce. The transaction is
 * taken with the passkey the assertion names, in one store call.
 *
 * Every failure about the credential or the signature is the same
 * `FST_PASSKEY_MFA_AUTHENTICATION_REJECTED`, so callers cannot probe for accounts or credentials.
 * A failure after the transaction was found names its user (`externalId`, never sent).
 */
export async function finishAuthentication (
  ctx: EngineContext, { transactionId, handshakeId, response }: FinishAuthenticationArgs
): Promise<FinishedCeremony> {
  const taken = await ctx.store.takeTransactionWithPasskey(digest(transactionId), response.id)
  const { transaction, handshake } = checkClosed(ctx, taken?.transaction ?? null, 'authenticate', handshakeId)
  return attributedTo(transaction.externalId, verifyAssertion(ctx, transaction, handshake, taken!.passkey, response))
}

async function verifyAssertion (
  ctx: EngineContext, transaction: TransactionRecord, handshake: HandshakeRecord, passkey: PasskeyRecord | null,
  response: AuthenticationResponseJSON
): Promise<FinishedCeremony> {
  const { options, store } = ctx
  if (passkey === null || passkey.externalId !== transaction.externalId) throw rejected('credential')
  const { userHandle } = response.response
  if (userHandle !== undefined && userHandle !== '' && userHandle !== passkey.userHandle) throw rejected('credential')
  if (!crossOriginAllowed(response.response.clientDataJSON, options.topOrigins)) throw rejected('cross-origin')
  let verification: VerifiedAuthenticationResponse
  try {
    verification = await verifyAuthenticationResponse({
      response,
      expectedChallenge: handshake.challenge,
      expectedOrigin: options.origins,
      expectedRPID: options.rpId,
      expectedTopOrigin: options.topOrigins,
      requireUserVerification: options.userVerification === 'required',
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
  const { nonce, record } = newNonce(ctx, transaction, passkey.id)
  const use = {
    id: passkey.id,
    previousCounter: passkey.counter,
    counter: authenticationInfo.newCounter,
    backedUp: authenticationInfo.credentialBackedUp,
    lastUsedAt: options.now()
  }
  if (!await store.recordPasskeyUse(use, record)) throw rejected('counter')
  return { nonce, externalId: passkey.externalId, passkeyId: passkey.id }
}

function rejected (reason: RejectionReason): Error {
  return withReason(new AuthenticationRejectedError(), reason)
}
