import t from 'tap'
import { MemoryAttempts } from '../src/limits/memory-attempts.js'
import type { BackOff } from '../src/limits/attempt-store.js'

const BACK_OFF: BackOff = { max: 2, windowMs: 1000, lockoutMs: 100, maxLockoutMs: 400 }

t.test('memory attempts: counts are forgotten after the window, and swept', async (t) => {
  const attempts = new MemoryAttempts()
  t.same(await attempts.reserve('a', 0, BACK_OFF), { allowed: true })
  t.same(await attempts.reserve('a', 0, BACK_OFF), { allowed: true })
  t.same(await attempts.reserve('a', 999, BACK_OFF), { allowed: false, retryAfterMs: 100, lockedOut: true })
  t.same(await attempts.reserve('a', 1099 + 1000, BACK_OFF), { allowed: true }, 'a window after the lock, the key starts afresh')
  for (let i = 0; i < 1000; i++) await attempts.reserve(`other-${i}`, 5000, BACK_OFF)
  t.same(await attempts.reserve('a', 10_000, BACK_OFF), { allowed: true }, 'still counted right after sweeps')
})

t.test('memory attempts: release takes one back, never below zero; clear forgets', async (t) => {
  const attempts = new MemoryAttempts()
  await attempts.release('unknown')
  await attempts.reserve('a', 0, BACK_OFF)
  await attempts.release('a')
  await attempts.release('a')
  t.same(await attempts.reserve('a', 0, BACK_OFF), { allowed: true })
  t.same(await attempts.reserve('a', 0, BACK_OFF), { allowed: true })
  t.same(await attempts.reserve('a', 0, BACK_OFF), { allowed: false, retryAfterMs: 100, lockedOut: true }, 'two releases gave back one attempt')
  await attempts.clear('a')
  t.same(await attempts.reserve('a', 0, BACK_OFF), { allowed: true }, 'cleared, even while locked')
})
