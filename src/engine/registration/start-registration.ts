import { generateRegistrationOptions } from '@simplewebauthn/server'
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server'
import { randomBytes } from 'node:crypto'
import type { EngineContext } from '../context.js'
import { coseAlgorithms } from '../options.js'
import { openTransaction, startHandshake } from '../transactions.js'

/** Which authenticators the user may register with; `any` means no preference. */
export type AuthenticatorAttachment = 'platform' | 'cross-platform' | 'any'

/** Arguments of {@link startRegistration}. */
export interface StartRegistrationArgs {
  transactionId: string
  authenticatorAttachment?: AuthenticatorAttachment
}

/** A started ceremony: the handshake ID to send back at finish, and the WebAuthn options. */
export interface StartedRegistration {
  handshakeId: string
  publicKey: PublicKeyCredentialCreationOptionsJSON
}

/**
 * Starts the registration ceremony of a register transaction. It may be called again (after the user
 * cancelled, say): each call replaces the previous challenge.
 */
export async function startRegistration (
  ctx: EngineContext, { transactionId, authenticatorAttachment = 'any' }: StartRegistrationArgs
): Promise<StartedRegistration> {
  const { options, store } = ctx
  const transaction = await openTransaction(ctx, transactionId, 'register')
  const passkeys = await store.listPasskeys(transaction.externalId)
  const userHandle = passkeys[0]?.userHandle
  const displayName = transaction.passkeyDisplayName as string
  const publicKey = await generateRegistrationOptions({
    rpName: options.rpName,
    rpID: options.rpId,
    userName: displayName,
    userDisplayName: displayName,
    userID: userHandle === undefined ? randomBytes(32) : Buffer.from(userHandle, 'base64url'),
    timeout: options.ceremonyTimeoutMs,
    attestationType: options.attestation,
    excludeCredentials: passkeys.map(({ credentialId, transports }) => ({ id: credentialId, transports })),
    authenticatorSelection: {
      residentKey: 'preferred',
      userVerification: options.userVerification,
      authenticatorAttachment: authenticatorAttachment === 'any' ? undefined : authenticatorAttachment
    },
    supportedAlgorithmIDs: coseAlgorithms(options.algorithms)
  })
  const handshake = await startHandshake(ctx, transaction, publicKey.challenge, publicKey.user.id)
  return { handshakeId: handshake.id, publicKey }
}
