import t from 'tap'
import type { Test } from 'tap'
import { Browser } from './helpers/browser.js'
import { PREFIX, authenticatePasskey, buildMfaApp, signUp } from './helpers/mfa-app.js'
import type { MfaApp, MfaAppOptions } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import type { AuditEvent, LimitsOptions } from '../src/index.js'
import { MemoryStore } from '../src/engine/stores/memory.js'

const MINUTE = 60_000

/** A memory store whose every call waits `delayMs` first. */
class SlowStore extends MemoryStore {
  delayMs = 0
  constructor () {
    super()
    return new Proxy(this, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver)
        if (typeof value !== 'function') return value
        return async (...args: unknown[]) => {
          await new Promise((resolve) => setTimeout(resolve, target.delayMs))
          return value.apply(target, args)
        }
      }
    })
  }
}

/** An app with `limits`, alice signed up with a passkey, and the audit events. */
async function appWithAlice (t: Test, limits: LimitsOptions, options: MfaAppOptions = {}) {
  const events: AuditEvent[] = []
  const mfa = await buildMfaApp(t, { limits, onEvent: (event) => { events.push(event) }, ...options })
  const authenticator = new SoftwareAuthenticator()
  await (await signUp(mfa, 'alice', authenticator)).post(`${PREFIX}/logout`)
  return { mfa, authenticator, events }
}

/** A browser past alice's first factor. */
async function pastFirstFactor (mfa: MfaApp): Promise<Browser> {
  const browser = new Browser(mfa.app)
  await browser.post('/login', { externalId: 'alice' })
  return browser
}

/** Starts `count` passkey steps for alice, one per new session, and returns their statuses. */
async function startSteps (mfa: MfaApp, count: number): Promise<number[]> {
  const statuses: number[] = []
  for (let i = 0; i < count; i++) statuses.push((await (await pastFirstFactor(mfa)).post(`${PREFIX}/authenticate`)).statusCode)
  return statuses
}

t.test('passkey steps without a success are limited per account; the lock backs off and ends', async (t) => {
  const { mfa, authenticator, events } = await appWithAlice(t, { failedAttemptsPerAccount: 3, lockoutMs: MINUTE, maxLockoutMs: 4 * MINUTE })
  t.same(await startSteps(mfa, 3), [200, 200, 200], 'three unfinished steps pass')
  const browser = await pastFirstFactor(mfa)
  const locked = await browser.post(`${PREFIX}/authenticate`)
  t.equal(locked.statusCode, 429)
  t.equal(locked.json().code, 'FST_PASSKEY_MFA_RATE_LIMITED')
  t.equal(locked.headers['retry-after'], '60', 'the first lock lasts a minute')
  t.match(events.filter((event) => event.type === 'locked-out'), [{ scope: 'account', externalId: 'alice', retryAfterSeconds: 60 }], 'the lockout is an audit event')
  t.same((await browser.get(`${PREFIX}/status`)).json().state, 'first-factor', 'the refused step changed nothing in the session')

  mfa.clock.advance(30_000)
  const stillLocked = await browser.post(`${PREFIX}/authenticate`)
  t.equal(stillLocked.headers['retry-after'], '30', 'attempts during the lock do not extend it')
  t.equal(stillLocked.json().message, 'Too many attempts; try again in 30 seconds', 'the message says how long')
  t.match(events.filter((event) => event.type === 'rate-limited'), [{ scope: 'account', externalId: 'alice', retryAfterSeconds: 30 }],
    'an attempt refused during the lock is an audit event too')
  mfa.clock.advance(30_000)
  t.equal((await browser.post(`${PREFIX}/verify`, { nonce: await authenticatePasskey(mfa, browser, authenticator) })).statusCode, 200,
    'once the lock ends, the user signs in')

  t.same(await startSteps(mfa, 3), [200, 200, 200], 'a success cleared the count')
  t.same(await startSteps(mfa, 1), [429], 'the next lock')
  const lockouts = events.filter((event) => event.type === 'locked-out').map((event) => event.retryAfterSeconds)
  t.same(lockouts, [60, 60], 'a success also cleared the back-off')
})

t.test('repeated lockouts double up to the longest lock, and no further', async (t) => {
  const { mfa, events } = await appWithAlice(t, { failedAttemptsPerAccount: 2, lockoutMs: MINUTE, maxLockoutMs: 4 * MINUTE })
  const locks: number[] = []
  for (let round = 0; round < 5; round++) {
    t.same(await startSteps(mfa, 3), [200, 200, 429], `round ${round + 1}: two steps, then the lock`)
    const lock = events.filter((event) => event.type === 'locked-out').at(-1)?.retryAfterSeconds as number
    locks.push(lock)
    mfa.clock.advance(lock * 1000 - 1)
    t.same(await startSteps(mfa, 1), [429], `round ${round + 1}: still locked a millisecond before the end`)
    mfa.clock.advance(1)
  }
  t.same(locks, [60, 120, 240, 240, 240], 'each lock doubles the last, capped at maxLockoutMs')
})

t.test('a burst of parallel passkey steps passes the account limit by none, with a slow store', async (t) => {
  const store = new SlowStore()
  const { mfa } = await appWithAlice(t, { failedAttemptsPerAccount: 4, transactionsPerSession: { max: 100, windowMs: MINUTE } }, { store })
  const browsers = await Promise.all(Array.from({ length: 12 }, async () => pastFirstFactor(mfa)))
  store.delayMs = 50
  const statuses = (await Promise.all(browsers.map(async (browser) => browser.post(`${PREFIX}/authenticate`)))).map((response) => response.statusCode)
  t.equal(statuses.filter((status) => status === 200).length, 4, 'exactly the limit passed')
  t.equal(statuses.filter((status) => status === 429).length, 8, 'the rest were refused')
})

t.test('transactions are capped per session and per account', async (t) => {
  const { mfa } = await appWithAlice(t, {
    transactionsPerSession: { max: 2, windowMs: MINUTE }, transactionsPerAccount: { max: 3, windowMs: MINUTE }
  })
  const browser = await pastFirstFactor(mfa)
  const statuses = []
  for (let i = 0; i < 3; i++) statuses.push((await browser.post(`${PREFIX}/authenticate`)).statusCode)
  t.same(statuses, [200, 200, 429], 'two per session')
  const capped = await browser.post(`${PREFIX}/authenticate`)
  t.equal(capped.json().code, 'FST_PASSKEY_MFA_RATE_LIMITED')
  t.ok(Number(capped.headers['retry-after']) > 0 && Number(capped.headers['retry-after']) <= 60, 'with Retry-After')
  t.same(await startSteps(mfa, 2), [429, 429], 'the sign-up, logout and two steps used the three of the account')
})
