import { randomBytes } from 'node:crypto'

/** Crockford's base32: digits and capitals without I, L, O and U, which read like 1, 1, 0 and V. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
/** 16 characters of 5 bits: 80 bits from the CSPRNG. */
const LENGTH = 16
const GROUP = 4
/** What a typist may mean by a letter the alphabet leaves out. */
const READ_AS: Record<string, string> = { I: '1', L: '1', O: '0' }
const CODE = new RegExp(`^[${ALPHABET}]{${LENGTH}}$`)

/** A new recovery code, e.g. `7KQ2-M9XD-4HPT-W3ZA`: 80 random bits in Crockford's base32, in groups of four. */
export function newRecoveryCode (): string {
  let bits = 0n
  for (const byte of randomBytes(LENGTH * 5 / 8)) bits = (bits << 8n) | BigInt(byte)
  let code = ''
  for (let i = LENGTH - 1; i >= 0; i--) code += ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)]
  return code.match(new RegExp(`.{${GROUP}}`, 'g'))!.join('-')
}

/**
 * The canonical form of a code as a person typed it, whatever its case, dashes and spaces, and with
 * I, L and O read as 1, 1 and 0; `null` when it cannot be a code.
 */
export function canonicalRecoveryCode (typed: string): string | null {
  const canonical = typed.toUpperCase().replace(/[\s-]/g, '').replace(/[ILO]/g, (letter) => READ_AS[letter]!)
  return CODE.test(canonical) ? canonical : null
}
