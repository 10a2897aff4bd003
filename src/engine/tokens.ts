import { createHash, randomBytes } from 'node:crypto'

/** A CSPRNG value of `bytes` bytes (default 32, i.e. 256 bits), base64url without padding. */
export function randomToken (bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

/** The key a secret token is stored under: its SHA-256 digest, base64url. */
export function digest (token: string): string {
  return createHash('sha256').update(token).digest('base64url')
}
