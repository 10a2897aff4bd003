import { normalizeIP } from '@fastify/rate-limit'
import type { FastifyRequest } from 'fastify'
import { rateLimited } from '../errors.js'
import type { AttemptStore, BackOff } from './attempt-store.js'
import { settledOrUnavailable } from '../engine/unavailable-on-failure.js'
import { MemoryAttempts } from './memory-attempts.js'
import type { ResolvedLimits } from './options.js'
import { RedisAttempts } from './redis-attempts.js'

/** Whose attempts: an account (external ID) or a client address (IPv6 by /64). */
export type AttemptScope = 'account' | 'address'

/** Called for every attempt refused: `lockedOut` when this attempt started the lockout, else it came during one. */
export type LockoutListener = (request: FastifyRequest, scope: AttemptScope, retryAfterSeconds: number, lockedOut: boolean) => void

/**
 * Limits attempts without a success per account and per address, with back-off lockouts (see
 * {@link AttemptStore.reserve}). An attempt is counted before it runs, so a burst of parallel
 * attempts cannot pass the limit together; a success takes it back (address) or clears the
 * account's count. Fails closed when its Redis fails or hangs.
 */
export class AttemptLimiter {
  readonly #store: AttemptStore
  readonly #guarded: <T>(call: () => Promise<T>) => Promise<T>
  readonly #limits: ResolvedLimits
  readonly #now: () => number
  readonly #onLockout: LockoutListener

  constructor (limits: ResolvedLimits, now: () => number, onLockout: LockoutListener) {
    const { redis, timeoutMs } = limits
    this.#store = redis === null ? new MemoryAttempts() : new RedisAttempts(redis, `${limits.redisPrefix}attempts:`)
    // Only Redis can fail or hang. Counters in memory answer at once and never throw, so they skip
    // a timer (four calls a sign-in step, seen in the bench's profile).
    this.#guarded = redis === null ? async (call) => call() : async (call) => settledOrUnavailable(call, timeoutMs, 'the limits\' Redis')
    this.#limits = limits
    this.#now = now
    this.#onLockout = onLockout
  }

  /** Counts an attempt; throws `FST_PASSKEY_MFA_RATE_LIMITED` (429) when the account or address is locked. */
  async reserve (request: FastifyRequest, scope: AttemptScope, id: string): Promise<void> {
    const reservation = await this.#guarded(async () => this.#store.reserve(keyOf(scope, id), this.#now(), this.#backOff(scope)))
    if (reservation.allowed) return
    const retryAfterSeconds = Math.ceil(reservation.retryAfterMs / 1000)
    this.#onLockout(request, scope, retryAfterSeconds, reservation.lockedOut)
    throw rateLimited(retryAfterSeconds)
  }

  /**
   * The attempt succeeded: an address gets it back, an account starts afresh. Never throws: the
   * success already happened, so a store that cannot record it is only logged (the count then ends
   * with its window).
   */
  async succeeded (request: FastifyRequest, scope: AttemptScope, id: string): Promise<void> {
    const key = keyOf(scope, id)
    try {
      await this.#guarded(async () => scope === 'account' ? this.#store.clear(key) : this.#store.release(key))
    } catch (err) {
      request.log.warn({ err, scope }, 'passkey-mfa: a success could not be recorded by the limits')
    }
  }

  #backOff (scope: AttemptScope): BackOff {
    const { failedAttemptsPerAccount, failedAttemptsPerAddress, failureWindowMs, lockoutMs, maxLockoutMs } = this.#limits
    const max = scope === 'account' ? failedAttemptsPerAccount : failedAttemptsPerAddress
    return { max, windowMs: failureWindowMs, lockoutMs, maxLockoutMs }
  }
}

function keyOf (scope: AttemptScope, id: string): string {
  return scope === 'account' ? `account:${id}` : `address:${normalizeIP(id, 64)}`
}
