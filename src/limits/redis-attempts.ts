import type { AttemptStore, BackOff, Reservation } from './attempt-store.js'
import type { RedisClient } from './options.js'

/** {@link MemoryAttempts}'s `reserve`, as one atomic Redis script over a hash `c` count, `n` lockouts, `u` locked until. */
const RESERVE = `
local now, max, window, lockout, maxLockout = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local found = redis.call('HMGET', KEYS[1], 'c', 'n', 'u')
local count, lockouts, lockedUntil = tonumber(found[1]) or 0, tonumber(found[2]) or 0, tonumber(found[3]) or 0
if lockedUntil > now then return {0, lockedUntil - now, 0} end
count = count + 1
if count > max then
  lockouts = lockouts + 1
  local lock = math.min(lockout * 2 ^ (lockouts - 1), maxLockout)
  redis.call('HSET', KEYS[1], 'c', 0, 'n', lockouts, 'u', string.format('%d', now + lock))
  redis.call('PEXPIRE', KEYS[1], lock + window)
  return {0, lock, 1}
end
redis.call('HSET', KEYS[1], 'c', count, 'n', lockouts, 'u', 0)
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0, 0}`

const RELEASE = `
if (tonumber(redis.call('HGET', KEYS[1], 'c')) or 0) > 0 then redis.call('HINCRBY', KEYS[1], 'c', -1) end`

/** {@link AttemptStore} in Redis, shared by every instance using the same server and `prefix`. */
export class RedisAttempts implements AttemptStore {
  readonly #redis: RedisClient
  readonly #prefix: string

  constructor (redis: RedisClient, prefix: string) {
    this.#redis = redis
    this.#prefix = prefix
  }

  async reserve (key: string, now: number, { max, windowMs, lockoutMs, maxLockoutMs }: BackOff): Promise<Reservation> {
    const [allowed, retryAfterMs, lockedOut] = await this.#redis.eval(
      RESERVE, 1, this.#prefix + key, now, max, windowMs, lockoutMs, maxLockoutMs) as [number, number, number]
    return allowed === 1 ? { allowed: true } : { allowed: false, retryAfterMs, lockedOut: lockedOut === 1 }
  }

  async release (key: string): Promise<void> {
    await this.#redis.eval(RELEASE, 1, this.#prefix + key)
  }

  async clear (key: string): Promise<void> {
    await this.#redis.eval("redis.call('DEL', KEYS[1])", 1, this.#prefix + key)
  }
}
