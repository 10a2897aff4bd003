import fc from 'fast-check'
import type {
  AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON
} from '@simplewebauthn/server'
import type { CeremonyKind } from '../../src/engine/store.js'
import { SoftwareAuthenticator } from '../helpers/software-authenticator.js'
import type { AssertionTweaks, RegistrationTweaks } from '../helpers/software-authenticator.js'
import { assertionTweaks, registrationTweaks } from './ceremony-tweaks.js'
import { editString, stringEdit } from './edits.js'
import type { StringEdit } from './edits.js'
import { hostileValue } from './hostile-json.js'
import { createTransaction, startCeremony } from './material.js'
import type { OpenSession } from './sessions.js'
import { ALICE, BOB } from './world.js'
import type { World } from './world.js'

/**
 * Bodies of the two-request step's `POST /verify { transactionId, response }`: the browser's answer
 * to the session's own transaction, tweaked, or bound to something else (another transaction, user
 * or kind, another user's credential), an edited transaction ID, or any value as the answer.
 */

/** Which `{ transactionId, response }` the call carries. */
export type AnswerSpec =
  | 'own' | 'other-transaction' | 'other-user' | 'other-kind' | 'foreign-credential'
  | { tweaks: AssertionTweaks & RegistrationTweaks }
  | { edit: StringEdit }
  | { response: unknown }

export const answerSpec: fc.Arbitrary<AnswerSpec> = fc.oneof(
  { weight: 4, arbitrary: fc.constant('own' as const) },
  fc.constantFrom('other-transaction' as const, 'other-user' as const, 'other-kind' as const, 'foreign-credential' as const),
  fc.record({ tweaks: fc.oneof(assertionTweaks, registrationTweaks) as fc.Arbitrary<AssertionTweaks & RegistrationTweaks> }),
  fc.record({ edit: stringEdit }),
  fc.record({ response: hostileValue })
)

/** The body, and whether it answers anything but the session's own pending transaction (then it must never be accepted). */
export interface CeremonyAnswer {
  body: { transactionId: unknown, response: unknown }
  foreign: boolean
}

/** The body `spec` describes for `session`; a session with no transaction pending answers a fresh one it does not hold. */
export async function ceremonyAnswer (world: World, session: OpenSession, spec: AnswerSpec): Promise<CeremonyAnswer> {
  const { state, externalId } = session
  const pending = state.level === 'passkey-pending' || state.level === 'authenticated' ? state.transaction : undefined
  const kind = pending?.kind ?? 'authenticate'
  const ownId = pending?.id ?? await createTransaction(world, kind, externalId)
  const own = async (tweaks = {}): Promise<CeremonyAnswer['body']> => ({ transactionId: ownId, response: await answer(world, kind, ownId, externalId, tweaks) })
  const foreign = (body: CeremonyAnswer['body'], bound = false): CeremonyAnswer => ({ body, foreign: bound || pending === undefined })
  if (typeof spec === 'object') {
    if ('response' in spec) return foreign({ transactionId: ownId, response: spec.response })
    if ('tweaks' in spec) return foreign(await own(spec.tweaks))
    const edited = editString(ownId, spec.edit)
    return foreign({ transactionId: edited, response: (await own()).response }, edited !== ownId)
  }
  const other = externalId === ALICE ? BOB : ALICE
  switch (spec) {
    case 'own':
      return foreign(await own())
    case 'other-transaction': {
      const transactionId = await createTransaction(world, kind, externalId)
      return foreign({ transactionId, response: await answer(world, kind, transactionId, externalId) }, true)
    }
    case 'other-user': {
      const transactionId = await createTransaction(world, kind, other)
      return foreign({ transactionId, response: await answer(world, kind, transactionId, other) }, true)
    }
    case 'other-kind': {
      const otherKind = kind === 'register' ? 'authenticate' : 'register'
      return foreign({ transactionId: ownId, response: await answer(world, otherKind, await createTransaction(world, otherKind, externalId), externalId) }, true)
    }
    case 'foreign-credential': {
      // Another user's credential: to sign with, or to register again while that user still has it.
      const registered = new Set((await world.mfa.engine.listPasskeys(other)).map(({ credentialId }) => credentialId))
      const credentials = world.authenticators.get(other)!.flatMap(({ credentials }) => credentials)
      const taken = credentials.find(({ idBase64url }) => registered.has(idBase64url))
      if (kind === 'authenticate') return foreign(await own({ credential: credentials[0] }), true)
      return taken === undefined ? foreign(await own()) : foreign(await own({ credentialId: Buffer.from(taken.idBase64url, 'base64url') }), true)
    }
  }
}

/**
 * The answer of a browser to a new start of the transaction's ceremony (over the wire route, which
 * gives it a fresh challenge): a new authenticator's registration, or an assertion of the user's
 * authenticator holding an allowed credential, else of a stranger's.
 */
async function answer (
  world: World, kind: CeremonyKind, transactionId: string, externalId: string, tweaks: AssertionTweaks & RegistrationTweaks = {}
): Promise<RegistrationResponseJSON | AuthenticationResponseJSON> {
  const { publicKey } = await startCeremony(world, kind, transactionId)
  if (kind === 'register') return new SoftwareAuthenticator().create(publicKey as PublicKeyCredentialCreationOptionsJSON, tweaks)
  const options = publicKey as PublicKeyCredentialRequestOptionsJSON
  const allowed = new Set(options.allowCredentials?.map(({ id }) => id))
  const holder = tweaks.credential === undefined
    ? world.authenticators.get(externalId)?.find(({ credentials }) => credentials.some(({ idBase64url }) => allowed.has(idBase64url)))
    : new SoftwareAuthenticator()
  return holder?.get(options, tweaks) ?? strangerAssertion(options, tweaks)
}

/** An assertion with a credential no user registered, made by a new authenticator for the RP. */
function strangerAssertion (options: PublicKeyCredentialRequestOptionsJSON, tweaks: AssertionTweaks): AuthenticationResponseJSON {
  const authenticator = new SoftwareAuthenticator()
  const { id } = authenticator.create({
    challenge: options.challenge,
    rp: { id: options.rpId, name: 'Stranger' },
    user: { id: 'c3RyYW5nZXI', name: 'stranger', displayName: 'stranger' },
    pubKeyCredParams: [{ alg: -7, type: 'public-key' }]
  })
  return authenticator.get({ ...options, allowCredentials: [{ id, type: 'public-key' }] }, tweaks)
}
