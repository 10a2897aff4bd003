import t from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import { Browser } from './helpers/browser.js'
import { register } from './helpers/ceremonies.js'
import { PREFIX, addUser, authenticatePasskey, buildMfaApp, registerPasskey, signUp, stepUp } from './helpers/mfa-app.js'
import type { MfaApp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

// Invariant 4: registering a passkey needs `authenticated`, except the first passkey of a user with
// none (enrollment after the first factor); renaming and revoking need `authenticated`.

const FORBIDDEN = 'FST_PASSKEY_MFA_REGISTRATION_FORBIDDEN'

/** The JSON body of `response`, `{}` when it has none (a 204). */
function jsonOf (response: LightMyRequestResponse): Record<string, any> {
  return response.body === '' ? {} : response.json()
}

async function stateOf (browser: Browser): Promise<string> {
  return (await browser.get(`${PREFIX}/status`)).json().state
}

/** The user's passkeys as `id:name`, straight from the engine. */
async function passkeysOf (mfa: MfaApp, externalId: string): Promise<string[]> {
  return (await mfa.engine.listPasskeys(externalId)).map(({ id, name }) => `${id}:${name}`)
}

async function loggedIn (mfa: MfaApp, externalId: string): Promise<Browser> {
  const browser = new Browser(mfa.app)
  await browser.post('/login', { externalId })
  return browser
}

async function signedIn (mfa: MfaApp, externalId: string, authenticator: SoftwareAuthenticator): Promise<Browser> {
  const browser = await loggedIn(mfa, externalId)
  const response = await browser.post(`${PREFIX}/verify`, { nonce: await authenticatePasskey(mfa, browser, authenticator) })
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.body}`)
  return browser
}

/** `POST /register` from `browser` is refused with `status`/`code`, the session stays in `state`, nothing is stored. */
async function assertCannotRegister (
  t: Test, mfa: MfaApp, browser: Browser, externalId: string, { status, code, state }: { status: number, code: string, state: string }
): Promise<void> {
  const before = await passkeysOf(mfa, externalId)
  const issued = [...mfa.issued]
  const response = await browser.post(`${PREFIX}/register`)
  t.equal(response.statusCode, status, `register answers ${status}`)
  t.equal(response.json().code, code, `register answers ${code}`)
  t.notOk('transactionId' in response.json(), 'no transaction handed out')
  t.equal(await stateOf(browser), state, `the session is still ${state}`)
  t.same(await passkeysOf(mfa, externalId), before, 'no passkey added')
  t.same(mfa.issued, issued, 'no token issued')
}

t.test('a password-only session of a user who has passkeys cannot register', async (t) => {
  const mfa = await buildMfaApp(t)
  const alice = new SoftwareAuthenticator()
  await signUp(mfa, 'alice', alice)
  const browser = await loggedIn(mfa, 'alice')
  t.equal(await stateOf(browser), 'first-factor')
  await assertCannotRegister(t, mfa, browser, 'alice', { status: 403, code: FORBIDDEN, state: 'first-factor' })
})

t.test('nor can it from passkey-pending, and its authenticate transaction survives', async (t) => {
  const mfa = await buildMfaApp(t)
  const alice = new SoftwareAuthenticator()
  await signUp(mfa, 'alice', alice)
  const browser = await loggedIn(mfa, 'alice')
  const { transactionId } = (await browser.post(`${PREFIX}/authenticate`)).json()
  t.type(transactionId, 'string')
  t.equal(await stateOf(browser), 'passkey-pending')
  await assertCannotRegister(t, mfa, browser, 'alice', { status: 403, code: FORBIDDEN, state: 'passkey-pending' })

  const nonce = await authenticatePasskey(mfa, browser, alice)
  t.equal((await browser.post(`${PREFIX}/verify`, { nonce })).statusCode, 200, 'control: the passkey step still completes')
})

t.test('nor can a session whose enrollment is stored but not yet verified register a second passkey', async (t) => {
  const mfa = await buildMfaApp(t)
  addUser(mfa, 'bob')
  const browser = await loggedIn(mfa, 'bob')
  await registerPasskey(mfa, browser, new SoftwareAuthenticator())
  t.equal((await passkeysOf(mfa, 'bob')).length, 1)
  await assertCannotRegister(t, mfa, browser, 'bob', { status: 403, code: FORBIDDEN, state: 'passkey-pending' })
})

t.test('an anonymous session cannot register (nor authenticate)', async (t) => {
  const mfa = await buildMfaApp(t)
  await signUp(mfa, 'alice', new SoftwareAuthenticator())
  const browser = new Browser(mfa.app)
  await assertCannotRegister(t, mfa, browser, 'alice', { status: 401, code: 'FST_PASSKEY_MFA_STATE_INVALID', state: 'anonymous' })
  const response = await browser.post(`${PREFIX}/authenticate`)
  t.equal(response.statusCode, 401)
  t.equal(response.json().code, 'FST_PASSKEY_MFA_STATE_INVALID')

  const loggedOut = await loggedIn(mfa, 'alice')
  await loggedOut.post(`${PREFIX}/logout`)
  await assertCannotRegister(t, mfa, loggedOut, 'alice', { status: 401, code: 'FST_PASSKEY_MFA_STATE_INVALID', state: 'anonymous' })
})

t.test('the first passkey of a user with none is enrolled after the first factor', async (t) => {
  const mfa = await buildMfaApp(t)
  addUser(mfa, 'bob')
  const browser = await loggedIn(mfa, 'bob')
  t.equal(await stateOf(browser), 'first-factor')
  const started = await browser.post(`${PREFIX}/register`)
  t.equal(started.statusCode, 200)
  t.type(started.json().transactionId, 'string')
  t.equal(await stateOf(browser), 'passkey-pending')
  // The helper starts its own transaction, replacing this one (a restart is allowed while enrolling).
  const nonce = await registerPasskey(mfa, browser, new SoftwareAuthenticator())
  t.same((await browser.post(`${PREFIX}/verify`, { nonce })).json(), { state: 'authenticated', auth_token: 'token-for-bob' })
  t.equal((await passkeysOf(mfa, 'bob')).length, 1)
  t.same(mfa.issued, ['bob'])
})

t.test('an authenticated session may add a passkey, without a new token', async (t) => {
  const mfa = await buildMfaApp(t)
  const alice = new SoftwareAuthenticator()
  await signUp(mfa, 'alice', alice)
  const browser = await signedIn(mfa, 'alice', alice)
  const nonce = await registerPasskey(mfa, browser, new SoftwareAuthenticator())
  t.same((await browser.post(`${PREFIX}/verify`, { nonce })).json(), { state: 'authenticated' })
  t.equal((await passkeysOf(mfa, 'alice')).length, 2)
  t.same(mfa.issued, ['alice', 'alice'])
  t.equal(await stateOf(browser), 'authenticated')
})

t.test('an enrollment started while the user had no passkey cannot add a second one once the user has one', async (t) => {
  // Two password-only sessions of bob (who has no passkey) both start enrolling. One completes;
  // bob now has a passkey, so the other, still only password-proven, must not add a second.
  const mfa = await buildMfaApp(t)
  addUser(mfa, 'bob')
  const owner = await loggedIn(mfa, 'bob')
  const intruder = await loggedIn(mfa, 'bob')
  const { transactionId } = (await intruder.post(`${PREFIX}/register`)).json()
  t.type(transactionId, 'string', 'allowed: bob has no passkey yet')

  const ownerNonce = await registerPasskey(mfa, owner, new SoftwareAuthenticator())
  t.equal((await owner.post(`${PREFIX}/verify`, { nonce: ownerNonce })).statusCode, 200)
  const [ownerPasskey] = await passkeysOf(mfa, 'bob')
  const issued = [...mfa.issued]

  const finish = await finishRegistration(mfa, transactionId)
  t.equal(finish.statusCode, 403, 'the ceremony is refused when it finishes')
  t.equal(finish.json().code, 'FST_PASSKEY_MFA_REGISTRATION_FORBIDDEN')
  const verify = await intruder.post(`${PREFIX}/verify`, { nonce: finish.json().nonce ?? 'none' })
  t.not(verify.statusCode, 200, 'the intruder\'s enrollment is not verified')
  t.not(await stateOf(intruder), 'authenticated', 'the intruder is not signed in')
  t.same(mfa.issued, issued, 'no token for the intruder')
  t.same(await passkeysOf(mfa, 'bob'), [ownerPasskey], 'bob still has only his own passkey')
})

t.test('rename and revoke need an authenticated session', async (t) => {
  const mfa = await buildMfaApp(t)
  const alice = new SoftwareAuthenticator()
  const owner = await signUp(mfa, 'alice', alice)
  await stepUp(mfa, owner, alice)
  await owner.post(`${PREFIX}/verify`, { nonce: await registerPasskey(mfa, owner, new SoftwareAuthenticator()) })
  const before = await passkeysOf(mfa, 'alice')
  t.equal(before.length, 2, 'two passkeys, so one may be revoked')
  const [{ id }] = await mfa.engine.listPasskeys('alice')

  const sessions: Array<[string, () => Promise<Browser>]> = [
    ['anonymous', async () => new Browser(mfa.app)],
    ['first-factor', async () => loggedIn(mfa, 'alice')],
    ['passkey-pending', async () => {
      const browser = await loggedIn(mfa, 'alice')
      await authenticatePasskey(mfa, browser, alice)
      return browser
    }]
  ]
  for (const [state, open] of sessions) {
    await t.test(state, async (t) => {
      const browser = await open()
      t.equal(await stateOf(browser), state)
      const rename = await browser.request('PATCH', `${PREFIX}/passkeys/${id}`, { name: 'Stolen' })
      t.equal(rename.statusCode, 401)
      t.equal(jsonOf(rename).code, 'FST_PASSKEY_MFA_NOT_AUTHENTICATED')
      const revoke = await browser.request('DELETE', `${PREFIX}/passkeys/${id}`)
      t.equal(revoke.statusCode, 401)
      t.equal(jsonOf(revoke).code, 'FST_PASSKEY_MFA_NOT_AUTHENTICATED')
      t.same(await passkeysOf(mfa, 'alice'), before, 'nothing renamed or revoked')
    })
  }

  const rename = await owner.request('PATCH', `${PREFIX}/passkeys/${id}`, { name: 'Laptop' })
  t.equal(rename.statusCode, 200, 'control: the authenticated session may rename')
  t.equal((await owner.request('DELETE', `${PREFIX}/passkeys/${id}`)).statusCode, 204, 'control: and revoke')
  t.equal((await passkeysOf(mfa, 'alice')).length, 1)
})

t.test('a user cannot rename or revoke another user\'s passkey', async (t) => {
  eachStore(t, async (t, store) => {
    const mfa = await buildMfaApp(t, { store, policy: 'optional' })
    const authenticator = new SoftwareAuthenticator()
    const alice = await signUp(mfa, 'alice', authenticator)
    await stepUp(mfa, alice, authenticator)
    await alice.post(`${PREFIX}/verify`, { nonce: await registerPasskey(mfa, alice, new SoftwareAuthenticator()) })
    await signUp(mfa, 'bob', new SoftwareAuthenticator())
    const [bobPasskey] = await mfa.engine.listPasskeys('bob')
    const aliceBefore = await passkeysOf(mfa, 'alice')
    const bobBefore = await passkeysOf(mfa, 'bob')
    t.equal(await stateOf(alice), 'authenticated')

    const rename = await alice.request('PATCH', `${PREFIX}/passkeys/${bobPasskey.id}`, { name: 'Mine now' })
    t.equal(rename.statusCode, 404)
    t.equal(jsonOf(rename).code, 'FST_PASSKEY_MFA_PASSKEY_NOT_FOUND')
    const revoke = await alice.request('DELETE', `${PREFIX}/passkeys/${bobPasskey.id}`)
    t.equal(revoke.statusCode, 404)
    t.equal(jsonOf(revoke).code, 'FST_PASSKEY_MFA_PASSKEY_NOT_FOUND')
    t.same(await passkeysOf(mfa, 'bob'), bobBefore, 'bob\'s passkeys are untouched')
    t.same(await passkeysOf(mfa, 'alice'), aliceBefore, 'and alice\'s')
    t.notOk((await alice.get(`${PREFIX}/passkeys`)).json().passkeys.some((p: { id: string }) => p.id === bobPasskey.id), 'bob\'s passkey is not listed to alice')

    const unknown = await alice.request('DELETE', `${PREFIX}/passkeys/no-such-passkey`)
    t.same(jsonOf(unknown), jsonOf(revoke), 'another user\'s passkey looks like an unknown one')
  })
})

/** Runs the browser's registration ceremony over the engine routes for a transaction the session already holds; returns the nonce. */
async function finishRegistration (mfa: MfaApp, transactionId: string): Promise<LightMyRequestResponse> {
  const scoped = { inject: async (options: { url: string }) => mfa.app.inject({ ...options, url: `${PREFIX}${options.url}` }) }
  return (await register(scoped as unknown as FastifyInstance, new SoftwareAuthenticator(), transactionId)).finish
}
