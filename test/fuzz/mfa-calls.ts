import fc from 'fast-check'
import { randomBytes } from 'node:crypto'
import type { CeremonyKind } from '../../src/engine/store.js'
import { PREFIX } from '../helpers/mfa-app.js'
import { ceremonyAnswer, answerSpec } from './ceremony-answers.js'
import type { AnswerSpec } from './ceremony-answers.js'
import { hostileValue, oddString } from './hostile-json.js'
import { completeCeremony, createTransaction, discoverableNonce } from './material.js'
import { editString, stringEdit } from './edits.js'
import type { StringEdit } from './edits.js'
import { mutate, mutations } from './mutations.js'
import type { Mutation } from './mutations.js'
import { brokenSegment, encodeSegment, headerText, jsonPayload } from './requests.js'
import type { FuzzRequest } from './requests.js'
import { TRUST_COOKIE } from './sessions.js'
import type { OpenSession } from './sessions.js'
import { ALICE, BOB, GHOST, TRUST_MS } from './world.js'
import type { World } from './world.js'

/**
 * Calls of the routes under the plugin's prefix (and of host routes behind its guards), with
 * near-valid bodies and parameters: real nonces and passkey IDs, edited or swapped.
 */

/** Which nonce `POST /verify` carries. */
export type NonceSpec =
  | 'own' | 'spent' | 'other-transaction' | 'other-user' | 'other-kind' | 'discoverable'
  | { edit: StringEdit }
  | { value: unknown }

/** Which recovery code `POST /recovery` carries: one of the session user's, another user's, edited, or any value. */
export type RecoveryCodeSpec = 'own' | 'other-user' | { edit: StringEdit } | { value: unknown }

/** Which passkey ID `PATCH` or `DELETE /passkeys/:id` names (`raw`: a path segment sent as it is). */
export type PasskeyIdSpec = 'own' | 'other-user' | { edit: StringEdit } | { value: string } | { raw: string }

/**
 * The trusted-browser cookie a call sends: none, a new trust of the user it is for (`own`) or of
 * another user, both (a planted second copy), an edited token, or any header text.
 */
export type TrustCookieSpec = 'none' | 'own' | 'other-user' | 'both' | { edit: StringEdit } | { value: string }

/** Which trusted browser `DELETE /trusted-browsers/:id` names (`current`: the one of the cookie sent, `own` with it). */
export type TrustedBrowserIdSpec = 'own' | 'current' | 'other-user' | { edit: StringEdit } | { value: string } | { raw: string }

/** Whose first factor `POST /login` completes: the session's user (Alice for a user the host does not know), or the other of Alice and Bob. */
export type LoginUser = 'session' | 'other'

/** A call of one route. */
export type MfaCall =
  | { route: 'register' | 'authenticate' | 'logout' | 'recovery-codes' | 'sign-out-others', body: unknown }
  | { route: 'recovery', code: RecoveryCodeSpec, mutations: Mutation[] }
  | { route: 'verify', nonce: NonceSpec, trustBrowser: unknown, mutations: Mutation[] }
  | { route: 'answer', answer: AnswerSpec, trustBrowser: unknown, mutations: Mutation[] }
  | { route: 'sign-in', nonce: NonceSpec, mutations: Mutation[] }
  | { route: 'trusted-browsers' | 'untrust-all', trust: TrustCookieSpec }
  | { route: 'untrust', id: TrustedBrowserIdSpec, trust: TrustCookieSpec }
  | { route: 'login', user: LoginUser, trust: TrustCookieSpec }
  | { route: 'status' | 'passkeys' | 'client' | 'protected' | 'sensitive' }
  | { route: 'rename', id: PasskeyIdSpec, name: unknown, mutations: Mutation[] }
  | { route: 'delete', id: PasskeyIdSpec }

const nonceSpec: fc.Arbitrary<NonceSpec> = fc.oneof(
  { weight: 4, arbitrary: fc.constant('own' as const) },
  fc.constantFrom('spent' as const, 'other-transaction' as const, 'other-user' as const, 'other-kind' as const, 'discoverable' as const),
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

/** `trustBrowser` in a verify body: mostly absent, else a boolean or any value. */
const trustBrowserValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.boolean() },
  fc.constantFrom('true', 1, 0, null, [], {}),
  hostileValue
)

