import t from 'tap'
import type { Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { Browser } from './helpers/browser.js'
import { PREFIX, addUser, authenticatePasskey, buildMfaApp, registerPasskey, signUp, stepUp } from './helpers/mfa-app.js'
import type { MfaApp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

// Invariant 1: no guarded route, no passkey management route and no call of the host's `issueToken`
// in any state but `authenticated`.

const NOT_AUTHENTICATED = 'FST_PASSKEY_MFA_NOT_AUTHENTICATED'
const PENDING_MS = 5 * 60_000

/** The JSON body of `response`, `{}` when it has none (a 204). */
function jsonOf (response: LightMyRequestResponse): Record<string, any> {
  return response.body === '' ? {} : response.json()
}

async function stateOf (browser: Browser): Promise<string> {
  return (await browser.get(`${PREFIX}/status`)).json().state
}

async function passkeyNames (mfa: MfaApp, externalId: string): Promise<string[]> {
  return (await mfa.engine.listPasskeys(externalId)).map(({ id, name }) => `${id}:${name}`)
}

/** Every guarded route and every passkey management route refuses `browser` as not authenticated. */
async function assertLockedOut (t: Test, mfa: MfaApp, browser: Browser, passkeyId: string): Promise<void> {
  const attempts: Array<[string, () => ReturnType<Browser['request']>]> = [
    ['GET /protected', async () => browser.get('/protected')],
    ['GET /sensitive', async () => browser.get('/sensitive')],
    ['GET /passkeys', async () => browser.get(`${PREFIX}/passkeys`)],
    ['PATCH /passkeys/:id', async () => browser.request('PATCH', `${PREFIX}/passkeys/${passkeyId}`, { name: 'Renamed' })],
    ['DELETE /passkeys/:id', async () => browser.request('DELETE', `${PREFIX}/passkeys/${passkeyId}`)]
  ]
  const before = await passkeyNames(mfa, 'alice')
  for (const [name, attempt] of attempts) {
    const response = await attempt()
    t.equal(response.statusCode, 401, `${name}: 401`)
    t.equal(jsonOf(response).code, NOT_AUTHENTICATED, `${name}: ${NOT_AUTHENTICATED}`)
    t.notOk('passkeys' in jsonOf(response), `${name}: no passkey list`)
  }
  t.same(await passkeyNames(mfa, 'alice'), before, 'no passkey renamed or revoked')
}

eachStore(t, async (t, store) => {
  const mfa = await buildMfaApp(t, { store })
  const alice = new SoftwareAuthenticator()
  const aliceSession = await signUp(mfa, 'alice', alice)
  await stepUp(mfa, aliceSession, alice)
  t.equal((await aliceSession.post(`${PREFIX}/verify`, { nonce: await registerPasskey(mfa, aliceSession, new SoftwareAuthenticator()) })).statusCode, 200)
  const [passkey] = await mfa.engine.listPasskeys('alice')
  t.equal((await mfa.engine.listPasskeys('alice')).length, 2, 'alice has two passkeys, so one could be revoked')
  addUser(mfa, 'bob')

  /** An authenticate nonce of alice, from a session of her own that never redeems it. */
  const strayNonce = async (): Promise<string> => {
    const other = new Browser(mfa.app)
    await other.post('/login', { externalId: 'alice' })
    return authenticatePasskey(mfa, other, alice)
  }

  /** `issueToken` cannot be reached from `browser` with a nonce that is not its own. */
  const assertNoToken = async (t: Test, browser: Browser, expectedCode: string, expectedStatus: number) => {
    const issued = [...mfa.issued]
    const state = await stateOf(browser)
    const response = await browser.post(`${PREFIX}/verify`, { nonce: await strayNonce() })
    t.equal(response.statusCode, expectedStatus, `verify: ${expectedStatus}`)
    t.equal(response.json().code, expectedCode, `verify: ${expectedCode}`)
    t.notOk('auth_token' in response.json(), 'no token in the answer')
    t.same(mfa.issued, issued, 'issueToken was not called')
    t.equal(await stateOf(browser), state, 'the state did not move')
  }

  t.test('anonymous: no cookie', async (t) => {
    const browser = new Browser(mfa.app)
    t.equal(await stateOf(browser), 'anonymous')
    await assertLockedOut(t, mfa, browser, passkey.id)
    await assertNoToken(t, browser, 'FST_PASSKEY_MFA_STATE_INVALID', 401)
  })

  t.test('anonymous: logged out', async (t) => {
    const browser = await signUp(mfa, 'carol', new SoftwareAuthenticator())
    t.equal((await browser.get('/protected')).statusCode, 200, 'control: the session was authenticated')
    await browser.post(`${PREFIX}/logout`)
    t.equal(await stateOf(browser), 'anonymous')
    await assertLockedOut(t, mfa, browser, passkey.id)
    await assertNoToken(t, browser, 'FST_PASSKEY_MFA_STATE_INVALID', 401)
  })

  t.test('anonymous: the passkey step expired, its nonce in hand', async (t) => {
    const browser = new Browser(mfa.app)
    await browser.post('/login', { externalId: 'alice' })
    const nonce = await authenticatePasskey(mfa, browser, alice)
    mfa.clock.advance(PENDING_MS)
    t.equal(await stateOf(browser), 'anonymous')
    await assertLockedOut(t, mfa, browser, passkey.id)
    const issued = [...mfa.issued]
    const response = await browser.post(`${PREFIX}/verify`, { nonce })
    t.equal(response.statusCode, 401)
    t.equal(response.json().code, 'FST_PASSKEY_MFA_STATE_INVALID')
    t.same(mfa.issued, issued, 'issueToken was not called')
    t.equal(await stateOf(browser), 'anonymous')
  })

  t.test('first-factor: a user with passkeys', async (t) => {
    const browser = new Browser(mfa.app)
    t.same((await browser.post('/login', { externalId: 'alice' })).json(), { next: 'authenticate' })
    t.equal(await stateOf(browser), 'first-factor')
    await assertLockedOut(t, mfa, browser, passkey.id)
    await assertNoToken(t, browser, 'FST_PASSKEY_MFA_STATE_INVALID', 401)
  })

  t.test('first-factor: a user enrolling a first passkey', async (t) => {
    const browser = new Browser(mfa.app)
    t.same((await browser.post('/login', { externalId: 'bob' })).json(), { next: 'enroll' })
    t.equal(await stateOf(browser), 'first-factor')
    await assertLockedOut(t, mfa, browser, passkey.id)
    await assertNoToken(t, browser, 'FST_PASSKEY_MFA_STATE_INVALID', 401)
  })

  t.test('passkey-pending: an authenticate transaction, ceremony not run', async (t) => {
    const browser = new Browser(mfa.app)
    await browser.post('/login', { externalId: 'alice' })
    t.equal((await browser.post(`${PREFIX}/authenticate`)).statusCode, 200)
    t.equal(await stateOf(browser), 'passkey-pending')
    await assertLockedOut(t, mfa, browser, passkey.id)
    await assertNoToken(t, browser, 'FST_PASSKEY_MFA_NONCE_MISMATCH', 403)
  })

  t.test('passkey-pending: the ceremony succeeded, its nonce not yet redeemed', async (t) => {
    const browser = new Browser(mfa.app)
    await browser.post('/login', { externalId: 'alice' })
    const nonce = await authenticatePasskey(mfa, browser, alice)
    t.equal(await stateOf(browser), 'passkey-pending')
    await assertLockedOut(t, mfa, browser, passkey.id)
    await assertNoToken(t, browser, 'FST_PASSKEY_MFA_NONCE_MISMATCH', 403)

    const issued = [...mfa.issued]
    t.same((await browser.post(`${PREFIX}/verify`, { nonce })).json(), { state: 'authenticated', auth_token: 'token-for-alice' }, 'control: its own nonce passes')
    t.same(mfa.issued, [...issued, 'alice'])
    t.equal((await browser.get('/protected')).statusCode, 200, 'control: the guard lets it in now')
    t.equal((await browser.get(`${PREFIX}/passkeys`)).statusCode, 200)
  })

  t.test('passkey-pending: an enrollment whose passkey is stored, its nonce not yet redeemed', async (t) => {
    const browser = new Browser(mfa.app)
    addUser(mfa, 'dave')
    await browser.post('/login', { externalId: 'dave' })
    const nonce = await registerPasskey(mfa, browser, new SoftwareAuthenticator())
    t.equal((await mfa.engine.listPasskeys('dave')).length, 1, 'the engine stored the passkey')
    t.equal(await stateOf(browser), 'passkey-pending')
    await assertLockedOut(t, mfa, browser, passkey.id)
    await assertNoToken(t, browser, 'FST_PASSKEY_MFA_NONCE_MISMATCH', 403)

    const issued = [...mfa.issued]
    t.equal((await browser.post(`${PREFIX}/verify`, { nonce })).statusCode, 200, 'control: its own nonce passes')
    t.same(mfa.issued, [...issued, 'dave'])
    t.equal((await browser.get('/protected')).statusCode, 200, 'control: the guard lets it in now')
  })
})
