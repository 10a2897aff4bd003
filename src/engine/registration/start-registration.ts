import { generateRegistrationOptions } from '@simplewebauthn/server'
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server'
import { randomBytes } from 'node:crypto'
import type { EngineContext } from '../context.js'
import { coseAlgorithms } from '../options.js'
import type { PasskeyRecord } from '../store.js'
import { newHandshake, newRegisterTransaction, openTransaction, startHandshake } from '../transactions.js'
import type { CreateRegisterTransactionArgs } from '../transactions.js'

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

/** A transaction created with its ceremony started: its ID, and the ceremony as {@link StartedRegistration}. */
export interface BegunRegistration extends StartedRegistration {
  transactionId: string
}

/** Arguments of {@link beginRegistration}. */
export type BeginRegistrationArgs = CreateRegisterTransactionArgs & { authenticatorAttachment?: AuthenticatorAttachment }

/**
 * Starts the registration ceremony of a register transaction. It may be called again (after the user
 * cancelled, say): each call replaces the previous challenge.
 */
export async function startRegistration (
  ctx: EngineContext, { transactionId, authenticatorAttachment = 'any' }: StartRegistrationArgs
): Promise<StartedRegistration> {
  const transaction = await openTransaction(ctx, transactionId, 'register')
  const passkeys = await ctx.store.listPasskeys(transaction.externalId)
  const publicKey = await creationOptions(ctx, transaction.passkeyDisplayName as string, passkeys, authenticatorAttachment)
  const handshake = await startHandshake(ctx, transaction, publicKey.challenge, publicKey.user.id)
  return { handshakeId: handshake.id, publicKey }
}

/**
 * Creates a register transaction with its ceremony already started: what creating the transaction
 * and {@link startRegistration} do in two requests, for a server that answers the browser's options
 * itself (the plugin's two-request step). One read of the user's passkeys, one write.
 */
export async function beginRegistration (
  ctx: EngineContext, { authenticatorAttachment = 'any', ...args }: BeginRegistrationArgs
): Promise<BegunRegistration> {
  const passkeys = await ctx.store.listPasskeys(args.externalId)
  const publicKey = await creationOptions(ctx, args.passkeyDisplayName, passkeys, authenticatorAttachment)
  const handshake = newHandshake(ctx, publicKey.challenge, publicKey.user.id)
  const { transactionId, transaction } = newRegisterTransaction(ctx, args, handshake)
  await ctx.store.createTransaction(transaction)
  return { transactionId, handshakeId: handshake.id, publicKey }
}

async function creationOptions (
  ctx: EngineContext, displayName: string, passkeys: PasskeyRecord[], authenticatorAttachment: AuthenticatorAttachment
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const { options } = ctx
  const userHandle = passkeys[0]?.userHandle
  return generateRegistrationOptions({
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
}
