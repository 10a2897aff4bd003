import { randomBytes } from 'node:crypto'
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server'
import type { CeremonyKind } from '../../src/engine/store.js'
import { authenticateFinishBody, flexPath, post, registerFinishBody } from '../helpers/ceremonies.js'
import { PREFIX } from '../helpers/mfa-app.js'
import { SoftwareAuthenticator } from '../helpers/software-authenticator.js'
import type { AssertionTweaks, AuthenticatorOptions, RegistrationTweaks } from '../helpers/software-authenticator.js'
import { ALICE } from './world.js'
import type { World } from './world.js'

/**
 * Fresh, real ceremony material for one fuzz case (transactions, handshakes, authenticator answers,
 * nonces), made through the engine's API and its wire routes before the fuzzed request is sent.
 */

/** A started ceremony: its handshake ID and the WebAuthn options the browser got. */
export interface Started {
  handshakeId: string
  publicKey: PublicKeyCredentialCreationOptionsJSON | PublicKeyCredentialRequestOptionsJSON
}

/** The path of an engine route under the plugin's prefix, for the app ID as it travels in the URL. */
export function wirePath (kind: CeremonyKind, step: 'start' | 'finish', encodedAppId?: string): string {
  return `${PREFIX}${flexPath(kind, step, encodedAppId)}`
}

/** Creates a transaction as the MFA routes do; returns its ID. */
export async function createTransaction (world: World, kind: CeremonyKind, externalId: string, firstPasskeyOnly = false): Promise<string> {
  const { engine } = world.mfa
  return kind === 'register'
    ? engine.createRegisterTransaction({ externalId, passkeyDisplayName: `${externalId}@example.com`, firstPasskeyOnly })
    : engine.createAuthenticateTransaction({ externalId })
}

/** Starts the transaction's ceremony over its wire route (throws if the route refuses). */
export async function startCeremony (world: World, kind: CeremonyKind, transactionId: string): Promise<Started> {
  const body = kind === 'register' ? { transaction_id: transactionId, authenticator_attachment: 'platform' } : { transaction_id: transactionId }
  const response = await post(world.mfa.app, wirePath(kind, 'start'), body)
  if (response.statusCode !== 200) throw new Error(`starting a ${kind} ceremony failed: ${response.body}`)
  const { handshake } = response.json()
  return { handshakeId: handshake.id, publicKey: handshake.challenge.publicKey }
}

/** How the browser answers a registration: a new authenticator with `options`, tweaked. */
export interface RegistrationAnswer {
  options?: AuthenticatorOptions
  tweaks?: RegistrationTweaks
}

/** The finish body of a started registration, answered by a new authenticator. */
export function registrationFinish (transactionId: string, started: Started, { options, tweaks }: RegistrationAnswer = {}): object {
  const credential = new SoftwareAuthenticator(options).create(started.publicKey as PublicKeyCredentialCreationOptionsJSON, tweaks)
  return registerFinishBody(transactionId, started.handshakeId, credential)
}

/**
 * The finish body of a started authentication, answered by one of the user's authenticators that
 * holds an allowed credential (or `tweaks.credential`); `null` when none can answer (a user without passkeys).
 */
export function authenticationFinish (world: World, externalId: string, transactionId: string, started: Started, tweaks: AssertionTweaks = {}): object | null {
  const options = started.publicKey as PublicKeyCredentialRequestOptionsJSON
  const allowed = new Set(options.allowCredentials?.map(({ id }) => id))
  const authenticator = tweaks.credential === undefined
    ? world.authenticators.get(externalId)?.find(({ credentials }) => credentials.some(({ idBase64url }) => allowed.has(idBase64url)))
    : new SoftwareAuthenticator()
  return authenticator === undefined ? null : authenticateFinishBody(transactionId, started.handshakeId, authenticator.get(options, tweaks))
}

/**
 * Runs the transaction's whole ceremony over the wire routes; its nonce, or `null` when the user has
 * no passkey to authenticate with or the engine refuses the transaction (enrollment of a second passkey).
 */
export async function completeCeremony (world: World, kind: CeremonyKind, transactionId: string, externalId: string): Promise<string | null> {
  const started = await startCeremony(world, kind, transactionId)
  const body = kind === 'register' ? registrationFinish(transactionId, started) : authenticationFinish(world, externalId, transactionId, started)
  if (body === null) return null
  const response = await post(world.mfa.app, wirePath(kind, 'finish'), body)
  if (response.statusCode >= 500) throw new Error(`finishing a ${kind} ceremony failed: ${response.body}`)
  return response.statusCode === 200 ? response.json().nonce : null
}

/**
 * A passkey-first ceremony (no transaction) over the wire routes, answered with a passkey the user
 * still has (Alice's for a user without one); its nonce, or a random one when none is left or the
 * engine refuses it.
 */
export async function discoverableNonce (world: World, externalId: string): Promise<string> {
  const owner = world.authenticators.has(externalId) ? externalId : ALICE
  const registered = new Set((await world.mfa.engine.listPasskeys(owner)).map(({ credentialId }) => credentialId))
  const holder = world.authenticators.get(owner)!.find(({ credentials }) => credentials.some(({ idBase64url }) => registered.has(idBase64url)))
  const credential = holder?.credentials.find(({ idBase64url }) => registered.has(idBase64url))
  if (holder === undefined || credential === undefined) return randomBytes(32).toString('base64url')
  const start = await post(world.mfa.app, wirePath('authenticate', 'start'), {})
  if (start.statusCode !== 200) throw new Error(`starting a passkey-first ceremony failed: ${start.body}`)
  const { handshake } = start.json()
  const { transaction_id: _none, ...body } = authenticateFinishBody('', handshake.id, holder.get(handshake.challenge.publicKey, { credential })) as Record<string, unknown>
  const response = await post(world.mfa.app, wirePath('authenticate', 'finish'), body)
  if (response.statusCode >= 500) throw new Error(`finishing a passkey-first ceremony failed: ${response.body}`)
  // An earlier case may have refused the passkey for good (a counter it pushed ahead, say).
  return response.statusCode === 200 ? response.json().nonce : randomBytes(32).toString('base64url')
}
