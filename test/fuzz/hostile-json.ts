import fc from 'fast-check'

/**
 * JSON values a hostile client sends instead of the expected ones: wrong types, prototype keys,
 * deep nesting, huge and odd strings, extreme numbers.
 */

/** Keys that reach prototypes when a parser or a merge is careless. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'] as const

/** An object with `key` as an own property (`{ __proto__: x }` in a literal would set the prototype instead). */
export function withOwnKey (object: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  return Object.defineProperty(object, key, { value, enumerable: true, configurable: true, writable: true })
}

/** `depth` arrays (or objects) nested in one another, around `leaf`. */
function nested (depth: number, leaf: unknown, asObjects: boolean): unknown {
  let value = leaf
  for (let level = 0; level < depth; level++) value = asObjects ? { a: value } : [value]
  return value
}

/** Any code point, lone surrogates included (fast-check's `binary` unit is slow to build). */
const anyCodePoint = fc.integer({ min: 0, max: 0x10FFFF }).map((code) => String.fromCodePoint(code))

/** Strings near what the routes expect: base64url, IDs, names, unicode, control characters, long runs. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.base64String({ maxLength: 64 }).map((text) => text.replace(/[+/=]/g, '')),
  fc.string({ unit: anyCodePoint, maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  fc.constantFrom('', ' ', '   ', 'null', 'undefined', 'NaN', '0', '-1', 'public-key', 'platform', 'none', '\u0000', '\u202e', '💥', '../..', '%00', 'é'.normalize('NFD')),
  fc.tuple(fc.constantFrom('A', 'x', ' ', 'é', '\u0000'), fc.integer({ min: 60, max: 5000 })).map(([unit, count]) => unit.repeat(count))
)

/** Numbers JSON carries that code may not expect. */
export const oddNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -0, -1, 2 ** 31, 2 ** 32, 2 ** 53, -(2 ** 53), 1e308, -1e308, 5e-324)
)

/** A JSON value of the wrong shape, or a hostile one. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, [], {}),
    oddString,
    oddNumber,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(oddString, tie('value'), { maxKeys: 4 }),
    fc.tuple(fc.constantFrom(...PROTOTYPE_KEYS), tie('value')).map(([key, value]) => withOwnKey({}, key, value)),
    fc.tuple(fc.integer({ min: 50, max: 1000 }), fc.boolean()).map(([depth, asObjects]) => nested(depth, 1, asObjects)),
    fc.integer({ min: 10_000, max: 200_000 }).map((length) => 'x'.repeat(length))
  )
})).value
