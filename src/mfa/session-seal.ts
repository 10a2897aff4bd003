import fastifySecureSession from '@fastify/secure-session'
import type { FastifyInstance } from 'fastify'
import sodium from 'sodium-native'

const SESSION_NAME = 'passkeyMfa'
const { crypto_secretbox_MACBYTES: MAC_BYTES, crypto_secretbox_NONCEBYTES: NONCE_BYTES } = sodium

/** What an opened cookie value held, and whether it was sealed with a key other than the first (to seal it again). */
export interface Opened {
  data: unknown
  rotated: boolean
}

/** Seals session data into a cookie value and opens such values again. */
export interface SessionSeal {
  /** The cookie value of `data`: `@fastify/secure-session`'s sealing, in the URL-safe alphabet. */
  seal: (data: object) => string
  /** What `value` holds, or `null` when it is malformed, tampered with, sealed with an unknown key or past its expiry. */
  open: (value: string) => Opened | null
}

/**
 * Registers `@fastify/secure-session` under its own session name in an encapsulated scope with no
 * routes (its hooks run on no route, and it never collides with a session of the host's), and
 * returns a seal whose writes are its `encodeSecureSession`.
 *
 * Reads open its format directly — `crypto_secretbox` over JSON holding `__ts`, as
 * `ciphertext;nonce` in base64 — with the same keys and expiry: the guard of a host route reads the
 * cookie on every request, and `decodeSecureSession` also builds a `Proxy` session object and a copy
 * of its data per read (half the cost of a read, measured in the bench). A test pins that both
 * accept and refuse the same values.
 */
export async function registerSessionSeal (fastify: FastifyInstance, keys: Buffer[], expirySeconds: number): Promise<SessionSeal> {
  let encode: ((data: object) => string) | undefined
  await fastify.register(async function passkeyMfaSessionSeal (scope) {
    await scope.register(fastifySecureSession, { key: keys, sessionName: SESSION_NAME, cookieName: SESSION_NAME, expiry: expirySeconds })
    encode = (data) => scope.encodeSecureSession(scope.createSecureSession(data as Record<string, unknown>), SESSION_NAME)
  })
  const sealWith = encode as (data: object) => string
  return {
    seal: (data) => toUrlSafe(sealWith(data)),
    open: (value) => open(value, keys, expirySeconds * 1000)
  }
}

function open (value: string, keys: Buffer[], expiryMs: number): Opened | null {
  const dot = value.indexOf('.')
  const separator = dot < 0 ? value.indexOf(';') : dot
  if (separator < 0) return null
  const cipher = Buffer.from(value.slice(0, separator), 'base64')
  const nonce = Buffer.from(value.slice(separator + 1), 'base64')
  if (cipher.length < MAC_BYTES || nonce.length !== NONCE_BYTES) return null
  const message = Buffer.allocUnsafe(cipher.length - MAC_BYTES)
  const index = keys.findIndex((key) => sodium.crypto_secretbox_open_easy(message, cipher, nonce, key))
  if (index < 0) return null
  const data: unknown = JSON.parse(message.toString())
  const sealedAt = (data as { __ts?: unknown }).__ts
  if (typeof sealedAt !== 'number' || sealedAt * 1000 + expiryMs <= Date.now()) return null
  return { data, rotated: index > 0 }
}

/** `base64;base64` (standard alphabet, padded) as `base64url.base64url`, which needs no URL-encoding; `base64` decoding reads both. */
function toUrlSafe (sealed: string): string {
  return sealed.replace(/[+/=;]/g, (character) => URL_SAFE[character])
}

const URL_SAFE: Record<string, string> = { '+': '-', '/': '_', '=': '', ';': '.' }
