import t from 'tap'
import Fastify from 'fastify'
import { PasskeyEngine } from '../src/engine/engine.js'
import { MemoryStore } from '../src/engine/stores/memory.js'
import { RevokedSessions } from '../src/mfa/revoked-sessions.js'

t.test('revocations are shared through the store and forgotten once expired', async (t) => {
  let now = 1_000_000
  const engine = new PasskeyEngine({
    appId: 'app', rpId: 'localhost', rpName: 'Test', origins: ['http://localhost:3000'], store: new MemoryStore(), now: () => now, sweepIntervalMs: 0
  })
  t.teardown(async () => engine.close())
  const log = Fastify().log
  const here = new RevokedSessions(engine, log)
  const there = new RevokedSessions(engine, log)

  await here.revoke('s1', now + 1000)
  t.ok(here.has('s1'), 'at once where it was revoked')
  t.notOk(there.has('s1'), 'elsewhere only after a sync')
  await there.sync()
  t.ok(there.has('s1'))

  now += 2000
  await there.sync()
  t.notOk(there.has('s1'), 'an expired revocation is forgotten (its session is dead anyway)')
})
