/** How failed attempts back off: at most `max` in a row, then locks of `lockoutMs` doubling up to `maxLockoutMs`. */
export interface BackOff {
  max: number
  /** Attempts are forgotten this long after the last one. */
  windowMs: number
  lockoutMs: number
  maxLockoutMs: number
}

/** The answer to an attempt: allowed, or refused for `retryAfterMs` (`lockedOut` when this attempt started the lock). */
export type Reservation =
  | { allowed: true }
  | { allowed: false, retryAfterMs: number, lockedOut: boolean }

/**
 * Counters of attempts without a success, one per key, with lockouts that back off. Each method is
 * atomic, so parallel attempts never pass the limit together.
 */
export interface AttemptStore {
  /**
   * Counts an attempt under `key` at `now`, unless the key is locked. The attempt that passes
   * `max` is refused and locks the key for `lockoutMs × 2^(lockouts so far)` (at most `maxLockoutMs`)
   * and starts a new count; attempts refused during a lock are not counted, so they never extend it.
   */
  reserve: (key: string, now: number, backOff: BackOff) => Promise<Reservation>
  /** Takes one attempt back (it succeeded). */
  release: (key: string) => Promise<void>
  /** Forgets the key's attempts and lockouts (its owner proved who they are). */
  clear: (key: string) => Promise<void>
}

/** The lock that the `lockouts`-th lockout of a key lasts. */
export function lockDuration (lockouts: number, { lockoutMs, maxLockoutMs }: BackOff): number {
  return Math.min(lockoutMs * 2 ** (lockouts - 1), maxLockoutMs)
}
