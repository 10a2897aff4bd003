import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import { ORIGIN } from '../helpers/engine-app.js'

/** One fuzzed request, ready for `app.inject`. */
export interface FuzzRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'OPTIONS'
  url: string
  headers: Record<string, string>
  payload?: string | Buffer
  /** How far the app's clock moves before the request (it moves back after the case). */
  advanceMs: number
  /** What the answer must be beyond the general properties: the violations it shows. */
  expect?: (response: LightMyRequestResponse) => string[]
}

/**
 * A path segment as it travels: its UTF-8 bytes percent-encoded (a lone surrogate becomes U+FFFD),
 * dots too (a client would resolve `.` and `..` segments).
 */
export function encodeSegment (text: string): string {
  return [...Buffer.from(text)]
    .map((byte) => String.fromCharCode(byte))
    .map((character) => /[\w~-]/.test(character) ? character : `%${character.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
    .join('')
}

/** Path segments that are no valid percent-encoding of UTF-8, sent as they are. */
export const brokenSegment = fc.constantFrom('%E0%A4%A', '%ZZ', '%', '%00', '%C0%AF', '%ED%A0%80', '%FF', 'a%2', '%%')

/** A JSON request body and its content type. */
export function jsonPayload (body: unknown): { payload: string, headers: Record<string, string> } {
  return { payload: JSON.stringify(body) ?? '', headers: { 'content-type': 'application/json' } }
}

/** Header text: printable ASCII (what an HTTP parser lets through). */
export const headerText = fc.string({ maxLength: 60 })

/** The headers a same-origin `fetch` sends. */
export const SAME_ORIGIN = { origin: ORIGIN, 'sec-fetch-site': 'same-origin' }

/** `Origin` and `Sec-Fetch-Site` headers: mostly a same-origin browser's, else other sites', none, or odd values. */
export const browserHeaders: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 6, arbitrary: fc.constant(SAME_ORIGIN) },
  fc.record({
    origin: fc.option(fc.oneof(fc.constantFrom(ORIGIN, 'http://localhost:3001', 'https://localhost:3000', 'null', 'http://evil.example'), headerText)),
    'sec-fetch-site': fc.option(fc.oneof(fc.constantFrom('same-origin', 'none', 'same-site', 'cross-site', ''), headerText))
  }).map((headers) => Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== null)))
)

const MINUTE = 60_000

/** How far the clock moves before a request: mostly not at all, else to either side of each lifetime. */
export const clockAdvance: fc.Arbitrary<number> = fc.oneof(
  { weight: 8, arbitrary: fc.constant(0) },
  fc.constantFrom(MINUTE - 1, MINUTE, 2 * MINUTE - 1, 2 * MINUTE, 5 * MINUTE - 1, 5 * MINUTE, 30 * MINUTE, 12 * 60 * MINUTE),
  fc.integer({ min: 1, max: 13 * 60 * MINUTE })
)
