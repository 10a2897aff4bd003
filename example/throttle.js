/**
 * Counts attempts per key (an email, an address) in fixed windows, in memory: a key that reached
 * `limit` attempts is refused until its window ends. One process only; an app with several would keep
 * the counts in a shared store, such as Redis.
 */
export class Throttle {
  #limit
  #windowMs
  /** key → `{ count, endsAt }` (epoch milliseconds) */
  #windows = new Map()
  #nextSweep = 0

  /** @param {{ limit: number, windowMs: number }} options */
  constructor ({ limit, windowMs }) {
    this.#limit = limit
    this.#windowMs = windowMs
  }

  /** Seconds until `key` may try again, when it reached the limit; `0` when it may now. */
  wait (key) {
    const now = Date.now()
    const window = this.#windows.get(key)
    return window !== undefined && window.endsAt > now && window.count >= this.#limit ? Math.ceil((window.endsAt - now) / 1000) : 0
  }

  /** Counts one attempt of `key`. */
  count (key) {
    const now = Date.now()
    this.#sweep(now)
    const window = this.#windows.get(key)
    if (window === undefined || window.endsAt <= now) this.#windows.set(key, { count: 1, endsAt: now + this.#windowMs })
    else window.count++
  }

  /** Forgets the attempts of `key` (a successful sign-in clears its email's failures). */
  forget (key) {
    this.#windows.delete(key)
  }

  /** Drops the windows that ended, at most once a minute, so the map holds recent keys only. */
  #sweep (now) {
    if (now < this.#nextSweep) return
    this.#nextSweep = now + 60_000
    for (const [key, window] of this.#windows) {
      if (window.endsAt <= now) this.#windows.delete(key)
    }
  }
}

/** “Try again in 14 minutes.”: whole minutes rounded up, or seconds under a minute. */
export function tryAgainIn (seconds) {
  const [count, unit] = seconds < 60 ? [seconds, 'second'] : [Math.ceil(seconds / 60), 'minute']
  return `Try again in ${count} ${unit}${count === 1 ? '' : 's'}.`
}
