import { NonceExpiredError, NonceInvalidError, NonceMismatchError } from '../errors.js'
import type { EngineContext } from './context.js'
import type { NonceClaims, NonceRecord } from './store.js'
import { digest, randomToken } from './tokens.js'

/** What a redeemed nonce must prove; any claim left out is not checked. */
export type ExpectedClaims = Partial<NonceClaims>

/** A fresh nonce for `claims`, and the record that stores it (under its digest). */
export function newNonce (ctx: EngineContext, claims: NonceClaims): { nonce: string, record: NonceRecord } {
  const nonce = randomToken()
  const record = { ...claims, key: digest(nonce), expiresAt: ctx.options.now() + ctx.options.nonceLifetimeMs }
  return { nonce, record }
}

/**
 * Redeems a nonce: consumes it atomically (also when a check then fails), checks its lifetime and
 * the `expected` claims, and returns its claims.
 */
export async function redeemNonce (
  ctx: EngineContext, nonce: string, expected: ExpectedClaims = {}
): Promise<NonceClaims> {
  if (typeof nonce !== 'string' || nonce.length === 0 || nonce.length > 256) throw new NonceInvalidError()
  const record = await ctx.store.takeNonce(digest(nonce))
  if (record === null) throw new NonceInvalidError()
  if (record.expiresAt <= ctx.options.now()) throw new NonceExpiredError()
  const claims: NonceClaims = {
    externalId: record.externalId,
    kind: record.kind,
    transactionId: record.transactionId,
    passkeyId: record.passkeyId
  }
  for (const [name, value] of Object.entries(expected)) {
    if (value !== undefined && claims[name as keyof NonceClaims] !== value) throw new NonceMismatchError()
  }
  return claims
}
