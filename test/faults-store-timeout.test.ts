/**
 * `storeTimeoutMs`: the engine gives up on a store call that has not settled in time, with
 * `FST_PASSKEY_MFA_STORE_UNAVAILABLE` (503), and its timers never outlive a call nor keep the
 * process alive. The same fault through every route is faults-store-routes.test.ts.
 */
import Fastify from 'fastify'
import t from 'tap'
import { PasskeyEngine } from '../src/engine/engine.js'
import type { EngineOptions } from '../src/engine/options.js'
import type { PasskeyRecord, PasskeyStore } from '../src/engine/store.js'
import { MemoryStore } from '../src/engine/stores/memory.js'
import fastifyPasskeyMfa from '../src/index.js'
import { APP_ID, ORIGIN, RP_ID } from './helpers/engine-app.js'
import { FaultyStore, LATENESS_MS } from './helpers/faulty-store.js'
import { SESSION_KEY } from './helpers/mfa-app.js'
import { answerWithin } from './helpers/timed.js'

const TIMEOUT_MS = 100
const UNAVAILABLE = { code: 'FST_PASSKEY_MFA_STORE_UNAVAILABLE', statusCode: 503 }

/** How `operation` failed, waiting for it (and keeping the process alive) a little longer than the store timeout. */
async function failureWithin (operation: Promise<unknown>): Promise<unknown> {
  const { answer } = await answerWithin(TIMEOUT_MS + LATENESS_MS, async () => operation.then(() => 'succeeded', (error: unknown) => error))
  return answer ?? 'still pending'
}

function engineOn (store: PasskeyStore, options: Partial<EngineOptions> = {}): PasskeyEngine {
  const engine = new PasskeyEngine({ appId: APP_ID, rpId: RP_ID, rpName: 'Test', origins: [ORIGIN], store, sweepIntervalMs: 0, ...options })
  t.teardown(async () => engine.close())
  return engine
}

t.test('storeTimeoutMs must be a whole number of milliseconds up to a minute', async (t) => {
  for (const storeTimeoutMs of [0, -1, 1.5, 60_001, '100']) {
    t.throws(() => new PasskeyEngine({ appId: APP_ID, rpId: RP_ID, rpName: 'Test', origins: [ORIGIN], store: new MemoryStore(), storeTimeoutMs: storeTimeoutMs as number }),
      { code: 'FST_PASSKEY_MFA_OPTIONS_INVALID', message: /storeTimeoutMs/ }, String(storeTimeoutMs))
  }
})

t.test('a store call that does not settle in time fails with a 503 naming the call', async (t) => {
  const faulty = new FaultyStore(new MemoryStore())
  const engine = engineOn(faulty.view, { storeTimeoutMs: TIMEOUT_MS })
  await engine.ready()
  faulty.arm('takeNonce', 'hang')
  const started = performance.now()
  const failure = await failureWithin(engine.verifyNonce('n'.repeat(43)))
  const elapsedMs = performance.now() - started
  t.match(failure, { ...UNAVAILABLE, cause: { message: `store.takeNonce() did not settle within ${TIMEOUT_MS} ms` } })
  t.ok(elapsedMs >= TIMEOUT_MS - 2, `not before the timeout (${elapsedMs.toFixed(0)} ms)`)
})

t.test('a store method that throws instead of rejecting also gives a 503', async (t) => {
  class NotConnectedStore extends MemoryStore {
    override listPasskeys (): Promise<PasskeyRecord[]> { throw new Error('not connected') }
  }
  const engine = engineOn(new NotConnectedStore())
  await engine.ready()
  await t.rejects(engine.listPasskeys('alice'), { ...UNAVAILABLE, cause: { message: 'not connected' } })
})

t.test('a store whose init hangs fails every call in time until it answers', async (t) => {
  const faulty = new FaultyStore(new MemoryStore())
  const engine = engineOn(faulty.view, { storeTimeoutMs: TIMEOUT_MS })
  faulty.arm('init', 'hang')
  t.match(await failureWithin(engine.listPasskeys('alice')), UNAVAILABLE)
  faulty.disarm()
  t.same(await engine.listPasskeys('alice'), [], 'init is tried again')
})

t.test('a store whose close hangs does not hold up shutdown', async (t) => {
  const faulty = new FaultyStore(new MemoryStore())
  const engine = new PasskeyEngine({ appId: APP_ID, rpId: RP_ID, rpName: 'Test', origins: [ORIGIN], store: faulty.view, storeTimeoutMs: TIMEOUT_MS })
  faulty.arm('close', 'hang')
  t.match(await failureWithin(engine.close()), UNAVAILABLE)
})

t.test('each store call arms one unref\'d timer of storeTimeoutMs (default 5 s), cleared when the call settles', async (t) => {
  const faulty = new FaultyStore(new MemoryStore())
  const engine = engineOn(faulty.view)
  await engine.ready()
  const armed: Array<{ timer: NodeJS.Timeout, ms: number | undefined }> = []
  const cleared = new Set<unknown>()
  const { setTimeout: realSetTimeout, clearTimeout: realClearTimeout } = globalThis
  globalThis.setTimeout = ((callback: () => void, ms?: number) => {
    const timer = realSetTimeout(callback, ms)
    armed.push({ timer, ms })
    return timer
  }) as typeof setTimeout
  globalThis.clearTimeout = ((timer: NodeJS.Timeout) => {
    cleared.add(timer)
    realClearTimeout(timer)
  }) as typeof clearTimeout
  try {
    await engine.createAuthenticateTransaction({ externalId: 'alice' })
    await t.rejects(engine.verifyNonce('n'.repeat(43)), { code: 'FST_PASSKEY_MFA_NONCE_INVALID' })
    faulty.arm('listPasskeys', 'throw')
    await t.rejects(engine.listPasskeys('alice'), UNAVAILABLE)
  } finally {
    globalThis.setTimeout = realSetTimeout
    globalThis.clearTimeout = realClearTimeout
  }
  t.same(armed.map(({ ms }) => ms), [5000, 5000, 5000], 'one timer per call')
  t.ok(armed.every(({ timer }) => cleared.has(timer)), 'each cleared when its call settled')
  t.ok(armed.every(({ timer }) => !timer.hasRef()), 'none keeps the process alive')
})

t.test('the plugin passes storeTimeoutMs to the engine it makes from its settings', async (t) => {
  const faulty = new FaultyStore(new MemoryStore())
  const app = Fastify()
  t.teardown(async () => app.close())
  await app.register(fastifyPasskeyMfa, {
    sessionKey: SESSION_KEY,
    engine: { rpId: RP_ID, rpName: 'Test', origins: [ORIGIN], store: faulty.view, storeTimeoutMs: TIMEOUT_MS, sweepIntervalMs: 0 },
    findUser: async (externalId) => ({ externalId, displayName: externalId }),
    issueToken: async () => 'token'
  })
  app.post('/login', async (request) => request.mfa.completeFirstFactor({ externalId: 'alice', displayName: 'alice' }))
  faulty.arm('listPasskeys', 'hang')
  const { answer } = await answerWithin(TIMEOUT_MS + LATENESS_MS, async () => app.inject({ method: 'POST', url: '/login' }))
  t.equal(answer?.statusCode, 503)
  t.equal(answer?.json().code, 'FST_PASSKEY_MFA_STORE_UNAVAILABLE')
})