const trustCookieSpec: fc.Arbitrary<TrustCookieSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('own' as const) },
  fc.constantFrom('none' as const, 'other-user' as const, 'both' as const),
  fc.record({ edit: stringEdit }),
  fc.record({ value: headerText })
)

const trustedBrowserIdSpec: fc.Arbitrary<TrustedBrowserIdSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('own' as const, 'current' as const) },
  fc.constant('other-user' as const),
  fc.record({ edit: stringEdit }),
  fc.record({ value: oddString }),
  fc.record({ raw: brokenSegment })
)

/** A call of any route, near-valid more often than not. */
export const mfaCall: fc.Arbitrary<MfaCall> = fc.oneof(
  fc.record({ route: fc.constantFrom('register' as const, 'authenticate' as const, 'logout' as const, 'recovery-codes' as const, 'sign-out-others' as const), body: optionalBody }),
  fc.record({ route: fc.constant('recovery' as const), code: recoveryCodeSpec, mutations: mutations(2) }),
  { weight: 3, arbitrary: fc.record({ route: fc.constant('verify' as const), nonce: nonceSpec, trustBrowser: trustBrowserValue, mutations: mutations(2) }) },
  fc.record({ route: fc.constant('sign-in' as const), nonce: fc.oneof({ weight: 3, arbitrary: fc.constant('discoverable' as const) }, nonceSpec), mutations: mutations(2) }),
  { weight: 3, arbitrary: fc.record({ route: fc.constant('answer' as const), answer: answerSpec, trustBrowser: trustBrowserValue, mutations: mutations(2) }) },
  fc.record({ route: fc.constantFrom('trusted-browsers' as const, 'untrust-all' as const), trust: trustCookieSpec }),
  fc.record({ route: fc.constant('untrust' as const), id: trustedBrowserIdSpec, trust: trustCookieSpec }),
  { weight: 2, arbitrary: fc.record({ route: fc.constant('login' as const), user: fc.constantFrom<LoginUser>('session', 'other'), trust: trustCookieSpec }) },
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
    case 'sign-out-others':
      return { method: 'POST', url: `${PREFIX}/${call.route}`, ...(call.body === null ? { headers: {} } : jsonPayload(call.body)) }
    case 'recovery':
      return { method: 'POST', url: `${PREFIX}/recovery`, ...jsonPayload(mutate({ code: await recoveryCodeFor(world, session, call.code) }, call.mutations)) }
    case 'verify': {
      const body = { nonce: await nonceFor(world, session, call.nonce), ...(call.trustBrowser === undefined ? {} : { trustBrowser: call.trustBrowser }) }
      return { method: 'POST', url: `${PREFIX}/verify`, ...jsonPayload(mutate(body, call.mutations)) }
    }
    case 'answer':
      return await answerRequest(world, session, call.answer, call.trustBrowser, call.mutations)
    case 'sign-in': {
      // Only a passkey-first nonce signs in; any other (a transaction's, spent, edited, a value) must be refused.
      const bound = call.nonce !== 'discoverable' && (typeof call.nonce !== 'object' || 'value' in call.nonce)
      return {
        method: 'POST',
        url: `${PREFIX}/sign-in`,
        ...jsonPayload(mutate({ nonce: await nonceFor(world, session, call.nonce) }, call.mutations)),
        expect: (response) => response.statusCode === 200 && bound ? [`POST /sign-in accepted a nonce that is no passkey-first one (${JSON.stringify(call.nonce)})`] : []
      }
    }
    case 'trusted-browsers':
      return { method: 'GET', url: `${PREFIX}/trusted-browsers`, headers: await trustCookie(world, session.externalId, call.trust) }
    case 'untrust-all':
      return { method: 'DELETE', url: `${PREFIX}/trusted-browsers`, headers: await trustCookie(world, session.externalId, call.trust) }
    case 'untrust': {
      const headers = await trustCookie(world, session.externalId, call.trust)
      return { method: 'DELETE', url: `${PREFIX}/trusted-browsers/${await trustedBrowserSegment(world, session, call.id, headers)}`, headers }
    }
    case 'login':
      return login(world, session, call.user, call.trust)
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
    case 'discoverable':
      return await discoverableNonce(world, externalId)
  }
}

/**
 * `POST /verify { transactionId, response }` (the two-request step). An answer bound to anything but
 * the session's own pending transaction must be refused, however the body is then mutated.
 */
