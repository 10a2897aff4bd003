import type { FastifyRequest } from 'fastify'
import t from 'tap'
import type { Test } from 'tap'
import { Browser } from './helpers/browser.js'
import { APP_ID } from './helpers/engine-app.js'
import { PREFIX, buildMfaApp, signUp } from './helpers/mfa-app.js'
import type { MfaApp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import type { AuditEvent, LimitsOptions } from '../src/index.js'
import { RefusalEvents } from '../src/limits/refusal-events.js'

const MINUTE = 60_000
const FINISH = `${PREFIX}/flex/v1/apps/${APP_ID}/authenticate/transactions/webauthn/finish`

/** An app with `limits`, alice signed up and signed out, and the limit events (`locked-out`, `rate-limited`). */
async function appWithAlice (t: Test, limits: LimitsOptions): Promise<{ mfa: MfaApp, events: AuditEvent[] }> {
  const events: AuditEvent[] = []
  const mfa = await buildMfaApp(t, { limits, onEvent: (event) => { if (event.type === 'locked-out' || event.type === 'rate-limited') events.push(event) } })
  await (await signUp(mfa, 'alice', new SoftwareAuthenticator())).post(`${PREFIX}/logout`)
  return { mfa, events }
}

/** A browser past alice's first factor. */
async function pastFirstFactor (mfa: MfaApp): Promise<Browser> {
  const browser = new Browser(mfa.app)
  await browser.post('/login', { externalId: 'alice' })
  return browser
}

const summary = (events: AuditEvent[]) => events.map(({ type, scope, externalId, retryAfterSeconds }) => ({ type, scope, externalId, retryAfterSeconds }))

t.test('the per-address request limit raises rate-limited, once per window', async (t) => {
  const { mfa, events } = await appWithAlice(t, { requestsPerAddress: { max: 6, windowMs: 40_000 } })
  const statuses = []
  for (let i = 0; i < 4; i++) statuses.push((await mfa.app.inject({ method: 'GET', url: `${PREFIX}/status` })).statusCode)
  t.same(statuses, [200, 429, 429, 429], 'the sign-up used five of the six')
  t.same(summary(events), [{ type: 'rate-limited', scope: 'address', externalId: null, retryAfterSeconds: 40 }], 'the first refusal is recorded, the next ones of the window are not')
  t.equal(events[0].address, '127.0.0.1')
  mfa.clock.advance(40_000)
  const again = await mfa.app.inject({ method: 'GET', url: `${PREFIX}/status` })
  t.same([again.statusCode, again.json().code], [429, 'FST_PASSKEY_MFA_RATE_LIMITED'])
  t.equal(events.length, 2, 'once the Retry-After it announced has passed, a refusal is recorded again')
})

t.test('the transaction caps raise rate-limited for the session and for the account', async (t) => {
  const { mfa, events } = await appWithAlice(t, { transactionsPerSession: { max: 1, windowMs: MINUTE }, transactionsPerAccount: { max: 3, windowMs: MINUTE } })
  const browser = await pastFirstFactor(mfa)
  const statuses = []
  for (let i = 0; i < 3; i++) statuses.push((await browser.post(`${PREFIX}/authenticate`)).statusCode)
  t.same(statuses, [200, 429, 429])
  t.match(summary(events), [{ type: 'rate-limited', scope: 'session', externalId: 'alice', retryAfterSeconds: Number }], 'the session cap, once')
  const others = []
  for (let i = 0; i < 3; i++) others.push((await (await pastFirstFactor(mfa)).post(`${PREFIX}/authenticate`)).statusCode)
  t.same(others, [200, 429, 429], 'the sign-up and two steps used the three of the account')
  t.match(summary(events).slice(1), [{ type: 'rate-limited', scope: 'account', externalId: 'alice', retryAfterSeconds: Number }], 'the account cap, once')
  t.ok(events.every((event) => (event.retryAfterSeconds as number) > 0 && (event.retryAfterSeconds as number) <= 60), 'with the wait')
})

t.test('a lock raises locked-out when it starts and rate-limited for the first request it refuses, not the next ones', async (t) => {
  const { mfa, events } = await appWithAlice(t, { failedAttemptsPerAccount: 1, lockoutMs: MINUTE, maxLockoutMs: 4 * MINUTE })
  const steps = async (count: number): Promise<number[]> => {
    const statuses: number[] = []
    for (let i = 0; i < count; i++) statuses.push((await (await pastFirstFactor(mfa)).post(`${PREFIX}/authenticate`)).statusCode)
    return statuses
  }
  t.same(await steps(2), [200, 429])
  mfa.clock.advance(20_000)
  t.same(await steps(3), [429, 429, 429], 'refused during the lock')
  t.same(summary(events), [
    { type: 'locked-out', scope: 'account', externalId: 'alice', retryAfterSeconds: 60 },
    { type: 'rate-limited', scope: 'account', externalId: 'alice', retryAfterSeconds: 40 }
  ], 'the lock and one refusal during it')
  mfa.clock.advance(40_000)
  t.same(await steps(3), [200, 429, 429], 'the next lock')
  t.same(summary(events).slice(2), [
    { type: 'locked-out', scope: 'account', externalId: 'alice', retryAfterSeconds: 120 },
    { type: 'rate-limited', scope: 'account', externalId: 'alice', retryAfterSeconds: 120 }
  ], 'is recorded the same way')
})

t.test('an address lock raises locked-out, then rate-limited once, without a user', async (t) => {
  const { mfa, events } = await appWithAlice(t, { failedAttemptsPerAddress: 1 })
  const wrongFinish = { transaction_id: 'no-such-transaction', handshake_id: 'h', handshake_response: { id: 'x', rawId: 'x', type: 'public-key', response: { clientDataJSON: 'e30', authenticatorData: 'AA', signature: 'AA' } } }
  const statuses = []
  for (let i = 0; i < 4; i++) statuses.push((await new Browser(mfa.app).post(FINISH, wrongFinish)).statusCode)
  t.same(statuses, [404, 429, 429, 429])
  t.same(summary(events), [
    { type: 'locked-out', scope: 'address', externalId: null, retryAfterSeconds: 60 },
    { type: 'rate-limited', scope: 'address', externalId: null, retryAfterSeconds: 60 }
  ])
})

t.test('refusals are remembered for 10,000 keys, the oldest forgotten first', async (t) => {
  const recorded: string[] = []
  const refusals = new RefusalEvents(() => 0, (request) => { recorded.push(request.ip) })
  const address = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
  const refuse = (i: number): void => { refusals.refused({ ip: address(i) } as FastifyRequest, 'requests', 'address', 60) }
  for (let i = 0; i < 10_000; i++) refuse(i)
  refuse(0)
  t.equal(recorded.length, 10_000, 'each key once')
  refuse(10_000)
  refuse(0)
  refuse(2)
  t.same(recorded.slice(10_000), [address(10_000), address(0)], 'the 10,001st key made the oldest forgotten; the others are still remembered')
})
