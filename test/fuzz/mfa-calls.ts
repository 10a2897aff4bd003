import fc from 'fast-check'
import { randomBytes } from 'node:crypto'
import type { CeremonyKind } from '../../src/engine/store.js'
import { PREFIX } from '../helpers/mfa-app.js'
import { hostileValue, oddString } from './hostile-json.js'
import { completeCeremony, createTransaction } from './material.js'
import { editString, stringEdit } from './edits.js'
import type { StringEdit } from './edits.js'
import { mutate, mutations } from './mutations.js'
import type { Mutation } from './mutations.js'
import { brokenSegment, encodeSegment, jsonPayload } from './requests.js'
import type { FuzzRequest } from './requests.js'
import type { OpenSession } from './sessions.js'
import { ALICE, BOB } from './world.js'
import type { World } from './world.js'

/**
 * Calls of the routes under the plugin's prefix (and of host routes behind its guards), with
 * near-valid bodies and parameters: real nonces and passkey IDs, edited or swapped.
 */

/** Which nonce `POST /verify` carries. */
export type NonceSpec =
  | 'own' | 'spent' | 'other-transaction' | 'other-user' | 'other-kind'
  | { edit: StringEdit }
  | { value: unknown }

/** Which recovery code `POST /recovery` carries: one of the session user's, another user's, edited, or any value. */
export type RecoveryCodeSpec = 'own' | 'other-user' | { edit: StringEdit } | { value: unknown }

/** Which passkey ID `PATCH` or `DELETE /passkeys/:id` names (`raw`: a path segment sent as it is). */
export type PasskeyIdSpec = 'own' | 'other-user' | { edit: StringEdit } | { value: string } | { raw: string }

/** A call of one route. */
export type MfaCall =
  | { route: 'register' | 'authenticate' | 'logout' | 'recovery-codes', body: unknown }
  | { route: 'recovery', code: RecoveryCodeSpec, mutations: Mutation[] }
  | { route: 'verify', nonce: NonceSpec, mutations: Mutation[] }
  | { route: 'status' | 'passkeys' | 'client' | 'protected' | 'sensitive' }
  | { route: 'rename', id: PasskeyIdSpec, name: unknown, mutations: Mutation[] }
  | { route: 'delete', id: PasskeyIdSpec }

const nonceSpec: fc.Arbitrary<NonceSpec> = fc.oneof(
  { weight: 4, arbitrary: fc.constant('own' as const) },
  fc.constantFrom('spent' as const, 'other-transaction' as const, 'other-user' as const, 'other-kind' as const),
  fc.record({ edit: stringEdit }),
  fc.record({ value: hostileValue })
)

const recoveryCodeSpec: fc.Arbitrary<RecoveryCodeSpec> = fc.oneof(
  { weight: 2, arbitrary: fc.constant('own' as const) },
  fc.constant('other-user' as const),
  fc.record({ edit: stringEdit }),
  fc.record({ value: hostileValue })
)

const passkeyIdSpec: fc.Arbitrary<PasskeyIdSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('own' as const) },
  fc.constant('other-user' as const),
  fc.record({ edit: stringEdit }),
  fc.record({ value: oddString }),
  fc.record({ raw: brokenSegment })
)

const passkeyName = fc.oneof(
  fc.string({ maxLength: 70 }),
  fc.string({ unit: 'grapheme', maxLength: 70 }),
  fc.constantFrom('', ' ', ' x ', 'x'.repeat(64), 'x'.repeat(65), ` ${'x'.repeat(64)} `, '\u0000', '\t\n'),
  hostileValue
)

const optionalBody = fc.option(hostileValue, { freq: 2 })

/** A call of any route, near-valid more often than not. */
export const mfaCall: fc.Arbitrary<MfaCall> = fc.oneof(
  fc.record({ route: fc.constantFrom('register' as const, 'authenticate' as const, 'logout' as const, 'recovery-codes' as const), body: optionalBody }),
  fc.record({ route: fc.constant('recovery' as const), code: recoveryCodeSpec, mutations: mutations(2) }),
  { weight: 3, arbitrary: fc.record({ route: fc.constant('verify' as const), nonce: nonceSpec, mutations: mutations(2) }) },
  fc.record({ route: fc.constantFrom('status' as const, 'passkeys' as const, 'client' as const, 'protected' as const, 'sensitive' as const) }),
  { weight: 2, arbitrary: fc.record({ route: fc.constant('rename' as const), id: passkeyIdSpec, name: passkeyName, mutations: mutations(2) }) },
  fc.record({ route: fc.constant('delete' as const), id: passkeyIdSpec })
)

