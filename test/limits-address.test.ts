import t from 'tap'
import { Browser } from './helpers/browser.js'
import { PREFIX, authenticatePasskey, buildMfaApp, signUp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { APP_ID } from './helpers/engine-app.js'
import type { AuditEvent } from '../src/index.js'
import { MemoryStore } from '../src/engine/stores/memory.js'

const FINISH = `${PREFIX}/flex/v1/apps/${APP_ID}/authenticate/transactions/webauthn/finish`
const WRONG_FINISH = { transaction_id: 'no-such-transaction', handshake_id: 'h', handshake_response: { id: 'x', rawId: 'x', type: 'public-key', response: { clientDataJSON: 'e30', authenticatorData: 'AA', signature: 'AA' } } }

/** Posts a finish that fails, from `address` (through a trusted proxy). */
async function wrongFinish (browser: Browser, address: string) {
  return browser.request('POST', FINISH, WRONG_FINISH, { 'x-forwarded-for': address })
}

t.test('ceremony finishes without a success are limited per address, IPv6 by /64', async (t) => {
  const events: AuditEvent[] = []
  const mfa = await buildMfaApp(t, { trustProxy: true, limits: { failedAttemptsPerAddress: 3 }, onEvent: (event) => { events.push(event) } })
  const browser = new Browser(mfa.app)
  const statuses = []
  for (const address of ['2001:db8:1:1::1', '2001:db8:1:1::2', '2001:db8:1:1:ffff::3', '2001:db8:1:1::4']) {
    statuses.push((await wrongFinish(browser, address)).statusCode)
  }
  t.same(statuses, [404, 404, 404, 429], 'four addresses of one /64 share one count')
  t.match(events.filter((event) => event.type === 'locked-out'), [{ scope: 'address', address: '2001:db8:1:1::4', externalId: null }])
  t.equal((await wrongFinish(browser, '2001:db8:1:2::1')).statusCode, 404, 'the next /64 is not limited')
  t.equal((await wrongFinish(browser, '192.0.2.1')).statusCode, 404, 'nor is an IPv4 address')
  t.equal((await wrongFinish(browser, '::ffff:192.0.2.1')).statusCode, 404, 'which is the same as its IPv4-mapped form')
  const limited = await wrongFinish(browser, '2001:db8:1:1::5')
  t.equal(limited.json().code, 'FST_PASSKEY_MFA_RATE_LIMITED')
  t.equal(limited.headers['retry-after'], '60')
})

t.test('a burst of parallel wrong finishes from one address passes the limit by none, with a slow store', async (t) => {
  const store = new MemoryStore()
  const take = store.takeTransaction.bind(store)
  store.takeTransaction = async (key) => {
    await new Promise((resolve) => setTimeout(resolve, 50))
    return take(key)
  }
  const mfa = await buildMfaApp(t, { store, limits: { failedAttemptsPerAddress: 5 } })
  const browser = new Browser(mfa.app)
  const statuses = await Promise.all(Array.from({ length: 15 }, async () => (await wrongFinish(browser, 'ignored')).statusCode))
  t.equal(statuses.filter((status) => status === 404).length, 5, 'exactly the limit reached the engine')
  t.equal(statuses.filter((status) => status === 429).length, 10)
})

t.test('X-Forwarded-For is ignored without trustProxy', async (t) => {
  const mfa = await buildMfaApp(t, { limits: { failedAttemptsPerAddress: 2 } })
  const browser = new Browser(mfa.app)
  const statuses = []
  for (const address of ['192.0.2.1', '192.0.2.2', '198.51.100.3']) statuses.push((await wrongFinish(browser, address)).statusCode)
  t.same(statuses, [404, 404, 429], 'every request counts against the socket address')
})

t.test('a successful ceremony takes its attempt back from the address', async (t) => {
  const mfa = await buildMfaApp(t, { limits: { failedAttemptsPerAddress: 2, failedAttemptsPerAccount: 100 } })
  const authenticator = new SoftwareAuthenticator()
  const browser = await signUp(mfa, 'alice', authenticator)
  for (let i = 0; i < 3; i++) {
    await browser.post(`${PREFIX}/logout`)
    await browser.post('/login', { externalId: 'alice' })
    t.equal((await browser.post(`${PREFIX}/verify`, { nonce: await authenticatePasskey(mfa, browser, authenticator) })).statusCode, 200, `sign-in ${i + 1}`)
  }
  t.equal((await wrongFinish(browser, 'ignored')).statusCode, 404, 'successes left the failure count alone')
  t.equal((await wrongFinish(browser, 'ignored')).statusCode, 404)
  t.equal((await wrongFinish(browser, 'ignored')).statusCode, 429)
})

t.test('requests to the plugin routes are limited per address, never the host routes', async (t) => {
  const mfa = await buildMfaApp(t, { limits: { requestsPerAddress: { max: 3, windowMs: 60_000 } } })
  const browser = new Browser(mfa.app)
  const statuses = []
  for (let i = 0; i < 4; i++) statuses.push((await browser.get(`${PREFIX}/status`)).statusCode)
  t.same(statuses, [200, 200, 200, 429])
  const limited = await browser.post(`${PREFIX}/flex/v1/apps/${APP_ID}/authenticate/transactions/webauthn/start`, { transaction_id: 'x' })
  t.equal(limited.statusCode, 429, 'the engine routes share the count')
  t.equal(limited.json().code, 'FST_PASSKEY_MFA_RATE_LIMITED')
  t.ok(Number(limited.headers['retry-after']) > 0, 'with Retry-After')
  t.notOk('x-ratelimit-limit' in limited.headers, 'and no other rate-limit headers')
  t.equal((await browser.get('/protected')).statusCode, 401, 'a host route is not limited')
})

t.test('limits are on by default', async (t) => {
  const mfa = await buildMfaApp(t, { limits: undefined })
  const browser = new Browser(mfa.app)
  const statuses = new Set<number>()
  for (let i = 0; i < 301; i++) statuses.add((await browser.get(`${PREFIX}/status`)).statusCode)
  t.same([...statuses], [200, 429], '300 requests a minute per address')
})
