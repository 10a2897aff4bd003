import {
  ArgumentInvalidError, HandshakeExpiredError, HandshakeInvalidError, TransactionExpiredError, TransactionKindError,
  TransactionNotFoundError
} from '../errors.js'
import type { EngineContext } from './context.js'
import type { CeremonyKind, HandshakeRecord, TransactionRecord } from './store.js'
import { digest, randomToken } from './tokens.js'

/**
 * The external ID of a passkey-first sign-in's handshake (`''`, which no user has): it names no user
 * until a passkey does, and no transaction-bound step accepts it.
 */
export const ANONYMOUS = ''

/** Arguments of {@link createRegisterTransaction}. */
export interface CreateRegisterTransactionArgs {
  /** The host's ID of the user. */
  externalId: string
  /** The name the authenticator shows for the new passkey, e.g. the user's email. */
  passkeyDisplayName: string
  /**
   * Refuse the registration if the user has a passkey by the time it finishes (enrollment after a
   * first factor alone may add a first passkey, never a second one). Default `false`.
   */
  firstPasskeyOnly?: boolean
}

/** Arguments of {@link createAuthenticateTransaction}. */
export interface CreateAuthenticateTransactionArgs {
  externalId: string
}

/** Creates a transaction that lets the browser register a passkey for the user; returns its ID. */
export async function createRegisterTransaction (ctx: EngineContext, args: CreateRegisterTransactionArgs): Promise<string> {
  const { transactionId, transaction } = newRegisterTransaction(ctx, args, null)
  await ctx.store.createTransaction(transaction)
  return transactionId
}

/** Creates a transaction that lets the browser authenticate the user with a passkey; returns its ID. */
export async function createAuthenticateTransaction (ctx: EngineContext, args: CreateAuthenticateTransactionArgs): Promise<string> {
  const { transactionId, transaction } = newAuthenticateTransaction(ctx, args, null)
  await ctx.store.createTransaction(transaction)
  return transactionId
}

/** A new transaction (not stored yet): its ID for the browser, and its record. */
export interface NewTransaction {
  transactionId: string
  transaction: TransactionRecord
}

/** A new register transaction for `args` (checked), holding `handshake` when its ceremony starts at once. */
export function newRegisterTransaction (
  ctx: EngineContext, { externalId, passkeyDisplayName, firstPasskeyOnly = false }: CreateRegisterTransactionArgs,
  handshake: HandshakeRecord | null
): NewTransaction {
  checkText(externalId, 'externalId')
  checkText(passkeyDisplayName, 'passkeyDisplayName')
  return newTransaction(ctx, 'register', externalId, passkeyDisplayName, firstPasskeyOnly, handshake)
}

/** A new authenticate transaction for `args` (checked), holding `handshake` when its ceremony starts at once. */
export function newAuthenticateTransaction (
  ctx: EngineContext, { externalId }: CreateAuthenticateTransactionArgs, handshake: HandshakeRecord | null
): NewTransaction {
  checkText(externalId, 'externalId')
  return newTransaction(ctx, 'authenticate', externalId, null, false, handshake)
}

function newTransaction (
  ctx: EngineContext, kind: CeremonyKind, externalId: string, passkeyDisplayName: string | null, firstPasskeyOnly: boolean,
  handshake: HandshakeRecord | null
): NewTransaction {
  const transactionId = randomToken()
  const transaction = {
    key: digest(transactionId),
    kind,
    externalId,
    passkeyDisplayName,
    firstPasskeyOnly,
    handshake,
    expiresAt: ctx.options.now() + ctx.options.transactionLifetimeMs
  }
  return { transactionId, transaction }
}

/** The live transaction of `kind` with this ID, for a ceremony start. */
export async function openTransaction (
  ctx: EngineContext, transactionId: string, kind: CeremonyKind
): Promise<TransactionRecord> {
  return checkTransaction(ctx, await ctx.store.getTransaction(digest(transactionId)), kind)
}

/**
 * A new handshake: a ceremony with this challenge, for `ceremonyTimeoutMs`. It may outlast its
 * transaction: a finish checks the transaction's expiry first.
 */
export function newHandshake (ctx: EngineContext, challenge: string, userHandle: string | null): HandshakeRecord {
  const { now, ceremonyTimeoutMs } = ctx.options
  return { id: randomToken(16), challenge, userHandle, expiresAt: now() + ceremonyTimeoutMs }
}

/** Starts (or restarts) the ceremony of a transaction with a fresh challenge; returns the handshake. */
export async function startHandshake (
  ctx: EngineContext, transaction: TransactionRecord, challenge: string, userHandle: string | null
): Promise<HandshakeRecord> {
  const handshake = newHandshake(ctx, challenge, userHandle)
  if (!await ctx.store.saveHandshake(transaction.key, handshake)) throw new TransactionNotFoundError()
  return handshake
}

/**
 * Why the store refused to start a ceremony of the transaction with this key: it is gone, expired
 * or of another kind (or, if it is none of these by now, gone at the time).
 */
export async function startRefusal (ctx: EngineContext, key: string, kind: CeremonyKind): Promise<Error> {
  return transactionError(ctx, await ctx.store.getTransaction(key), kind) ?? new TransactionNotFoundError()
}

/**
 * Consumes the transaction for a ceremony finish (also when the finish then fails) and returns it
 * with the handshake the browser answered.
 */
export async function closeTransaction (
  ctx: EngineContext, transactionId: string, kind: CeremonyKind, handshakeId: string | null
): Promise<{ transaction: TransactionRecord, handshake: HandshakeRecord }> {
  return checkClosed(ctx, await ctx.store.takeTransaction(digest(transactionId)), kind, handshakeId)
}

/**
 * A transaction taken for a ceremony finish of `kind`, with the handshake the browser answered, if
 * both are valid. `handshakeId` `null` takes the transaction's current handshake (a ceremony the
 * session completes, with no handshake ID sent).
 */
export function checkClosed (
  ctx: EngineContext, taken: TransactionRecord | null, kind: CeremonyKind, handshakeId: string | null
): { transaction: TransactionRecord, handshake: HandshakeRecord } {
  const transaction = checkTransaction(ctx, taken, kind)
  const { handshake } = transaction
  if (handshake === null || (handshakeId !== null && handshake.id !== handshakeId)) throw new HandshakeInvalidError()
  if (handshake.expiresAt <= ctx.options.now()) throw new HandshakeExpiredError()
  return { transaction, handshake }
}

function checkTransaction (
  ctx: EngineContext, transaction: TransactionRecord | null, kind: CeremonyKind
): TransactionRecord {
  const error = transactionError(ctx, transaction, kind)
  if (error !== null) throw error
  return transaction!
}

/** Why `transaction` cannot be used for a ceremony of `kind` now, if it cannot. */
function transactionError (ctx: EngineContext, transaction: TransactionRecord | null, kind: CeremonyKind): Error | null {
  if (transaction === null || transaction.externalId === ANONYMOUS) return new TransactionNotFoundError()
  if (transaction.expiresAt <= ctx.options.now()) return new TransactionExpiredError()
  if (transaction.kind !== kind) return new TransactionKindError()
  return null
}

function checkText (value: string, name: string): void {
  if (typeof value !== 'string' || value.length === 0 || value.length > 256) {
    throw new ArgumentInvalidError(`${name} must be a string of 1 to 256 characters`)
  }
}
