import { NonceExpiredError, NonceInvalidError, NonceMismatchError } from '../errors.js'
import type { EngineContext } from './context.js'
import type { NonceClaims, NonceRecord, TransactionRecord } from './store.js'
import { digest, randomToken } from './tokens.js'

/**
 * The transaction key of every nonce of a passkey-first sign-in, which has no transaction: no digest
 * (43 base64url characters) is this, so such a nonce never matches a transaction.
 */
export const DISCOVERABLE = 'discoverable'

/** What a redeemed nonce must prove; any claim left out is not checked. */
export type ExpectedClaims = Partial<NonceClaims> & {
  /** The transaction the nonce was issued for; compared by digest, as the store holds no transaction ID. */
  transactionId?: string
  /** `true`: the nonce of a passkey-first sign-in (no transaction), and no other. */
  discoverable?: boolean
}

/**
 * A fresh nonce proving that `transaction`'s ceremony registered or used `passkeyId`, and the record
 * that stores it (under its digest, naming the transaction by its key).
 */
export function newNonce (ctx: EngineContext, transaction: TransactionRecord, passkeyId: string): { nonce: string, record: NonceRecord } {
  const nonce = randomToken()
  const record = {
    key: digest(nonce),
    externalId: transaction.externalId,
    kind: transaction.kind,
    transactionKey: transaction.key,
    passkeyId,
    expiresAt: ctx.options.now() + ctx.options.nonceLifetimeMs
  }
  return { nonce, record }
}

/**
 * Redeems a nonce: consumes it atomically (also when a check then fails), checks its lifetime and
 * the `expected` claims, and returns its claims.
 */
export async function redeemNonce (
  ctx: EngineContext, nonce: string, { transactionId, discoverable, ...expected }: ExpectedClaims = {}
): Promise<NonceClaims> {
  if (typeof nonce !== 'string' || nonce.length === 0 || nonce.length > 256) throw new NonceInvalidError()
  const record = await ctx.store.takeNonce(digest(nonce))
  if (record === null) throw new NonceInvalidError()
  if (record.expiresAt <= ctx.options.now()) throw new NonceExpiredError()
  if (transactionId !== undefined && digest(transactionId) !== record.transactionKey) throw new NonceMismatchError()
  if (discoverable === true && record.transactionKey !== DISCOVERABLE) throw new NonceMismatchError()
  const claims: NonceClaims = { externalId: record.externalId, kind: record.kind, passkeyId: record.passkeyId }
  for (const [name, value] of Object.entries(expected)) {
    if (value !== undefined && claims[name as keyof NonceClaims] !== value) throw new NonceMismatchError()
  }
  return claims
}
