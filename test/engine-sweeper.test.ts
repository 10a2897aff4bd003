import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { PasskeyEngine } from '../src/engine/engine.js'
import { MemoryStore } from '../src/engine/stores/memory.js'

const CONFIG = { appId: 'app', rpId: 'localhost', rpName: 'Test', origins: ['http://localhost:3000'] }

t.test('the engine sweeps expired records on its interval', async (t) => {
  let now = Date.now()
  const store = new MemoryStore()
  const engine = new PasskeyEngine({ ...CONFIG, store, now: () => now, sweepIntervalMs: 5 })
  t.teardown(async () => engine.close())
  await engine.createAuthenticateTransaction({ externalId: 'alice' })
  now += 5 * 60_000 + 1
  await sleep(50)
  t.equal(await store.sweep(now), 0, 'nothing left to sweep')
})

t.test('a failed sweep is reported to the logger, and the engine goes on', async (t) => {
  const store = new MemoryStore()
  store.sweep = async () => { throw new Error('disk full') }
  const warnings: Array<[object, string]> = []
  const engine = new PasskeyEngine({ ...CONFIG, store, sweepIntervalMs: 5, logger: { warn: (details, message) => warnings.push([details, message]) } })
  t.teardown(async () => engine.close())
  await sleep(50)
  t.ok(warnings.length > 0)
  t.match(warnings[0], [{ err: { code: 'FST_PASSKEY_MFA_STORE_UNAVAILABLE' } }, 'passkey-mfa: sweeping expired records failed'])
  t.type(await engine.createAuthenticateTransaction({ externalId: 'alice' }), 'string')
})

t.test('without a logger, a failed sweep is harmless', async (t) => {
  const store = new MemoryStore()
  store.sweep = async () => { throw new Error('disk full') }
  const engine = new PasskeyEngine({ ...CONFIG, store, sweepIntervalMs: 5 })
  t.teardown(async () => engine.close())
  await sleep(50)
  t.type(await engine.createAuthenticateTransaction({ externalId: 'alice' }), 'string')
})