/** The request of `call` in `session` (its cookie header not yet set). */
export async function callRequest (world: World, session: OpenSession, call: MfaCall): Promise<Omit<FuzzRequest, 'advanceMs'>> {
  switch (call.route) {
    case 'register':
    case 'authenticate':
    case 'logout':
    case 'recovery-codes':
      return { method: 'POST', url: `${PREFIX}/${call.route}`, ...(call.body === null ? { headers: {} } : jsonPayload(call.body)) }
    case 'recovery':
      return { method: 'POST', url: `${PREFIX}/recovery`, ...jsonPayload(mutate({ code: await recoveryCodeFor(world, session, call.code) }, call.mutations)) }
    case 'verify':
      return { method: 'POST', url: `${PREFIX}/verify`, ...jsonPayload(mutate({ nonce: await nonceFor(world, session, call.nonce) }, call.mutations)) }
    case 'status':
    case 'passkeys':
      return { method: 'GET', url: `${PREFIX}/${call.route}`, headers: {} }
    case 'client':
      return { method: 'GET', url: `${PREFIX}/client.js`, headers: {} }
    case 'protected':
    case 'sensitive':
      return { method: 'GET', url: `/${call.route}`, headers: {} }
    case 'rename': {
      const url = `${PREFIX}/passkeys/${await passkeySegment(world, session, call.id)}`
      return { method: 'PATCH', url, ...jsonPayload(mutate({ name: call.name }, call.mutations)) }
    }
    case 'delete':
      return { method: 'DELETE', url: `${PREFIX}/passkeys/${await passkeySegment(world, session, call.id)}`, headers: {} }
  }
}

/** A nonce from a whole ceremony of a new transaction, or a random one when the user cannot complete it (no passkey). */
async function newNonce (world: World, kind: CeremonyKind, externalId: string): Promise<string> {
  return await completeCeremony(world, kind, await createTransaction(world, kind, externalId), externalId) ?? randomBytes(32).toString('base64url')
}

async function nonceFor (world: World, session: OpenSession, spec: NonceSpec): Promise<unknown> {
  const { state, externalId } = session
  const transaction = state.level === 'passkey-pending' || state.level === 'authenticated' ? state.transaction : undefined
  const kind = transaction?.kind ?? 'authenticate'
  const own = async (): Promise<string> => transaction === undefined
    ? newNonce(world, kind, externalId)
    : await completeCeremony(world, kind, transaction.id, externalId) ?? newNonce(world, kind, externalId)
  if (typeof spec === 'object') return 'edit' in spec ? editString(await own(), spec.edit) : spec.value
  switch (spec) {
    case 'own':
      return own()
    case 'spent': {
      const nonce = await own()
      await world.mfa.engine.verifyNonce(nonce).catch(() => undefined)
      return nonce
    }
    case 'other-transaction':
      return newNonce(world, kind, externalId)
    case 'other-user':
      return newNonce(world, kind, externalId === ALICE ? BOB : ALICE)
    case 'other-kind':
      return newNonce(world, kind === 'register' ? 'authenticate' : 'register', externalId)
  }
}

/** A recovery code as `spec` says: a new one of the session's user (or the other user), edited, or a value. */
async function recoveryCodeFor (world: World, session: OpenSession, spec: RecoveryCodeSpec): Promise<unknown> {
  if (typeof spec === 'object' && 'value' in spec) return spec.value
  const owner = spec === 'other-user' ? (session.externalId === ALICE ? BOB : ALICE) : session.externalId
  const [code] = await world.mfa.engine.generateRecoveryCodes(owner)
  return typeof spec === 'object' ? editString(code!, spec.edit) : code
}

/** The `:id` segment of the URL, as it travels. */
async function passkeySegment (world: World, session: OpenSession, spec: PasskeyIdSpec): Promise<string> {
  if (typeof spec === 'object' && 'raw' in spec) return spec.raw
  if (typeof spec === 'object' && 'value' in spec) return encodeSegment(spec.value)
  const owner = spec === 'other-user' ? (session.externalId === ALICE ? BOB : ALICE) : session.externalId
  const [passkey] = await world.mfa.engine.listPasskeys(owner)
  const id = passkey?.id ?? 'no-passkey'
  return encodeSegment(typeof spec === 'object' ? editString(id, spec.edit) : id)
}
