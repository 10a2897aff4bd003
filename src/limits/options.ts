import { checkDuration, checkOption } from '../check-option.js'

/** The part of an `ioredis` client the limits use; pass your `new Redis(...)`. */
export interface RedisClient {
  eval: (...args: any[]) => Promise<unknown>
  defineCommand: (...args: any[]) => void
}

/** At most `max` in `windowMs`. */
export interface RateWindow {
  max: number
  windowMs: number
}

/**
 * Abuse limits of the plugin. Counters live in this process, or in Redis when `redis` is given
 * (required when several instances serve the app). A limited request gets `429
 * FST_PASSKEY_MFA_RATE_LIMITED` with `Retry-After`; a limiter store that fails or is slower than
 * `timeoutMs` refuses the request with `503 FST_PASSKEY_MFA_STORE_UNAVAILABLE` (it fails closed).
 *
 * Addresses are `request.ip` (which honours `X-Forwarded-For` only with Fastify's `trustProxy`),
 * IPv6 grouped by /64.
 */
export interface LimitsOptions {
  /** An `ioredis` client shared by the instances; default: counters in memory. */
  redis?: RedisClient
  /** Prefix of the Redis keys, to keep apps sharing a Redis apart; default `passkey-mfa:`. */
  redisPrefix?: string
  /** Requests to the plugin's routes, per address; default 300 a minute. */
  requestsPerAddress?: RateWindow
  /** Passkey transactions created per session; default 10 a minute. */
  transactionsPerSession?: RateWindow
  /** Passkey transactions created per account; default 30 in 15 minutes. */
  transactionsPerAccount?: RateWindow
  /**
   * Sign-in attempts per account without a success (each passkey step started counts until it
   * succeeds; a success clears the count); default 10.
   */
  failedAttemptsPerAccount?: number
  /** Ceremonies per address without a success (a success takes one back); default 30. */
  failedAttemptsPerAddress?: number
  /** How long failed attempts are remembered after the last one; default 15 minutes. */
  failureWindowMs?: number
  /** The first lockout once a failure limit is passed; each next one doubles it. Default 1 minute. */
  lockoutMs?: number
  /** The longest lockout: no lock lasts longer after the last counted failure. Default 15 minutes. */
  maxLockoutMs?: number
  /** A limiter store slower than this fails the request with a 503; default 1 second. */
  timeoutMs?: number
}

/** {@link LimitsOptions} with defaults applied. */
export type ResolvedLimits = Required<Omit<LimitsOptions, 'redis'>> & { redis: RedisClient | null }

const MINUTE = 60_000

/** Applies defaults and validates `limits`; `false` turns every limit off. Throws `FST_PASSKEY_MFA_OPTIONS_INVALID`. */
export function resolveLimits (limits: LimitsOptions | false | undefined): ResolvedLimits | null {
  if (limits === false) return null
  checkOption(limits === undefined || (typeof limits === 'object' && limits !== null), 'limits must be an object or false')
  const {
    redis = null, redisPrefix = 'passkey-mfa:', requestsPerAddress = { max: 300, windowMs: MINUTE },
    transactionsPerSession = { max: 10, windowMs: MINUTE }, transactionsPerAccount = { max: 30, windowMs: 15 * MINUTE },
    failedAttemptsPerAccount = 10, failedAttemptsPerAddress = 30, failureWindowMs = 15 * MINUTE,
    lockoutMs = MINUTE, maxLockoutMs = 15 * MINUTE, timeoutMs = 1000
  } = limits ?? {}
  checkOption(redis === null || (typeof redis.eval === 'function' && typeof redis.defineCommand === 'function'), 'limits.redis must be an ioredis client')
  checkOption(typeof redisPrefix === 'string', 'limits.redisPrefix must be a string')
  for (const [name, window] of Object.entries({ requestsPerAddress, transactionsPerSession, transactionsPerAccount })) {
    checkOption(typeof window === 'object' && window !== null, `limits.${name} must be { max, windowMs }`)
    checkCount(window.max, `limits.${name}.max`)
    checkDuration(window.windowMs, `limits.${name}.windowMs`, 24 * 60 * MINUTE)
  }
  checkCount(failedAttemptsPerAccount, 'limits.failedAttemptsPerAccount')
  checkCount(failedAttemptsPerAddress, 'limits.failedAttemptsPerAddress')
  checkDuration(failureWindowMs, 'limits.failureWindowMs', 24 * 60 * MINUTE)
  checkDuration(maxLockoutMs, 'limits.maxLockoutMs', 24 * 60 * MINUTE)
  checkDuration(lockoutMs, 'limits.lockoutMs', maxLockoutMs)
  checkDuration(timeoutMs, 'limits.timeoutMs', MINUTE)
  return {
    redis, redisPrefix, requestsPerAddress, transactionsPerSession, transactionsPerAccount, failedAttemptsPerAccount,
    failedAttemptsPerAddress, failureWindowMs, lockoutMs, maxLockoutMs, timeoutMs
  }
}

function checkCount (value: unknown, name: string): void {
  checkOption(Number.isSafeInteger(value) && (value as number) > 0, `${name} must be a positive integer`)
}
