import { generateAuthenticationOptions } from '@simplewebauthn/server'
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server'
import { createHmac } from 'node:crypto'
import type { EngineContext } from '../context.js'
import { openTransaction, startHandshake } from '../transactions.js'

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
 */
export async function startAuthentication (
  ctx: EngineContext, { transactionId }: StartAuthenticationArgs
): Promise<StartedAuthentication> {
  const { options, store } = ctx
  const transaction = await openTransaction(ctx, transactionId, 'authenticate')
  const passkeys = await store.listPasskeys(transaction.externalId)
  const allowCredentials = passkeys.length > 0
    ? passkeys.map(({ credentialId, transports }) => ({ id: credentialId, transports }))
    : [{ id: decoyCredentialId(ctx, transaction.externalId), transports: ['internal', 'hybrid'] }]
  const publicKey = await generateAuthenticationOptions({
    rpID: options.rpId,
    allowCredentials,
    timeout: options.ceremonyTimeoutMs,
    userVerification: options.userVerification
  })
  const handshake = await startHandshake(ctx, transaction, publicKey.challenge, null)
  return { handshakeId: handshake.id, publicKey }
}

function decoyCredentialId (ctx: EngineContext, externalId: string): string {
  return createHmac('sha256', ctx.decoyKey).update(externalId).digest('base64url')
}
