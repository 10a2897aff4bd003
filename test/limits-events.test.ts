import t from 'tap'
import Fastify from 'fastify'
import fastifyPasskeyMfa from '../src/index.js'
import type { AuditEvent } from '../src/index.js'
import { MemoryStore } from '../src/engine/stores/memory.js'
import { unsafeTrustProxy } from '../src/trust-proxy.js'
import type { FastifyInstance } from 'fastify'
import { Browser } from './helpers/browser.js'
import { PREFIX, SESSION_KEY, addUser, buildMfaApp } from './helpers/mfa-app.js'

// A refusal a user meets tells the truth: how long a limit lasts, in the message and Retry-After, and
// every 429 of the plugin's routes is an audit event with what was limited.

const MINUTE = 60_000

t.test('the per-address request limit answers how long, and raises a rate-limited event', async (t) => {
  const events: AuditEvent[] = []
  const mfa = await buildMfaApp(t, { limits: { requestsPerAddress: { max: 2, windowMs: MINUTE } }, onEvent: (event) => events.push(event) })
  const browser = new Browser(mfa.app)
  await browser.get(`${PREFIX}/status`)
  await browser.get(`${PREFIX}/status`)
  const limited = await browser.get(`${PREFIX}/status`)
  t.same([limited.statusCode, limited.json().code], [429, 'FST_PASSKEY_MFA_RATE_LIMITED'])
  t.equal(limited.json().message, 'Too many attempts; try again in 1 minute', 'the message says how long')
  t.equal(limited.headers['retry-after'], '60')
  t.match(events.filter((event) => event.type === 'rate-limited'), [{ scope: 'address', externalId: null, retryAfterSeconds: 60 }])
})

t.test('the transaction caps raise rate-limited events with their scope and user', async (t) => {
  const events: AuditEvent[] = []
  const mfa = await buildMfaApp(t, {
    limits: { transactionsPerSession: { max: 1, windowMs: MINUTE }, transactionsPerAccount: { max: 2, windowMs: 5 * MINUTE } },
    onEvent: (event) => events.push(event)
  })
  addUser(mfa, 'alice')
  const first = new Browser(mfa.app)
  await first.post('/login', { externalId: 'alice' })
  t.equal((await first.post(`${PREFIX}/register`)).statusCode, 200)
  const capped = await first.post(`${PREFIX}/register`)
  t.same([capped.statusCode, capped.json().code, capped.json().message], [429, 'FST_PASSKEY_MFA_RATE_LIMITED', 'Too many attempts; try again in 1 minute'])
  const second = new Browser(mfa.app)
  await second.post('/login', { externalId: 'alice' })
  t.equal((await second.post(`${PREFIX}/register`)).statusCode, 200)
  const third = new Browser(mfa.app)
  await third.post('/login', { externalId: 'alice' })
  const account = await third.post(`${PREFIX}/register`)
  t.same([account.statusCode, account.json().code, account.json().message], [429, 'FST_PASSKEY_MFA_RATE_LIMITED', 'Too many attempts; try again in 5 minutes'])
  t.match(events.filter((event) => event.type === 'rate-limited'), [
    { scope: 'session', externalId: 'alice', retryAfterSeconds: 60 },
    { scope: 'account', externalId: 'alice', retryAfterSeconds: 300 }
  ])
})

t.test('an 8 KB Origin is recorded in the cross-site event cut to 256 characters', async (t) => {
  const events: AuditEvent[] = []
  const mfa = await buildMfaApp(t, { onEvent: (event) => events.push(event) })
  const origin = `https://${'a'.repeat(8192)}.example`
  const refused = await new Browser(mfa.app).request('POST', `${PREFIX}/logout`, {}, { origin, 'sec-fetch-site': 'cross-site' })
  t.same([refused.statusCode, refused.json().code], [403, 'FST_PASSKEY_MFA_CROSS_SITE_REQUEST'])
  const huge = await new Browser(mfa.app).request('POST', `${PREFIX}/logout`, {}, { origin })
  t.same([huge.statusCode, huge.json().code], [403, 'FST_PASSKEY_MFA_CROSS_SITE_REQUEST'])
  const reasons = events.filter((event) => event.type === 'cross-site-refused').map((event) => event.reason ?? '')
  t.equal(reasons.length, 2)
  t.equal(reasons[1], `origin: ${origin.slice(0, 256)}`)
  const site = await new Browser(mfa.app).request('POST', `${PREFIX}/logout`, {}, { 'sec-fetch-site': 'x'.repeat(8192) })
  t.same([site.statusCode, site.json().code], [403, 'FST_PASSKEY_MFA_CROSS_SITE_REQUEST'])
  t.equal(events.at(-1)?.reason, `sec-fetch-site: ${'x'.repeat(256)}`)
})

t.test('trustProxy: true and a hop count are warned about at startup; a list of proxy addresses is not', async (t) => {
  const cases = [[true, 'trustProxy is true'], [1, 'trustProxy is a hop count'], [false, null], [['10.0.0.0/8'], null]] as const
  for (const [trustProxy, warning] of cases) {
    const lines: string[] = []
    const app = Fastify({ trustProxy: trustProxy as boolean, logger: { level: 'warn', stream: { write: (line: string) => lines.push(line) } } })
    await app.register(fastifyPasskeyMfa, {
      sessionKey: SESSION_KEY,
      engine: { rpId: 'localhost', rpName: 'Test', origins: ['http://localhost:3000'], store: new MemoryStore(), sweepIntervalMs: 0 },
      findUser: async () => null,
      issueToken: async () => 'token'
    })
    await app.ready()
    const warnings = lines.map((line) => JSON.parse(line).msg as string).filter((msg) => msg.startsWith('passkey-mfa: trustProxy'))
    t.same(warnings.map((msg) => msg.split(',')[0]), warning === null ? [] : [`passkey-mfa: ${warning}`], `trustProxy ${String(trustProxy)}`)
    await app.close()
  }
  t.equal(unsafeTrustProxy({} as FastifyInstance), null, 'an instance without Fastify\'s options trusts no proxy')
})
