import { createServer } from 'node:net'
import type { AddressInfo, Socket } from 'node:net'
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import t from 'tap'
import type { Test } from 'tap'
import { Browser } from './helpers/browser.js'
import { PREFIX, addUser, authenticatePasskey, buildMfaApp, signUp } from './helpers/mfa-app.js'
import type { MfaApp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { serviceUnreachable } from './helpers/stores.js'
import type { LimitsOptions } from '../src/index.js'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A Redis client, closed at teardown; `null` (after a skip, or a failure in CI) when none answers. */
async function redisOrSkip (t: Test): Promise<Redis | null> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 })
  try {
    await redis.connect()
    t.teardown(() => { redis.disconnect() })
    return redis
  } catch (error) {
    redis.disconnect()
    serviceUnreachable(t, `Redis unreachable at ${REDIS_URL}: ${(error as Error).message}`)
    return null
  }
}

/** Limits in Redis under a prefix of this run's own. */
function redisLimits (redis: Redis, limits: LimitsOptions = {}): LimitsOptions {
  return { redis, redisPrefix: `passkey-mfa-test:${randomBytes(6).toString('hex')}:`, ...limits }
}

async function pastFirstFactor (mfa: MfaApp, externalId: string): Promise<Browser> {
  const browser = new Browser(mfa.app)
  await browser.post('/login', { externalId })
  return browser
}

t.test('two instances sharing a Redis share one account limit', async (t) => {
  const redis = await redisOrSkip(t)
  if (redis === null) return
  const limits = redisLimits(redis, { failedAttemptsPerAccount: 3 })
  const [a, b] = [await buildMfaApp(t, { limits }), await buildMfaApp(t, { limits })]
  const authenticator = new SoftwareAuthenticator()
  const aliceBrowser = await signUp(a, 'alice', authenticator)
  await aliceBrowser.post(`${PREFIX}/logout`)
  addUser(b, 'alice')
  const statuses = []
  for (const app of [a, b, a, b]) statuses.push((await (await pastFirstFactor(app, 'alice')).post(`${PREFIX}/authenticate`)).statusCode)
  t.same(statuses, [200, 200, 200, 429], 'the fourth step is refused, whichever instance counted the others')
})

t.test('a burst of parallel steps against Redis passes the limit by none', async (t) => {
  const redis = await redisOrSkip(t)
  if (redis === null) return
  const mfa = await buildMfaApp(t, { limits: redisLimits(redis, { failedAttemptsPerAccount: 5, transactionsPerSession: { max: 50, windowMs: 60_000 } }) })
  await (await signUp(mfa, 'alice', new SoftwareAuthenticator())).post(`${PREFIX}/logout`)
  const browsers = await Promise.all(Array.from({ length: 20 }, async () => pastFirstFactor(mfa, 'alice')))
  const statuses = await Promise.all(browsers.map(async (browser) => (await browser.post(`${PREFIX}/authenticate`)).statusCode))
  t.equal(statuses.filter((status) => status === 200).length, 5)
  t.equal(statuses.filter((status) => status === 429).length, 15)
})

t.test('a lock in Redis backs off, ends, and a success clears it', async (t) => {
  const redis = await redisOrSkip(t)
  if (redis === null) return
  const mfa = await buildMfaApp(t, { limits: redisLimits(redis, { failedAttemptsPerAccount: 1, lockoutMs: 60_000, maxLockoutMs: 120_000, failedAttemptsPerAddress: 1 }) })
  const authenticator = new SoftwareAuthenticator()
  await (await signUp(mfa, 'alice', authenticator)).post(`${PREFIX}/logout`)
  const browser = await pastFirstFactor(mfa, 'alice')
  t.equal((await browser.post(`${PREFIX}/authenticate`)).statusCode, 200)
  const locked = await browser.post(`${PREFIX}/authenticate`)
  t.same([locked.statusCode, locked.headers['retry-after']], [429, '60'])
  mfa.clock.advance(60_000)
  t.equal((await browser.post(`${PREFIX}/authenticate`)).statusCode, 200, 'the lock ended')
  t.equal((await browser.post(`${PREFIX}/authenticate`)).headers['retry-after'], '120', 'the next one doubled')
  mfa.clock.advance(120_000)
  const nonce = await authenticatePasskey(mfa, browser, authenticator)
  t.equal((await browser.post(`${PREFIX}/verify`, { nonce })).statusCode, 200, 'a sign-in with the address limit at one: successes give their attempt back')
  await browser.post(`${PREFIX}/logout`)
  await browser.post('/login', { externalId: 'alice' })
  t.equal((await browser.post(`${PREFIX}/authenticate`)).statusCode, 200, 'the success cleared the account')
})

t.test('a Redis that fails to record a success does not fail the sign-in', async (t) => {
  const redis = await redisOrSkip(t)
  if (redis === null) return
  // Counting (HMGET, the rate limit's script) works; taking back and clearing (HINCRBY, DEL) fail.
  const forgetful = new Proxy(redis, {
    get: (target, property, receiver) => property === 'eval'
      ? async (script: string, ...args: unknown[]) => /HINCRBY|DEL/.test(script) && !script.includes('HMGET') ? Promise.reject(new Error('READONLY')) : target.eval(script, ...args as [number])
      : Reflect.get(target, property, receiver)
  })
  const lines: string[] = []
  const mfa = await buildMfaApp(t, { limits: redisLimits(forgetful), logger: { level: 'warn', stream: { write (line: string) { lines.push(line) } } } })
  const authenticator = new SoftwareAuthenticator()
  const browser = await signUp(mfa, 'alice', authenticator)
  await browser.post(`${PREFIX}/logout`)
  await browser.post('/login', { externalId: 'alice' })
  const verified = await browser.post(`${PREFIX}/verify`, { nonce: await authenticatePasskey(mfa, browser, authenticator) })
  t.equal(verified.statusCode, 200, 'the sign-in completes')
  t.equal((await browser.get('/protected')).statusCode, 200)
  const warnings = lines.map((line) => JSON.parse(line)).filter((line) => /could not be recorded/.test(line.msg))
  t.same(warnings.map((line) => line.scope).sort(), ['account', 'address', 'address'], 'each unrecorded success is logged')
})

/** A TCP server that accepts connections and never answers. */
async function silentServer (t: Test): Promise<number> {
  const sockets: Socket[] = []
  const server = createServer((socket) => { sockets.push(socket) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  })
  return (server.address() as AddressInfo).port
}

t.test('a Redis that hangs or is down fails closed: 503 within the timeout, nothing counted as passed', async (t) => {
  const port = await silentServer(t)
  const hanging = new Redis({ port, host: '127.0.0.1', lazyConnect: true })
  const down = new Redis({ port: 1, host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false, retryStrategy: () => null })
  t.teardown(() => { hanging.disconnect(); down.disconnect() })
  for (const [name, redis] of [['hanging', hanging], ['down', down]] as const) {
    const mfa = await buildMfaApp(t, { limits: { redis, timeoutMs: 200 } })
    addUser(mfa, 'alice')
    const browser = new Browser(mfa.app)
    const started = Date.now()
    const refused = await browser.get(`${PREFIX}/status`)
    t.equal(refused.statusCode, 503, `${name}: every plugin route refuses`)
    t.equal(refused.json().code, 'FST_PASSKEY_MFA_STORE_UNAVAILABLE')
    t.ok(Date.now() - started < 2000, `${name}: within the timeout (${Date.now() - started} ms)`)
    t.equal((await browser.post('/login', { externalId: 'alice' })).statusCode, 200, `${name}: host routes still answer`)
  }
})
