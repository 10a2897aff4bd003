import { generateAuthenticationOptions } from '@simplewebauthn/server'
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server'
import { createHmac, randomBytes } from 'node:crypto'
import type { EngineContext } from '../context.js'
import { digest } from '../tokens.js'
import { newHandshake, startRefusal } from '../transactions.js'

/** Arguments of {@link startAuthentication}. */
export interface StartAuthenticationArgs {
  transactionId: string
}

/** A started ceremony: the handshake ID to send back at finish, and the WebAuthn options. */
export interface StartedAuthentication {
  handshakeId: string
  publicKey: PublicKeyCredentialRequestOptionsJSON
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
  const allowCredentials = passkeys.length > 0
    ? passkeys.map(({ credentialId, transports }) => ({ id: credentialId, transports }))
    : [{ id: decoyCredentialId(ctx, transaction.externalId), transports: ['internal', 'hybrid'] }]
  const publicKey = await generateAuthenticationOptions({
    rpID: options.rpId,
    allowCredentials,
    challenge,
    timeout: options.ceremonyTimeoutMs,
    userVerification: options.userVerification
  })
  return { handshakeId: handshake.id, publicKey }
}

function decoyCredentialId (ctx: EngineContext, externalId: string): string {
  return createHmac('sha256', ctx.decoyKey).update(externalId).digest('base64url')
}
