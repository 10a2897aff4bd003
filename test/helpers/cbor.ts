/**
 * Minimal CBOR encoder (RFC 8949) covering what WebAuthn attestation objects and COSE keys use:
 * unsigned and negative integers, byte strings, text strings, arrays and maps.
 */

/** A value the encoder understands. Maps keep their insertion order (put keys in canonical order yourself). */
export type CborValue = number | string | Uint8Array | CborValue[] | Map<number | string, CborValue>

/** Encodes the head of a data item: major type plus argument (0 … 2^32-1). */
function head(major: number, argument: number): Buffer {
  if (argument < 24) return Buffer.from([(major << 5) | argument])
  const size = argument < 0x100 ? 1 : argument < 0x10000 ? 2 : 4
  const out = Buffer.alloc(1 + size)
  out[0] = (major << 5) | (24 + Math.log2(size))
  out.writeUIntBE(argument, 1, size)
  return out
}

/** Encodes `value` as CBOR. Integers must be safe integers within ±2^32. */
export function encodeCbor(value: CborValue): Buffer {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new TypeError(`CBOR: only integers are supported, got ${value}`)
    return value >= 0 ? head(0, value) : head(1, -1 - value)
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8')
    return Buffer.concat([head(3, bytes.length), bytes])
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value])
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(encodeCbor)])
  const parts = [head(5, value.size)]
  for (const [k, v] of value) parts.push(encodeCbor(k), encodeCbor(v))
  return Buffer.concat(parts)
}
