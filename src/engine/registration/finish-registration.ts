import { verifyRegistrationResponse } from '@simplewebauthn/server'
import type { RegistrationResponseJSON, VerifiedRegistrationResponse } from '@simplewebauthn/server'
import { CredentialExistsError, RegistrationForbiddenError, RegistrationRejectedError, TransactionMismatchError } from '../../errors.js'
import { authenticatorName } from '../authenticator-metadata.js'
import type { EngineContext } from '../context.js'
import type { HandshakeRecord, TransactionRecord } from '../store.js'
import { crossOriginAllowed } from '../cross-origin.js'
import { deviceName } from '../device-name.js'
import { newNonce } from '../nonces.js'
import { coseAlgorithms } from '../options.js'
import { attributedTo, reasonOf, withReason } from '../rejection.js'
import type { CompletedCeremony, FinishedCeremony } from '../rejection.js'
import type { RejectionReason } from '../rejection.js'
import { randomToken } from '../tokens.js'
import { closeTransaction } from '../transactions.js'
import { checkAllowedAaguid } from './check-allowed-aaguid.js'

/** Arguments of {@link finishRegistration}. */
export interface FinishRegistrationArgs {
  transactionId: string
  handshakeId: string
  /** The browser's answer, as `@simplewebauthn/browser` returns it. */
  response: RegistrationResponseJSON
  /** The registering browser's `User-Agent`, which names the passkey when its provider is unknown. */
  userAgent?: string
}

/** Arguments of {@link completeRegistration}. */
export interface CompleteRegistrationArgs {
  transactionId: string
  /** The browser's answer to the transaction's current handshake, as `@simplewebauthn/browser` returns it. */
  response: RegistrationResponseJSON
  /** The user the transaction must be for. */
  externalId: string
  /** The registering browser's `User-Agent`, which names the passkey when its provider is unknown. */
  userAgent?: string
}

/**
 * Finishes a registration ceremony: consumes the transaction, verifies the attestation, stores the
 * passkey and issues a one-time nonce, in one atomic store call. Returns the nonce. A transaction
 * for the user's first passkey only is refused (`FST_PASSKEY_MFA_REGISTRATION_FORBIDDEN`) once the
 * user has one. A failure after the transaction was found names its user (`externalId`).
 */
export async function finishRegistration (
  ctx: EngineContext, { transactionId, handshakeId, response, userAgent }: FinishRegistrationArgs
): Promise<FinishedCeremony> {
  const { transaction, handshake } = await closeTransaction(ctx, transactionId, 'register', handshakeId)
  const { nonce, ...added } = await attributedTo(transaction.externalId, addVerifiedPasskey(ctx, transaction, handshake, response, userAgent, true))
  return { ...added, nonce: nonce! }
}

/**
 * {@link finishRegistration} for a server that holds the session the transaction is bound to: it
 * answers the transaction's current handshake, must be `externalId`'s, and issues no nonce. The
 * transaction is spent whatever the outcome; a transaction of another user is
 * `FST_PASSKEY_MFA_TRANSACTION_MISMATCH`.
 */
export async function completeRegistration (
  ctx: EngineContext, { transactionId, response, externalId, userAgent }: CompleteRegistrationArgs
): Promise<CompletedCeremony> {
  const { transaction, handshake } = await closeTransaction(ctx, transactionId, 'register', null)
  if (transaction.externalId !== externalId) throw new TransactionMismatchError()
  const { nonce, ...added } = await attributedTo(externalId, addVerifiedPasskey(ctx, transaction, handshake, response, userAgent, false))
  return added
}

async function addVerifiedPasskey (
  ctx: EngineContext, transaction: TransactionRecord, handshake: HandshakeRecord, response: RegistrationResponseJSON,
  userAgent: string | undefined, issueNonce: boolean
): Promise<CompletedCeremony & { nonce: string | null }> {
  const { options, store } = ctx
  if (!crossOriginAllowed(response.response.clientDataJSON, options.topOrigins)) throw rejected('cross-origin')
  let verification: VerifiedRegistrationResponse
  try {
    verification = await verifyRegistrationResponse({
      response,
      expectedChallenge: handshake.challenge,
      expectedOrigin: [...options.origins, ...options.relatedOrigins],
      expectedRPID: options.rpId,
      requireUserVerification: options.userVerification === 'required',
      supportedAlgorithmIDs: coseAlgorithms(options.algorithms)
    })
  } catch (error) {
    throw rejected(reasonOf(error))
  }
  if (!verification.verified) throw rejected('signature')
  const { credential, aaguid, credentialDeviceType, credentialBackedUp } = verification.registrationInfo
  checkAllowedAaguid(aaguid, options.allowedAaguids)
  if (credential.id !== response.id) throw rejected('credential')
  const now = options.now()
  const passkey = {
    id: randomToken(16),
    credentialId: credential.id,
    externalId: transaction.externalId,
    userHandle: handshake.userHandle as string,
    publicKey: credential.publicKey,
    counter: credential.counter,
    transports: response.response.transports ?? [],
    aaguid,
    backupEligible: credentialDeviceType === 'multiDevice',
    backedUp: credentialBackedUp,
    name: authenticatorName(aaguid) ?? deviceName(userAgent) ?? 'Passkey',
    createdAt: now,
    lastUsedAt: now
  }
  const issued = issueNonce ? newNonce(ctx, transaction, passkey.id) : null
  const added = await store.addPasskey(passkey, issued?.record ?? null, transaction.firstPasskeyOnly)
  if (added === 'credential-taken') throw new CredentialExistsError()
  if (added === 'not-first') throw new RegistrationForbiddenError()
  return { nonce: issued?.nonce ?? null, externalId: transaction.externalId, passkeyId: passkey.id }
}

function rejected (reason: RejectionReason): Error {
  return withReason(new RegistrationRejectedError(), reason)
}
