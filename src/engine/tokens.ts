import { createHash, randomFillSync } from 'node:crypto'

/**
 * Random bytes not yet handed out, refilled from the CSPRNG when they run out: one call into
 * OpenSSL per 4 KiB instead of one per token (each `randomBytes` call allocates a native job, which
 * showed in the profile of a ceremony). Node's `randomUUID` pools its entropy the same way.
 */
const pool = Buffer.alloc(4096)
let used = pool.length

/** A CSPRNG value of `bytes` bytes (default 32, i.e. 256 bits), base64url without padding; each byte is used once. */
export function randomToken (bytes = 32): string {
  if (used + bytes > pool.length) {
    randomFillSync(pool)
    used = 0
  }
  const token = pool.toString('base64url', used, used + bytes)
  used += bytes
  return token
}

/** The key a secret token is stored under: its SHA-256 digest, base64url. */
export function digest (token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}
