import t from 'tap'
import { Browser } from './helpers/browser.js'
import { PREFIX, addUser, authenticatePasskey, buildMfaApp, registerPasskey, signUp, stepUp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'

t.test('a password-only user with policy optional is done after the first factor', async (t) => {
  const mfa = await buildMfaApp(t, { policy: 'optional' })
  addUser(mfa, 'alice')
  const browser = new Browser(mfa.app)
  t.same((await browser.post('/login', { externalId: 'alice' })).json(), { next: 'done' })
  t.same((await browser.get('/protected')).json(), { externalId: 'alice' })
  t.same((await browser.get(`${PREFIX}/status`)).json(), { state: 'authenticated', next: 'done', hasPasskeys: false, pendingUntil: null, recoveryCodesLeft: 0, recovered: false, trustedBrowserLifetimeMs: null, passkeySignIn: false })
  t.equal((await browser.get('/sensitive')).json().code, 'FST_PASSKEY_MFA_STEP_UP_REQUIRED', 'no passkey was ever checked')
  t.same(mfa.issued, [], 'the host issues its own token when the passkey step is skipped')
})

t.test('sign-up with policy required enrolls a passkey, then sign-in uses it', async (t) => {
  const mfa = await buildMfaApp(t)
  addUser(mfa, 'alice')
  const authenticator = new SoftwareAuthenticator()
  const browser = new Browser(mfa.app)

  t.same((await browser.post('/login', { externalId: 'alice' })).json(), { next: 'enroll' })
  t.match((await browser.get(`${PREFIX}/status`)).json(), { state: 'first-factor', next: 'enroll', hasPasskeys: false })
  t.equal((await browser.get('/protected')).statusCode, 401)
  const enrolled = await browser.post(`${PREFIX}/verify`, { nonce: await registerPasskey(mfa, browser, authenticator) })
  t.same(enrolled.json(), { state: 'authenticated', auth_token: 'token-for-alice' })
  t.equal((await browser.get('/protected')).statusCode, 200)

  t.same((await browser.post(`${PREFIX}/logout`)).json(), { state: 'anonymous' })
  t.equal((await browser.get('/protected')).statusCode, 401)

  t.same((await browser.post('/login', { externalId: 'alice' })).json(), { next: 'authenticate' })
  const nonce = await authenticatePasskey(mfa, browser, authenticator)
  t.match((await browser.get(`${PREFIX}/status`)).json(), { state: 'passkey-pending', next: 'authenticate', hasPasskeys: true })
  t.same((await browser.post(`${PREFIX}/verify`, { nonce })).json(), { state: 'authenticated', auth_token: 'token-for-alice' })
  t.same((await browser.get('/sensitive')).json(), { ok: true })
  t.same(mfa.issued, ['alice', 'alice'])
})

t.test('an authenticated user adds, renames and revokes passkeys', async (t) => {
  const mfa = await buildMfaApp(t)
  const authenticator = new SoftwareAuthenticator()
  const browser = await signUp(mfa, 'alice', authenticator)
  t.equal((await stepUp(mfa, browser, authenticator)).statusCode, 200, 'changing passkeys needs a passkey check first')
  mfa.clock.advance(1000)
  const second = await browser.post(`${PREFIX}/verify`, { nonce: await registerPasskey(mfa, browser, new SoftwareAuthenticator({ transports: ['usb'] })) })
  t.same(second.json(), { state: 'authenticated' }, 'adding a passkey issues no token')
  t.same(mfa.issued, ['alice'])

  const { passkeys } = (await browser.get(`${PREFIX}/passkeys`)).json()
  t.equal(passkeys.length, 2)
  t.match(passkeys[1], { name: 'Passkey', transports: ['usb'], createdAt: String })
  t.equal(passkeys[1].lastUsedAt, passkeys[1].createdAt, 'a new passkey was last used by its registration')

  const renamed = await browser.request('PATCH', `${PREFIX}/passkeys/${passkeys[1].id}`, { name: 'YubiKey' })
  t.match(renamed.json(), { id: passkeys[1].id, name: 'YubiKey' })

  t.equal((await browser.request('DELETE', `${PREFIX}/passkeys/${passkeys[0].id}`)).statusCode, 204)
  const last = await browser.request('DELETE', `${PREFIX}/passkeys/${passkeys[1].id}`)
  t.equal(last.statusCode, 409)
  t.equal(last.json().code, 'FST_PASSKEY_MFA_LAST_PASSKEY')
  t.same((await browser.get(`${PREFIX}/passkeys`)).json().passkeys.map((p: { name: string }) => p.name), ['YubiKey'])
})

t.test('with policy optional the last passkey may go', async (t) => {
  const mfa = await buildMfaApp(t, { policy: async () => 'optional' as const })
  const authenticator = new SoftwareAuthenticator()
  const browser = await signUp(mfa, 'alice', authenticator)
  await stepUp(mfa, browser, authenticator)
  const [passkey] = (await browser.get(`${PREFIX}/passkeys`)).json().passkeys
  t.equal((await browser.request('DELETE', `${PREFIX}/passkeys/${passkey.id}`)).statusCode, 204)
  const listed = (await browser.get(`${PREFIX}/passkeys`)).json()
  t.same(listed.passkeys, [], 'none left')
  t.equal(listed.user.id, null, 'no user handle without a passkey')
})
