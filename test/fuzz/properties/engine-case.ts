import fc from 'fast-check'
import type { CeremonyKind } from '../../../src/engine/store.js'
import type { AssertionTweaks, AuthenticatorOptions, RegistrationTweaks } from '../../helpers/software-authenticator.js'
import { assertionTweaks, authenticatorOptions, registrationTweaks } from '../ceremony-tweaks.js'
import { hostileValue, oddString } from '../hostile-json.js'
import { stringEdit } from '../edits.js'
import type { StringEdit } from '../edits.js'
import { mutations } from '../mutations.js'
import type { Mutation } from '../mutations.js'
import { brokenSegment, browserHeaders, clockAdvance } from '../requests.js'
import type { UserPick } from '../sessions.js'

/** Which transaction ID a ceremony request carries. */
export type TransactionSpec = 'own' | 'other-kind' | 'other-user' | 'spent' | { edit: StringEdit } | { value: unknown }

/** Which handshake ID a finish carries: its own, one a restart replaced, another transaction's, or an edited one. */
export type HandshakeSpec = 'own' | 'replaced' | 'other-transaction' | { edit: StringEdit }

/** A request to one of the four ceremony routes, built from a real ceremony of a fresh transaction. */
export interface EngineCase {
  kind: CeremonyKind
  step: 'start' | 'finish'
  /** Send the CORS preflight (`OPTIONS`) of the route instead. */
  preflight: boolean
  user: UserPick
  firstPasskeyOnly: boolean
  transaction: TransactionSpec
  handshake: HandshakeSpec
  attachment: unknown
  authenticator: AuthenticatorOptions
  registration: RegistrationTweaks
  /** Register with a credential ID already registered (Alice's). */
  takenCredential: boolean
  assertion: AssertionTweaks
  /** Sign the assertion with another user's credential. */
  otherCredential: boolean
  mutations: Mutation[]
  /** The app ID segment: this engine's, edited, another, or a broken percent-encoding sent as it is. */
  appId: 'own' | { edit: StringEdit } | { value: string } | { raw: string }
  headers: Record<string, string>
  advanceMs: number
}

const often = <T>(value: T, others: fc.Arbitrary<T>): fc.Arbitrary<T> => fc.oneof({ weight: 4, arbitrary: fc.constant(value) }, others)

/** Requests to the ceremony routes, most near-valid: own transaction and handshake, one tweak or mutation at most. */
export const engineCase: fc.Arbitrary<EngineCase> = fc.record({
  kind: fc.constantFrom<CeremonyKind>('register', 'authenticate'),
  step: fc.oneof(fc.constant('start' as const), { weight: 2, arbitrary: fc.constant('finish' as const) }),
  preflight: fc.oneof({ weight: 19, arbitrary: fc.constant(false) }, fc.constant(true)),
  user: fc.constantFrom<UserPick>('alice', 'bob', 'newcomer', 'ghost'),
  firstPasskeyOnly: fc.boolean(),
  transaction: often<TransactionSpec>('own', fc.oneof(
    fc.constantFrom('other-kind' as const, 'other-user' as const, 'spent' as const),
    fc.record({ edit: stringEdit }),
    fc.record({ value: hostileValue })
  )),
  handshake: often<HandshakeSpec>('own', fc.oneof(fc.constantFrom('replaced' as const, 'other-transaction' as const), fc.record({ edit: stringEdit }))),
  attachment: often<unknown>('platform', fc.oneof(fc.constantFrom('cross-platform', 'any', undefined), hostileValue)),
  authenticator: authenticatorOptions,
  registration: registrationTweaks,
  takenCredential: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, fc.constant(true)),
  assertion: assertionTweaks,
  otherCredential: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, fc.constant(true)),
  mutations: mutations(3),
  appId: often<EngineCase['appId']>('own', fc.oneof(fc.record({ edit: stringEdit }), fc.record({ value: oddString }), fc.record({ raw: brokenSegment }))),
  headers: browserHeaders,
  advanceMs: clockAdvance
})
