import { lockDuration } from './attempt-store.js'
import type { AttemptStore, BackOff, Reservation } from './attempt-store.js'

interface Entry {
  count: number
  lockouts: number
  lockedUntil: number
  expiresAt: number
}

/** Entries past their window are dropped once this many reservations were made since the last sweep. */
const SWEEP_EVERY = 1000

/** {@link AttemptStore} in this process's memory, for a single instance. */
export class MemoryAttempts implements AttemptStore {
  readonly #entries = new Map<string, Entry>()
  #untilSweep = SWEEP_EVERY

  async reserve (key: string, now: number, backOff: BackOff): Promise<Reservation> {
    if (--this.#untilSweep === 0) this.#sweep(now)
    const found = this.#entries.get(key)
    const entry = found !== undefined && found.expiresAt > now ? found : { count: 0, lockouts: 0, lockedUntil: 0, expiresAt: 0 }
    this.#entries.set(key, entry)
    if (entry.lockedUntil > now) return { allowed: false, retryAfterMs: entry.lockedUntil - now, lockedOut: false }
    entry.count++
    if (entry.count > backOff.max) {
      const lock = lockDuration(++entry.lockouts, backOff)
      entry.count = 0
      entry.lockedUntil = now + lock
      entry.expiresAt = entry.lockedUntil + backOff.windowMs
      return { allowed: false, retryAfterMs: lock, lockedOut: true }
    }
    entry.expiresAt = now + backOff.windowMs
    return { allowed: true }
  }

  async release (key: string): Promise<void> {
    const entry = this.#entries.get(key)
    if (entry !== undefined && entry.count > 0) entry.count--
  }

  async clear (key: string): Promise<void> {
    this.#entries.delete(key)
  }

  #sweep (now: number): void {
    this.#untilSweep = SWEEP_EVERY
    for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key)
  }
}
