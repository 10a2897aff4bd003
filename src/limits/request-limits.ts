import fastifyRateLimit from '@fastify/rate-limit'
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import LocalStore from '@fastify/rate-limit/store/LocalStore.js'
import RedisStore from '@fastify/rate-limit/store/RedisStore.js'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { rateLimited } from '../errors.js'
import type { RequestMfa } from '../mfa/request-mfa.js'
import { settledOrUnavailable } from '../engine/unavailable-on-failure.js'
import type { RateWindow, ResolvedLimits } from './options.js'

/**
 * Counts a transaction about to be created for the request's MFA session and its user; throws
 * `FST_PASSKEY_MFA_RATE_LIMITED` past a cap.
 */
export type TransactionCaps = (request: FastifyRequest) => Promise<void>

/** Addresses whose request counts a memory store keeps (the least recent are dropped). */
const MEMORY_ADDRESSES = 10_000

/** Told of every request a limit of this file refused: what was limited, and for how long. */
export type LimitedListener = (request: FastifyRequest, scope: 'address' | 'session' | 'account', retryAfterSeconds: number) => void

/**
 * Registers `@fastify/rate-limit` on `scope` (every route registered in it afterwards): requests per
 * address, IPv6 by /64, answered `429 FST_PASSKEY_MFA_RATE_LIMITED` with `Retry-After`. Returns the
 * caps on transactions per session and per account. Every refusal is told to `onLimited`. Counters
 * are in Redis when `limits.redis` is set, and a Redis that fails or hangs refuses the request with a 503.
 */
export async function registerRequestLimits (scope: FastifyInstance, limits: ResolvedLimits, onLimited: LimitedListener): Promise<TransactionCaps> {
  const store = limits.redis === null
    ? new LocalStore(false, false, MEMORY_ADDRESSES)
    : new FailClosedStore(new RedisStore(false, false, limits.redis, `${limits.redisPrefix}requests:`), limits.timeoutMs)
  await scope.register(fastifyRateLimit, {
    global: true,
    hook: 'onRequest',
    max: limits.requestsPerAddress.max,
    timeWindow: limits.requestsPerAddress.windowMs,
    store: function sharedStore () { return store } as unknown as FastifyRateLimitStoreCtor,
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    addHeaders: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false, 'retry-after': false },
    errorResponseBuilder: (request, { ttl }) => limited(request, 'address', ttl)
  })
  const limited = (request: FastifyRequest, limitedScope: Parameters<LimitedListener>[1], ttlMs: number): Error => {
    const retryAfterSeconds = Math.ceil(ttlMs / 1000)
    onLimited(request, limitedScope, retryAfterSeconds)
    return rateLimited(retryAfterSeconds)
  }
  const perSession = cap(scope, limits.transactionsPerSession, (request) => `session:${sessionOf(request).sessionId}`, (request, ttl) => limited(request, 'session', ttl))
  const perAccount = cap(scope, limits.transactionsPerAccount, (request) => `account:${sessionOf(request).externalId}`, (request, ttl) => limited(request, 'account', ttl))
  return async (request) => {
    await perSession(request)
    await perAccount(request)
  }
}

/** The session of a request that passed `assertCanStart`: never anonymous. */
function sessionOf (request: FastifyRequest): { sessionId: string, externalId: string } {
  return (request.mfa as RequestMfa).session as { sessionId: string, externalId: string }
}

function cap (
  scope: FastifyInstance, { max, windowMs }: RateWindow, keyGenerator: (request: FastifyRequest) => string,
  refusal: (request: FastifyRequest, ttlMs: number) => Error
) {
  const check = scope.createRateLimit({ max, timeWindow: windowMs, keyGenerator })
  return async (request: FastifyRequest): Promise<void> => {
    const counted = await check(request) as { isExceeded: boolean, ttl: number }
    if (counted.isExceeded) throw refusal(request, counted.ttl)
  }
}

/** A rate-limit store whose failures and hangs become `FST_PASSKEY_MFA_STORE_UNAVAILABLE`. */
class FailClosedStore implements FastifyRateLimitStore {
  readonly #inner: FastifyRateLimitStore
  readonly #timeoutMs: number

  constructor (inner: FastifyRateLimitStore, timeoutMs: number) {
    this.#inner = inner
    this.#timeoutMs = timeoutMs
  }

  incr (key: string, callback: (error: Error | null, result?: { current: number, ttl: number }) => void, timeWindow: number, max: number): void {
    settledOrUnavailable(async () => new Promise<{ current: number, ttl: number }>((resolve, reject) => {
      this.#inner.incr(key, (error, result) => { error === null ? resolve(result as { current: number, ttl: number }) : reject(error) }, timeWindow, max)
    }), this.#timeoutMs, 'the rate limit\'s Redis').then((result) => { callback(null, result) }, callback)
  }

  child (routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
    return new FailClosedStore(this.#inner.child(routeOptions), this.#timeoutMs)
  }
}
