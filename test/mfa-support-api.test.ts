/**
 * The support desk's calls on `fastify.mfa` (design invariant 14): `describeUser` shows what the
 * plugin holds about a user, `resetUser` removes their factors and `deleteUser` everything, both
 * ending the user's sessions at once and raising an audit event. On the three stores.
 */
import t from 'tap'
import type { Test } from 'tap'
import type { FastifyInstance } from 'fastify'
import type { AuditEvent } from '../src/index.js'
import type { PasskeyStore } from '../src/engine/store.js'
import { Browser } from './helpers/browser.js'
import { authenticate, register, registerFinishBody } from './helpers/ceremonies.js'
import { flex } from './helpers/fault-flows.js'
import { PREFIX, authenticatePasskey, buildMfaApp, signIn, signUp, stepUp } from './helpers/mfa-app.js'
import type { MfaApp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

const NOT_AUTHENTICATED = 'FST_PASSKEY_MFA_NOT_AUTHENTICATED'
const TRUST_MS = 7 * 24 * 60 * 60_000

interface Desk {
  mfa: MfaApp
  events: AuditEvent[]
}

async function desk (t: Test, store: PasskeyStore): Promise<Desk> {
  const events: AuditEvent[] = []
  const mfa = await buildMfaApp(t, { store, trustedBrowsers: { maxAgeMs: TRUST_MS }, onEvent: (event) => events.push(event) })
  return { mfa, events }
}

/** The status and code of `GET /protected` in `browser`, without keeping what it sets. */
async function guard (browser: Browser): Promise<[number, string | undefined]> {
  const response = await browser.clone().get('/protected')
  return [response.statusCode, response.json().code]
}

/** Signs in with the passkey in a new browser, trusting it; returns the browser. */
async function signInTrusting (mfa: MfaApp, externalId: string, authenticator: SoftwareAuthenticator): Promise<Browser> {
  const browser = new Browser(mfa.app)
  await browser.post('/login', { externalId })
  const verified = await browser.post(`${PREFIX}/verify`, { nonce: await authenticatePasskey(mfa, browser, authenticator), trustBrowser: true })
  if (verified.statusCode !== 200) throw new Error(`trusting sign-in failed: ${verified.body}`)
  return browser
}

/** A user with a passkey, recovery codes and a trusted browser, signed in on two browsers. */
async function equipped (mfa: MfaApp, externalId: string): Promise<{ authenticator: SoftwareAuthenticator, browsers: Browser[], codes: string[] }> {
  const authenticator = new SoftwareAuthenticator()
  const first = await signUp(mfa, externalId, authenticator)
  await stepUp(mfa, first, authenticator)
  const { codes } = (await first.post(`${PREFIX}/recovery-codes`)).json()
  const trusted = await signInTrusting(mfa, externalId, authenticator)
  return { authenticator, browsers: [first, trusted], codes }
}

/** The engine routes under the plugin's prefix, for the ceremony helpers. */
function engineRoutes (mfa: MfaApp): FastifyInstance {
  return { inject: async (options: { url: string }) => mfa.app.inject({ ...options, url: `${PREFIX}${options.url}` }) } as unknown as FastifyInstance
}

t.test('describeUser', async (t) => {
  eachStore(t, async (t, store) => {
    const { mfa } = await desk(t, store)

    t.same(await mfa.app.mfa.describeUser('nobody'), { externalId: 'nobody', passkeys: [], recoveryCodesLeft: 0, trustedBrowsers: [], lastSignInAt: null },
      'an unknown user: empty lists, no sign-in')

    const authenticator = new SoftwareAuthenticator()
    const signedUpAt = mfa.clock.now
    const first = await signUp(mfa, 'alice', authenticator)
    await stepUp(mfa, first, authenticator)
    const { codes } = (await first.post(`${PREFIX}/recovery-codes`)).json()
    const [passkey] = (await first.get(`${PREFIX}/passkeys`)).json().passkeys
    let described = await mfa.app.mfa.describeUser('alice')
    t.match(described, { externalId: 'alice', passkeys: [{ id: passkey.id, name: passkey.name }], recoveryCodesLeft: codes.length, trustedBrowsers: [] })
    t.equal(described.recoveryCodesLeft, 10)
    t.equal(described.lastSignInAt?.getTime(), signedUpAt, 'the latest use is the step-up')

    mfa.clock.advance(10_000)
    const passkeyAt = mfa.clock.now
    const trusted = await signInTrusting(mfa, 'alice', authenticator)
    described = await mfa.app.mfa.describeUser('alice')
    t.equal(described.lastSignInAt?.getTime(), passkeyAt, 'a passkey sign-in moves lastSignInAt')
    t.equal(described.trustedBrowsers.length, 1, 'the trusted browser is listed')
    t.match(described.trustedBrowsers[0], { id: String, name: String, current: false })
    t.equal(described.trustedBrowsers[0]!.expiresAt.getTime(), passkeyAt + TRUST_MS)

    mfa.clock.advance(10_000)
    const trustedAt = mfa.clock.now
    t.same((await trusted.post('/login', { externalId: 'alice' })).json(), { next: 'done' }, 'the trusted browser signs in with no passkey step')
    described = await mfa.app.mfa.describeUser('alice')
    t.equal(described.lastSignInAt?.getTime(), trustedAt, 'a trusted-browser sign-in moves lastSignInAt')
    t.equal(described.trustedBrowsers[0]!.lastUsedAt.getTime(), trustedAt)
    t.equal(described.passkeys[0]!.lastUsedAt?.getTime(), passkeyAt, 'the passkey was not used by it')

    t.same((await mfa.app.mfa.describeUser('bob')).passkeys, [], 'another user has none of it')
  })
})

t.test('resetUser', async (t) => {
  eachStore(t, async (t, store) => {
    const { mfa, events } = await desk(t, store)
    const { authenticator, browsers } = await equipped(mfa, 'alice')
    const bob = await equipped(mfa, 'bob')
    const bobBefore = await mfa.app.mfa.describeUser('bob')
    for (const browser of browsers) t.same(await guard(browser), [200, undefined], 'signed in before')

    await mfa.app.mfa.resetUser('alice')
    for (const browser of browsers) t.same(await guard(browser), [401, NOT_AUTHENTICATED], 'every session of the user ends at once')
    t.same(await mfa.app.mfa.describeUser('alice'), { externalId: 'alice', passkeys: [], recoveryCodesLeft: 0, trustedBrowsers: [], lastSignInAt: null },
      'passkeys, codes and trusted browsers are gone')
    t.match(events.filter(({ type }) => type === 'user-reset'), [{ type: 'user-reset', externalId: 'alice', address: null }], 'audited')

    const trusted = browsers[1]!
    t.same((await trusted.post('/login', { externalId: 'alice' })).json(), { next: 'enroll' }, 'the trust cookie no longer skips anything: enroll')
    const fresh = new SoftwareAuthenticator()
    const nonce = (await register(engineRoutes(mfa), fresh, (await trusted.post(`${PREFIX}/register`)).json().transactionId)).nonce
    t.match((await trusted.post(`${PREFIX}/verify`, { nonce })).json(), { state: 'authenticated', auth_token: 'token-for-alice' }, 'enrollment works')

    const again = new Browser(mfa.app)
    t.same((await again.post('/login', { externalId: 'alice' })).json(), { next: 'authenticate' })
    const { transactionId } = (await again.post(`${PREFIX}/authenticate`)).json()
    const old = await authenticate(engineRoutes(mfa), authenticator, transactionId, { credential: authenticator.credentials[0] })
    t.same([old.finish.statusCode, old.finish.json().code], [401, 'FST_PASSKEY_MFA_AUTHENTICATION_REJECTED'], 'the old passkey no longer authenticates')
    t.same(await guard(again), [401, NOT_AUTHENTICATED])

    for (const browser of bob.browsers) t.same(await guard(browser), [200, undefined], 'another user stays signed in')
    t.same(await mfa.app.mfa.describeUser('bob'), bobBefore, 'another user keeps their factors')
  })
})

t.test('deleteUser', async (t) => {
  eachStore(t, async (t, store) => {
    const { mfa, events } = await desk(t, store)
    const { browsers } = await equipped(mfa, 'alice')
    const bob = await equipped(mfa, 'bob')

    await mfa.app.mfa.deleteUser('alice')
    for (const browser of browsers) t.same(await guard(browser), [401, NOT_AUTHENTICATED], 'every session of the user ends at once')
    t.same(await mfa.app.mfa.describeUser('alice'), { externalId: 'alice', passkeys: [], recoveryCodesLeft: 0, trustedBrowsers: [], lastSignInAt: null },
      'nothing is left')
    t.match(events.filter(({ type }) => type === 'user-deleted'), [{ type: 'user-deleted', externalId: 'alice', address: null }], 'audited')
    for (const browser of bob.browsers) t.same(await guard(browser), [200, undefined], 'another user stays signed in')
    t.equal((await mfa.app.mfa.describeUser('bob')).passkeys.length, 1)
  })
})

t.test('a ceremony in flight when the user is reset cannot add a passkey afterwards', async (t) => {
  eachStore(t, async (t, store) => {
    const { mfa } = await desk(t, store)
    const { authenticator } = await equipped(mfa, 'alice')
    const routes = engineRoutes(mfa)

    // The attacker knows the first factor: after a reset they could enroll, so they start early.
    const attacker = new Browser(mfa.app)
    await attacker.post('/login', { externalId: 'alice' })
    const victim = await signIn(mfa, 'alice', authenticator)
    await stepUp(mfa, victim, authenticator)
    const started = (await victim.post(`${PREFIX}/register`)).json().transactionId
    const { handshake } = (await flex(mfa, 'register', 'start', { transaction_id: started, authenticator_attachment: 'platform' })).json()
    const finished = (await victim.post(`${PREFIX}/register`)).json().transactionId
    const { nonce } = await register(routes, new SoftwareAuthenticator(), finished)

    await mfa.app.mfa.resetUser('alice')

    const lateFinish = await flex(mfa, 'register', 'finish', registerFinishBody(started, handshake.id, new SoftwareAuthenticator().create(handshake.challenge.publicKey)))
    t.equal(lateFinish.statusCode, 404, 'a started ceremony cannot finish')
    t.equal(lateFinish.json().code, 'FST_PASSKEY_MFA_TRANSACTION_NOT_FOUND')
    const late = await victim.post(`${PREFIX}/verify`, { nonce })
    t.same([late.statusCode, late.json().code], [401, 'FST_PASSKEY_MFA_STATE_INVALID'], 'a nonce issued before the reset completes nothing')
    await t.rejects(mfa.engine.redeemNonce(nonce!, { transactionId: finished, kind: 'register', externalId: 'alice' }),
      { code: 'FST_PASSKEY_MFA_NONCE_INVALID' }, 'the reset took the nonce too')
    t.same((await mfa.app.mfa.describeUser('alice')).passkeys, [], 'no passkey was added')
    t.same((await attacker.post(`${PREFIX}/register`)).json().code, 'FST_PASSKEY_MFA_STATE_INVALID', 'the attacker\'s earlier session is revoked')
  })
})

t.test('invalid external IDs are refused', async (t) => {
  const mfa = await buildMfaApp(t)
  for (const call of ['describeUser', 'resetUser', 'deleteUser'] as const) {
    for (const [name, value] of [['empty', ''], ['129 characters', 'x'.repeat(129)], ['a number', 42], ['null', null], ['an object', { toString: () => 'alice' }]] as const) {
      await t.rejects(async () => { await mfa.app.mfa[call](value as string) }, { code: 'FST_PASSKEY_MFA_ARGUMENT_INVALID' }, `${call}: ${name}`)
    }
  }
})
