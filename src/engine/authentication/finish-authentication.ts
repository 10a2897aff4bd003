import type { AuthenticationResponseJSON } from '@simplewebauthn/server'
import { TransactionMismatchError } from '../../errors.js'
import type { EngineContext } from '../context.js'
import type { HandshakeRecord, PasskeyRecord, TransactionRecord } from '../store.js'
import { newNonce } from '../nonces.js'
import { attributedTo } from '../rejection.js'
import type { CompletedCeremony, FinishedCeremony } from '../rejection.js'
import { digest } from '../tokens.js'
import { checkClosed } from '../transactions.js'
import { recordUse, verifyAssertion } from './assertion.js'

/** Arguments of {@link finishAuthentication}. */
export interface FinishAuthenticationArgs {
  transactionId: string
  handshakeId: string
  /** The browser's answer, as `@simplewebauthn/browser` returns it. */
  response: AuthenticationResponseJSON
}

/** Arguments of {@link completeAuthentication}. */
export interface CompleteAuthenticationArgs {
  transactionId: string
  /** The browser's answer to the transaction's current handshake, as `@simplewebauthn/browser` returns it. */
  response: AuthenticationResponseJSON
  /** The user the transaction must be for. */
  externalId: string
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
  const { transaction, handshake, passkey } = await takeForFinish(ctx, transactionId, handshakeId, response)
  return attributedTo(transaction.externalId, (async () => {
    const use = await verifyAssertion(ctx, transaction, handshake, passkey, response, ctx.options.userVerification === 'required')
    const { nonce, record } = newNonce(ctx, transaction, use.id)
    await recordUse(ctx, use, record)
    return { nonce, externalId: transaction.externalId, passkeyId: use.id }
  })())
}

/**
 * {@link finishAuthentication} for a server that holds the session the transaction is bound to: it
 * answers the transaction's current handshake, must be `externalId`'s, and issues no nonce. The
 * transaction is spent whatever the outcome; a transaction of another user is
 * `FST_PASSKEY_MFA_TRANSACTION_MISMATCH`.
 */
export async function completeAuthentication (
  ctx: EngineContext, { transactionId, response, externalId }: CompleteAuthenticationArgs
): Promise<CompletedCeremony> {
  const { transaction, handshake, passkey } = await takeForFinish(ctx, transactionId, null, response)
  if (transaction.externalId !== externalId) throw new TransactionMismatchError()
  return attributedTo(externalId, (async () => {
    const use = await verifyAssertion(ctx, transaction, handshake, passkey, response, ctx.options.userVerification === 'required')
    await recordUse(ctx, use, null)
    return { externalId, passkeyId: use.id }
  })())
}

async function takeForFinish (
  ctx: EngineContext, transactionId: string, handshakeId: string | null, response: AuthenticationResponseJSON
): Promise<{ transaction: TransactionRecord, handshake: HandshakeRecord, passkey: PasskeyRecord | null }> {
  const taken = await ctx.store.takeTransactionWithPasskey(digest(transactionId), response.id)
  return { ...checkClosed(ctx, taken?.transaction ?? null, 'authenticate', handshakeId), passkey: taken!.passkey }
}
