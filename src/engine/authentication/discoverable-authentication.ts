import { generateAuthenticationOptions } from '@simplewebauthn/server'
import type { AuthenticationResponseJSON } from '@simplewebauthn/server'
import { randomBytes } from 'node:crypto'
import { CredentialUnknownError, HandshakeExpiredError, HandshakeInvalidError } from '../../errors.js'
import type { EngineContext } from '../context.js'
import { DISCOVERABLE, newNonce } from '../nonces.js'
import { attributedTo } from '../rejection.js'
import type { FinishedCeremony } from '../rejection.js'
import { digest, randomToken } from '../tokens.js'
import { ANONYMOUS } from '../transactions.js'
import { recordUse, rejected, verifyAssertion } from './assertion.js'
import type { StartedAuthentication } from './start-authentication.js'

/** Arguments of {@link finishDiscoverableAuthentication}. */
export interface FinishDiscoverableAuthenticationArgs {
  /** The handshake ID the start gave: the ceremony's only handle, as no transaction names a user yet. */
  handshakeId: string
  /** The browser's answer, as `@simplewebauthn/browser` returns it. */
  response: AuthenticationResponseJSON
}

/**
 * Starts a passkey-first sign-in (discoverable credentials, the browser's autofill): a challenge
 * with no allowed credentials, held for `ceremonyTimeoutMs` in an anonymous handshake that names no
 * user. User verification is required: the passkey alone stands for both factors.
 */
export async function startDiscoverableAuthentication (ctx: EngineContext): Promise<StartedAuthentication> {
  const { options, store } = ctx
  const challenge = randomBytes(32)
  const handshakeId = randomToken()
  const expiresAt = options.now() + options.ceremonyTimeoutMs
  await store.createTransaction({
    key: digest(handshakeId),
    kind: 'authenticate',
    externalId: ANONYMOUS,
    passkeyDisplayName: null,
    firstPasskeyOnly: false,
    handshake: { id: handshakeId, challenge: challenge.toString('base64url'), userHandle: null, expiresAt },
    expiresAt
  })
  const publicKey = await generateAuthenticationOptions({
    rpID: options.rpId, allowCredentials: [], challenge, timeout: options.ceremonyTimeoutMs, userVerification: 'required'
  })
  return { handshakeId, publicKey }
}

/**
 * Finishes a passkey-first sign-in: takes the anonymous handshake with the passkey of the answer's
 * credential ID (one store call), requires the answer's `userHandle` to be the one stored with that
 * passkey and the user to have been verified, checks the assertion as a transaction-bound finish
 * does, records the use and issues a nonce for the passkey's user. Its nonce is redeemed only where
 * a discoverable one is expected (the plugin's `POST /sign-in`, or `verifyNonce`), never for a transaction.
 *
 * A credential the store does not hold is `FST_PASSKEY_MFA_CREDENTIAL_UNKNOWN`, so the browser can
 * tell its password manager (the WebAuthn Signal API): credential IDs are random and name no
 * account, so this tells nothing about users. Every other failure is `FST_PASSKEY_MFA_AUTHENTICATION_REJECTED`.
 */
export async function finishDiscoverableAuthentication (
  ctx: EngineContext, { handshakeId, response }: FinishDiscoverableAuthenticationArgs
): Promise<FinishedCeremony> {
  const taken = await ctx.store.takeTransactionWithPasskey(digest(handshakeId), response.id)
  if (taken === null || taken.transaction.externalId !== ANONYMOUS) throw new HandshakeInvalidError()
  const { transaction, passkey } = taken
  if (transaction.expiresAt <= ctx.options.now()) throw new HandshakeExpiredError()
  if (passkey === null) throw new CredentialUnknownError()
  // The user the passkey names, under the key every discoverable nonce carries.
  const claimed = { ...transaction, externalId: passkey.externalId, key: DISCOVERABLE }
  return attributedTo(passkey.externalId, (async () => {
    if (response.response.userHandle === undefined) throw rejected('credential')
    const use = await verifyAssertion(ctx, claimed, transaction.handshake!, passkey, response, true)
    const { nonce, record } = newNonce(ctx, claimed, passkey.id)
    await recordUse(ctx, use, record)
    return { nonce, externalId: passkey.externalId, passkeyId: passkey.id }
  })())
}
