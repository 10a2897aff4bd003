import { generateAuthenticationOptions } from '@simplewebauthn/server'
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server'
import { createHmac, randomBytes } from 'node:crypto'
import type { EngineContext } from '../context.js'
import type { PasskeyRecord } from '../store.js'
import { digest } from '../tokens.js'
import { TransactionNotFoundError } from '../../errors.js'
import { ANONYMOUS, newAuthenticateTransaction, newHandshake, startRefusal } from '../transactions.js'
import type { CreateAuthenticateTransactionArgs } from '../transactions.js'

/** Arguments of {@link startAuthentication}. */
export interface StartAuthenticationArgs {
  transactionId: string
}

/** A started ceremony: the handshake ID to send back at finish, and the WebAuthn options. */
export interface StartedAuthentication {
  handshakeId: string
  publicKey: PublicKeyCredentialRequestOptionsJSON
}

/** A transaction created with its ceremony started: its ID, and the ceremony as {@link StartedAuthentication}. */
export interface BegunAuthentication extends StartedAuthentication {
  transactionId: string
}

/**
 * Starts the authentication ceremony of an authenticate transaction, allowing the user's passkeys.
 * For a user without passkeys it allows a decoy credential derived from the user's ID, so the answer
 * has the same shape (and stays the same across calls) whether the user has passkeys or not.
 *
 * The hot path of every sign-in, so one store call: it checks the transaction, saves the handshake
 * and reads the passkeys; only a refusal costs a second one, to tell why.
 */
export async function startAuthentication (
  ctx: EngineContext, { transactionId }: StartAuthenticationArgs
): Promise<StartedAuthentication> {
  const { options, store } = ctx
  const key = digest(transactionId)
  const challenge = randomBytes(32)
  const handshake = newHandshake(ctx, challenge.toString('base64url'), null)
  const started = await store.startAuthentication(key, options.now(), handshake)
  if (started === null) throw await startRefusal(ctx, key, 'authenticate')
  const { transaction, passkeys } = started
  if (transaction.externalId === ANONYMOUS) throw new TransactionNotFoundError()
  return { handshakeId: handshake.id, publicKey: await requestOptions(ctx, transaction.externalId, passkeys, challenge) }
}

/**
 * Creates an authenticate transaction with its ceremony already started, in one store call: what
 * creating the transaction and {@link startAuthentication} do in two, for a server that answers the
 * browser's options itself (the plugin's two-request step).
 */
export async function beginAuthentication (
  ctx: EngineContext, args: CreateAuthenticateTransactionArgs
): Promise<BegunAuthentication> {
  const challenge = randomBytes(32)
  const handshake = newHandshake(ctx, challenge.toString('base64url'), null)
  const { transactionId, transaction } = newAuthenticateTransaction(ctx, args, handshake)
  const passkeys = await ctx.store.openAuthentication(transaction)
  return { transactionId, handshakeId: handshake.id, publicKey: await requestOptions(ctx, args.externalId, passkeys, challenge) }
}

async function requestOptions (
  ctx: EngineContext, externalId: string, passkeys: PasskeyRecord[], challenge: Uint8Array<ArrayBuffer>
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const { options } = ctx
  const allowCredentials = passkeys.length > 0
    ? passkeys.map(({ credentialId, transports }) => ({ id: credentialId, transports }))
    : [{ id: decoyCredentialId(ctx, externalId), transports: ['internal', 'hybrid'] }]
  return generateAuthenticationOptions({
    rpID: options.rpId,
    allowCredentials,
    challenge,
    timeout: options.ceremonyTimeoutMs,
    userVerification: options.userVerification
  })
}

function decoyCredentialId (ctx: EngineContext, externalId: string): string {
  return createHmac('sha256', ctx.decoyKey).update(externalId).digest('base64url')
}
