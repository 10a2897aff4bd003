import fc from 'fast-check'
import { toStored } from '../../src/mfa/stored-session.js'
import { hostileValue, oddNumber } from './hostile-json.js'
import { byteEdit, editBytes, editString, stringEdit } from './edits.js'
import type { ByteEdit, StringEdit } from './edits.js'
import { mutate, mutation } from './mutations.js'
import type { Mutation } from './mutations.js'
import { encodeSegment, headerText } from './requests.js'
import { COOKIE } from './sessions.js'
import type { OpenSession } from './sessions.js'
import type { World } from './world.js'

/**
 * Session cookies as a hostile or broken client sends them: real cookies edited as text or as the
 * bytes they carry, random values, and sealed values (which only a holder of the key can make, or
 * an older version of the plugin left) holding a state that is mutated, has odd times, or is no state at all.
 */

/** The cookie value a case sends, derived from its session's real cookie. */
export type CookieValueSpec =
  | { kind: 'edited', edits: StringEdit[] }
  | { kind: 'bytes', part: 'cipher' | 'nonce', edit: ByteEdit }
  | { kind: 'random', value: string }
  | { kind: 'sealed', mutations: Mutation[], sealedAt: unknown }
  | { kind: 'retimed', at: number, time: number }
  | { kind: 'sealed-value', value: unknown }

/** How the cookie header carries the value. */
export type CookieLayout = 'alone' | 'among-others' | 'before-the-real-one' | 'after-the-real-one' | 'quoted' | 'percent-encoded' | 'spaced'

const base64urlText = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.;=%'), maxLength: 600 })

/** Cookie values, mostly derived from the session's real one. */
export const cookieValueSpec: fc.Arbitrary<CookieValueSpec> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('edited' as const), edits: fc.array(stringEdit, { minLength: 1, maxLength: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('bytes' as const), part: fc.constantFrom('cipher' as const, 'nonce' as const), edit: byteEdit }) },
  fc.record({ kind: fc.constant('random' as const), value: fc.oneof(headerText, base64urlText) }),
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('sealed' as const), mutations: fc.array(mutation, { maxLength: 3 }), sealedAt: fc.option(fc.oneof(fc.constantFrom(0, 1, -1, 1e12, 2 ** 53), hostileValue)) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('retimed' as const), at: fc.nat(), time: oddNumber }) },
  fc.record({ kind: fc.constant('sealed-value' as const), value: fc.oneof(fc.object(), hostileValue) })
)

/** Cookie header layouts, mostly the value alone. */
export const cookieLayout: fc.Arbitrary<CookieLayout> = fc.oneof(
  { weight: 4, arbitrary: fc.constant('alone' as const) },
  fc.constantFrom('among-others' as const, 'before-the-real-one' as const, 'after-the-real-one' as const, 'quoted' as const, 'percent-encoded' as const, 'spaced' as const)
)

/** The cookie header of a case: `spec` applied to the session's real cookie value, laid out by `layout`. */
export function cookieHeader (world: World, session: OpenSession, spec: CookieValueSpec, layout: CookieLayout): string {
  const real = session.cookie?.slice(COOKIE.length + 1) ?? ''
  const value = cookieValue(world, session, real, spec)
  switch (layout) {
    case 'alone': return `${COOKIE}=${value}`
    case 'among-others': return `theme=dark; ${COOKIE}=${value}; other=1`
    case 'before-the-real-one': return `${COOKIE}=${value}; ${COOKIE}=${real}`
    case 'after-the-real-one': return `${COOKIE}=${real}; ${COOKIE}=${value}`
    case 'quoted': return `${COOKIE}="${value}"`
    case 'percent-encoded': return `${COOKIE}=${encodeSegment(value)}`
    case 'spaced': return ` ${COOKIE} = ${value} ;`
  }
}

function cookieValue (world: World, session: OpenSession, real: string, spec: CookieValueSpec): string {
  switch (spec.kind) {
    case 'edited': return spec.edits.reduce(editString, real)
    case 'bytes': {
      const [cipher = '', nonce = ''] = real.split('.')
      return spec.part === 'cipher' ? `${editBytes(cipher, spec.edit)}.${nonce}` : `${cipher}.${editBytes(nonce, spec.edit)}`
    }
    case 'random': return spec.value
    case 'sealed': {
      const stored = session.state.level === 'anonymous' ? {} : toStored(session.state)
      const mutated = mutate(stored, spec.mutations)
      const data = typeof mutated === 'object' && mutated !== null ? mutated : { value: mutated }
      return world.mint.data(spec.sealedAt === null ? data : { ...data, __ts: spec.sealedAt })
    }
    case 'retimed': {
      if (session.state.level === 'anonymous') return real
      const stored: Record<string, unknown> = toStored(session.state)
      const fields = Object.keys(stored).filter((key) => typeof stored[key] === 'number')
      return world.mint.data({ ...stored, [fields[spec.at % fields.length]]: spec.time })
    }
    case 'sealed-value': return world.mint.data(typeof spec.value === 'object' && spec.value !== null ? spec.value : [spec.value])
  }
}
