import t from 'tap'
import type { Test } from 'tap'
import { Browser } from './helpers/browser.js'
import { PREFIX, addUser, authenticatePasskey, buildMfaApp, signUp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { MemoryStore } from '../src/engine/stores/memory.js'
import type { MfaUser } from '../src/index.js'

/** A memory store whose methods named in `failing` throw. */
class FailingStore extends MemoryStore {
  readonly failing = new Set<string>()
  override async takeNonce (key: string) { return this.#maybeFail('takeNonce', async () => super.takeNonce(key)) }
  override async createTransaction (...args: Parameters<MemoryStore['createTransaction']>) { return this.#maybeFail('createTransaction', async () => super.createTransaction(...args)) }
  override async revoke (...args: Parameters<MemoryStore['revoke']>) { return this.#maybeFail('revoke', async () => super.revoke(...args)) }
  async #maybeFail<T> (name: string, call: () => Promise<T>): Promise<T> {
    if (this.failing.has(name)) throw new Error('connection refused')
    return call()
  }
}

async function pendingSession (t: Test, options: Parameters<typeof buildMfaApp>[1] = {}) {
  const store = new FailingStore()
  const mfa = await buildMfaApp(t, { store, ...options })
  const authenticator = new SoftwareAuthenticator()
  await signUp(mfa, 'alice', authenticator)
  const browser = new Browser(mfa.app)
  await browser.post('/login', { externalId: 'alice' })
  const nonce = await authenticatePasskey(mfa, browser, authenticator)
  return { mfa, store, browser, nonce }
}

t.test('a failing store answers 503 and the session does not move', async (t) => {
  const { store, browser, nonce, mfa } = await pendingSession(t)
  store.failing.add('takeNonce')
  const verify = await browser.post(`${PREFIX}/verify`, { nonce })
  t.equal(verify.statusCode, 503)
  t.equal(verify.json().code, 'FST_PASSKEY_MFA_STORE_UNAVAILABLE')
  t.equal((await browser.get(`${PREFIX}/status`)).json().state, 'passkey-pending')
  store.failing.clear()
  t.equal((await browser.post(`${PREFIX}/verify`, { nonce })).statusCode, 200, 'the nonce was not spent')

  store.failing.add('revoke')
  const logout = await browser.post(`${PREFIX}/logout`)
  t.equal(logout.statusCode, 503)
  t.equal((await browser.get('/protected')).statusCode, 200, 'a logout that could not be recorded does not pretend to have happened')

  store.failing.add('createTransaction')
  const register = await browser.post(`${PREFIX}/register`)
  t.equal(register.json().code, 'FST_PASSKEY_MFA_STORE_UNAVAILABLE')
  t.same((await browser.get(`${PREFIX}/status`)).json().state, 'authenticated')
  t.same(mfa.issued, ['alice', 'alice'])
})

t.test('a throwing issueToken leaves the session pending and the nonce spent', async (t) => {
  let fail = false
  const { browser, nonce } = await pendingSession(t, { issueToken: async (user) => { if (fail) throw new Error('token service down'); return user.externalId } })
  fail = true
  const verify = await browser.post(`${PREFIX}/verify`, { nonce })
  t.equal(verify.statusCode, 500)
  t.equal(verify.json().code, 'FST_PASSKEY_MFA_INTERNAL')
  t.equal((await browser.get(`${PREFIX}/status`)).json().state, 'passkey-pending')
  fail = false
  t.equal((await browser.post(`${PREFIX}/verify`, { nonce })).json().code, 'FST_PASSKEY_MFA_NONCE_INVALID')
})

t.test('a user the host no longer knows cannot finish the passkey step', async (t) => {
  const { browser, nonce, mfa } = await pendingSession(t)
  mfa.users.delete('alice')
  const verify = await browser.post(`${PREFIX}/verify`, { nonce })
  t.equal(verify.statusCode, 401)
  t.equal(verify.json().code, 'FST_PASSKEY_MFA_USER_NOT_FOUND')
  t.equal((await browser.get('/protected')).statusCode, 401)
})

t.test('completeFirstFactor needs a user with an external ID', async (t) => {
  const mfa = await buildMfaApp(t)
  addUser(mfa, 'alice')
  const users = [null, { externalId: '', displayName: 'x' }, { externalId: 'x'.repeat(129), displayName: 'x' }]
  mfa.app.post<{ Body: { index: number } }>('/bad-login', async (request) => request.mfa.completeFirstFactor(users[request.body.index] as MfaUser))
  await mfa.app.ready()
  for (const index of users.keys()) {
    const response = await mfa.app.inject({ method: 'POST', url: '/bad-login', payload: { index } })
    t.equal(response.statusCode, 500)
    t.equal(response.json().code, 'FST_PASSKEY_MFA_ARGUMENT_INVALID')
  }
})