async function answerRequest (
  world: World, session: OpenSession, spec: AnswerSpec, trustBrowser: unknown, bodyMutations: Mutation[]
): Promise<Omit<FuzzRequest, 'advanceMs'>> {
  const { body, foreign } = await ceremonyAnswer(world, session, spec)
  const sent = mutate({ ...body, ...(trustBrowser === undefined ? {} : { trustBrowser }) }, bodyMutations)
  return {
    method: 'POST',
    url: `${PREFIX}/verify`,
    ...jsonPayload(sent),
    expect: (response) => response.statusCode === 200 && foreign
      ? [`POST /verify accepted an answer (${JSON.stringify(spec)}) that is not for the session's own transaction`]
      : []
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

/** A new trusted browser of `externalId` in the engine; its token and ID. */
async function newTrust (world: World, externalId: string): Promise<{ token: string, id: string }> {
  const { token, browser } = await world.mfa.engine.trustBrowser(externalId, 'Fuzz browser', TRUST_MS)
  return { token, id: browser.id }
}

/** The other of Alice and Bob. */
function otherUser (externalId: string): string {
  return externalId === ALICE ? BOB : ALICE
}

/** The `cookie` header carrying the trusted-browser cookie `spec` makes for `externalId` (no header for `none`). */
async function trustCookie (world: World, externalId: string, spec: TrustCookieSpec): Promise<Record<string, string>> {
  const value = async (owner: string): Promise<string> => (await newTrust(world, owner)).token
  if (spec === 'none') return {}
  if (typeof spec === 'object') return { cookie: `${TRUST_COOKIE}=${'edit' in spec ? editString(await value(externalId), spec.edit) : spec.value}` }
  if (spec === 'both') return { cookie: `${TRUST_COOKIE}=${await value(externalId)}; ${TRUST_COOKIE}=${await value(otherUser(externalId))}` }
  return { cookie: `${TRUST_COOKIE}=${await value(spec === 'own' ? externalId : otherUser(externalId))}` }
}

/** The `:id` segment of `DELETE /trusted-browsers/:id`; `current` names the trust of the cookie in `headers` (a new own one without it). */
async function trustedBrowserSegment (world: World, session: OpenSession, spec: TrustedBrowserIdSpec, headers: Record<string, string>): Promise<string> {
  if (typeof spec === 'object' && 'raw' in spec) return spec.raw
  if (typeof spec === 'object' && 'value' in spec) return encodeSegment(spec.value)
  if (spec === 'current' && headers.cookie !== undefined) {
    const token = headers.cookie.split('; ')[0]!.slice(TRUST_COOKIE.length + 1)
    const current = (await world.mfa.engine.listTrustedBrowsers(session.externalId, token)).find(({ current }) => current)
    if (current !== undefined) return encodeSegment(current.id)
  }
  const { id } = await newTrust(world, spec === 'other-user' ? otherUser(session.externalId) : session.externalId)
  return encodeSegment(typeof spec === 'object' ? editString(id, spec.edit) : id)
}

/**
 * `POST /login` of the host app for a user it knows, with a trusted-browser cookie. Its answer must
 * skip the passkey step (`done`) exactly when the cookie holds a live trust of that user, who has passkeys.
 */
async function login (world: World, session: OpenSession, user: LoginUser, spec: TrustCookieSpec): Promise<Omit<FuzzRequest, 'advanceMs'>> {
  const own = session.externalId === GHOST ? ALICE : session.externalId
  const externalId = user === 'session' ? own : otherUser(own)
  const hasPasskeys = (await world.mfa.engine.listPasskeys(externalId)).length > 0
  const { payload, headers } = jsonPayload({ externalId })
  // An edit may leave the token as it was; any other cookie but `own` holds no trust of this user.
  const foreign = spec === 'none' || spec === 'other-user' || spec === 'both' || (typeof spec === 'object' && 'value' in spec)
  return {
    method: 'POST',
    url: '/login',
    payload,
    headers: { ...headers, ...await trustCookie(world, externalId, spec) },
    expect: (response) => {
      if (response.statusCode !== 200 || !hasPasskeys) return []
      const skipped = (response.json() as { next: string }).next === 'done'
      if (skipped && foreign) return [`POST /login with a trusted-browser cookie (${JSON.stringify(spec)}) that is no trust of ${externalId} skipped the passkey step`]
      if (!skipped && spec === 'own') return [`POST /login with a live trust of ${externalId} did not skip the passkey step: ${response.body}`]
      return []
    }
  }
}
