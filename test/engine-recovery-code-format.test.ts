import t from 'tap'
import { canonicalRecoveryCode, newRecoveryCode } from '../src/engine/recovery-code-format.js'

t.test('recovery codes are 16 characters of Crockford base32 in groups of four, 80 random bits', async (t) => {
  const codes = Array.from({ length: 2000 }, newRecoveryCode)
  for (const code of codes.slice(0, 20)) t.match(code, /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/, code)
  t.equal(new Set(codes).size, codes.length, 'no two alike')
  const characters = new Set(codes.join('').replaceAll('-', ''))
  t.equal(characters.size, 32, 'every character of the alphabet turns up: each carries 5 bits')
  t.notOk([...characters].some((character) => 'ILOU'.includes(character)), 'no I, L, O or U')
})

t.test('a typed code is read whatever its case, dashes and spaces, with I, L and O read as 1, 1 and 0', async (t) => {
  t.equal(canonicalRecoveryCode('7KQ2-M9XD-4HPT-W3ZA'), '7KQ2M9XD4HPTW3ZA')
  t.equal(canonicalRecoveryCode(' 7kq2 m9xd-4hpt w3za '), '7KQ2M9XD4HPTW3ZA')
  t.equal(canonicalRecoveryCode('O1L2-I3O4-5678-9ABC'), '0112130456789ABC')
  for (const bad of ['', '7KQ2-M9XD-4HPT', '7KQ2-M9XD-4HPT-W3ZAX', '7KQ2-M9XD-4HPT-W3ZU', '7KQ2_M9XD_4HPT_W3ZA']) {
    t.equal(canonicalRecoveryCode(bad), null, JSON.stringify(bad))
  }
})
