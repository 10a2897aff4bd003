import t from 'tap'
import type { Test } from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { PasskeyEngine } from '../src/engine/engine.js'
import { MemoryStore } from '../src/engine/stores/memory.js'
import { CLOCK_SKEW_MS, RevokedSessions } from '../src/mfa/revoked-sessions.js'
import type { SyncHealthListener } from '../src/mfa/revoked-sessions.js'
import type { Authenticated } from '../src/mfa/state-machine.js'

function engineAt (clock: { now: number }, store = new MemoryStore()): PasskeyEngine {
  return new PasskeyEngine({
    appId: 'app', rpId: 'localhost', rpName: 'Test', origins: ['http://localhost:3000'], store, now: () => clock.now, sweepIntervalMs: 0
  })
}

function session (sessionId: string, externalId: string, epoch = 0): Authenticated {
  return { level: 'authenticated', sessionId, externalId, epoch, authenticatedAt: 0, lastSeenAt: 0, passkeyAt: null }
}

const quiet: SyncHealthListener = () => {}

t.test('session revocations are shared through the store and forgotten once expired', async (t) => {
  const clock = { now: 1_000_000 }
  const engine = engineAt(clock)
  t.teardown(async () => engine.close())
  const here = new RevokedSessions(engine, { syncMs: 60_000, maxStalenessMs: 60_000, sessionLifetimeMs: 60_000, onHealth: quiet })
  const there = new RevokedSessions(engine, { syncMs: 60_000, maxStalenessMs: 60_000, sessionLifetimeMs: 60_000, onHealth: quiet })

  await here.revokeSession('s1', clock.now + 1000)
  t.ok(here.isRevoked(session('s1', 'alice')), 'at once where it was revoked')
  t.notOk(there.isRevoked(session('s1', 'alice')), 'elsewhere only after a sync')
  await there.sync()
  t.ok(there.isRevoked(session('s1', 'alice')))
  t.notOk(there.isRevoked(session('s2', 'alice')), 'another session of the user is not affected')

  clock.now += 1000 + CLOCK_SKEW_MS - 1
  await there.sync()
  t.ok(there.isRevoked(session('s1', 'alice')), 'kept while a clock a few minutes behind could still take the session for alive')
  clock.now += 2
  await there.sync()
  t.notOk(there.isRevoked(session('s1', 'alice')), 'then forgotten (its session is dead anyway)')
})

t.test('a user revocation ends the sessions begun before it, not those begun after', async (t) => {
  const clock = { now: 1_000_000 }
  const engine = engineAt(clock)
  t.teardown(async () => engine.close())
  const here = new RevokedSessions(engine, { syncMs: 60_000, maxStalenessMs: 60_000, sessionLifetimeMs: 60_000, onHealth: quiet })
  const there = new RevokedSessions(engine, { syncMs: 60_000, maxStalenessMs: 60_000, sessionLifetimeMs: 60_000, onHealth: quiet })
  const before = session('old', 'alice', await engine.userRevokedAt('alice'))

  const position = await here.revokeUser('alice')
  t.equal(await engine.userRevokedAt('alice'), position, 'the store knows the user\'s latest revocation')
  const after = session('new', 'alice', await engine.userRevokedAt('alice'))
  t.ok(here.isRevoked(before), 'the session begun before is revoked at once here')
  t.notOk(here.isRevoked(after), 'a session begun after is not')
  t.notOk(here.isRevoked(session('other', 'bob')), 'nor another user\'s')
  await there.sync()
  t.ok(there.isRevoked(before), 'and elsewhere after a sync')
  t.notOk(there.isRevoked(after))

  clock.now = 1_000_000 + 60_000 + CLOCK_SKEW_MS + 1
  await there.sync()
  t.notOk(there.isRevoked(before), 'it stops applying a clock skew before it expires in the store, so no instance outlives the sweep')
})

/** Revocations on a memory store, synced every 10 ms and stale after 100 ms, with the health reports they made. */
async function syncingEvery10Ms (t: Test): Promise<{ store: MemoryStore, revoked: RevokedSessions, health: string[] }> {
  const store = new MemoryStore()
  const engine = engineAt({ now: 1_000_000 }, store)
  t.teardown(async () => engine.close())
  const health: string[] = []
  const revoked = new RevokedSessions(engine, { syncMs: 10, maxStalenessMs: 100, sessionLifetimeMs: 60_000, onHealth: (state) => health.push(state) })
  t.teardown(() => revoked.stop())
  await revoked.start()
  return { store, revoked, health }
}

t.test('a sync that fails past the staleness limit refuses sessions and reports it, then recovers', async (t) => {
  const { store, revoked, health } = await syncingEvery10Ms(t)
  t.doesNotThrow(() => { revoked.assertFresh() }, 'fresh after the first sync')

  const listRevocations = store.listRevocations.bind(store)
  store.listRevocations = async () => { throw new Error('connection refused') }
  await sleep(250)
  t.throws(() => { revoked.assertFresh() }, { code: 'FST_PASSKEY_MFA_STORE_UNAVAILABLE', statusCode: 503 })
  t.same(health, ['stale'], 'reported once')

  store.listRevocations = listRevocations
  await sleep(100)
  t.doesNotThrow(() => { revoked.assertFresh() }, 'fresh again once a sync succeeded')
  t.same(health, ['stale', 'recovered'])
})

t.test('a sync that hangs counts as failing, and syncs do not pile up', async (t) => {
  const { store, revoked, health } = await syncingEvery10Ms(t)

  const listRevocations = store.listRevocations.bind(store)
  let calls = 0
  let release = (): void => {}
  store.listRevocations = async (after) => {
    calls++
    await new Promise<void>((resolve) => { release = resolve })
    return listRevocations(after)
  }
  await sleep(250)
  t.throws(() => { revoked.assertFresh() }, { code: 'FST_PASSKEY_MFA_STORE_UNAVAILABLE' })
  t.same(health, ['stale'])
  t.equal(calls, 1, 'one sync in flight, however many intervals passed')

  store.listRevocations = listRevocations
  release()
  await sleep(50)
  t.doesNotThrow(() => { revoked.assertFresh() })
  t.same(health, ['stale', 'recovered'])
})
