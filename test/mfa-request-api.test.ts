import t from 'tap'
import { Browser } from './helpers/browser.js'
import { PREFIX, addUser, authenticatePasskey, buildMfaApp, signUp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'

t.test('request.mfa tells a host route the state, the user and the last passkey check', async (t) => {
  const mfa = await buildMfaApp(t)
  mfa.app.get('/whoami', async (request) => ({
    state: request.mfa.state,
    externalId: request.mfa.externalId,
    passkeyVerifiedAt: request.mfa.passkeyVerifiedAt?.getTime() ?? null
  }))
  const authenticator = new SoftwareAuthenticator()
  await signUp(mfa, 'alice', authenticator)
  const browser = new Browser(mfa.app)
  t.same((await browser.get('/whoami')).json(), { state: 'anonymous', externalId: null, passkeyVerifiedAt: null })
  await browser.post('/login', { externalId: 'alice' })
  t.same((await browser.get('/whoami')).json(), { state: 'first-factor', externalId: 'alice', passkeyVerifiedAt: null })
  const nonce = await authenticatePasskey(mfa, browser, authenticator)
  t.same((await browser.get('/whoami')).json(), { state: 'passkey-pending', externalId: 'alice', passkeyVerifiedAt: null })
  await browser.post(`${PREFIX}/verify`, { nonce })
  t.same((await browser.get('/whoami')).json(), { state: 'authenticated', externalId: 'alice', passkeyVerifiedAt: mfa.clock.now })
})

t.test('the session cookie is added beside the host\'s own cookies', async (t) => {
  const mfa = await buildMfaApp(t, { policy: 'optional' })
  addUser(mfa, 'alice')
  mfa.app.post('/login-with-cookie', async (request, reply) => {
    reply.header('set-cookie', 'host_session=abc; Path=/; HttpOnly')
    return { next: await request.mfa.completeFirstFactor({ externalId: 'alice', displayName: 'alice' }) }
  })
  const response = await mfa.app.inject({ method: 'POST', url: '/login-with-cookie' })
  const cookies = [response.headers['set-cookie']].flat().map((cookie) => String(cookie).split('=')[0])
  t.same(cookies, ['host_session', 'passkey_mfa'])
})

t.test('a cookie whose name merely contains the session cookie name is not the session', async (t) => {
  const mfa = await buildMfaApp(t)
  const response = await mfa.app.inject({ url: `${PREFIX}/status`, headers: { cookie: 'other_passkey_mfa=abc' } })
  t.equal(response.json().state, 'anonymous')
  t.notOk(response.headers['set-cookie'], 'and it is left alone')
})
