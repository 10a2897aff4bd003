import { Redis } from 'ioredis'
import type { Test } from 'tap'
import { serviceUnreachable } from './stores.js'

/**
 * The Redis the instances share for their limits (`REDIS_URL` overrides it). Database 9, so their
 * counters for 127.0.0.1 never meet those of other tests.
 */
export const INSTANCES_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/9'

/**
 * Whether Redis answers. When it does not, the reason is printed outside CI, and in CI (`CI` set)
 * the test fails, as for PostgreSQL.
 */
export async function redisReachable (t: Test): Promise<boolean> {
  const redis = new Redis(INSTANCES_REDIS_URL, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null })
  try {
    await redis.connect()
    await redis.ping()
    return true
  } catch (error) {
    serviceUnreachable(t, `Redis unreachable at ${INSTANCES_REDIS_URL}: ${(error as Error).message}`)
    return false
  } finally {
    redis.disconnect()
  }
}
