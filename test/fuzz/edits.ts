import fc from 'fast-check'
import { oddString } from './hostile-json.js'

/** Edits of strings, and of the bytes base64url strings encode: the small changes fuzz cases make to real values. */

/** An edit of a string value. */
export type StringEdit =
  | { kind: 'flip', at: number, to: string }
  | { kind: 'cut', keep: number }
  | { kind: 'insert', at: number, text: string }
  | { kind: 'replace', text: string }
  | { kind: 'repeat', times: number }

/** An edit of the bytes a base64url string encodes. */
export type ByteEdit =
  | { kind: 'xor', at: number, mask: number }
  | { kind: 'cut', keep: number }
  | { kind: 'insert', at: number, bytes: Uint8Array }

/** Edits of a string: a character changed, a cut, an insertion, a replacement, a repetition. */
export const stringEdit: fc.Arbitrary<StringEdit> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), to: fc.constantFrom('A', '_', '-', '0', '=', '+', '/', ' ', '.', 'é') }),
  fc.record({ kind: fc.constant('cut' as const), keep: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: oddString }),
  fc.record({ kind: fc.constant('replace' as const), text: oddString }),
  fc.record({ kind: fc.constant('repeat' as const), times: fc.integer({ min: 2, max: 300 }) })
)

/** Edits of encoded bytes, most often one byte changed. */
export const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('xor' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }) },
  fc.record({ kind: fc.constant('cut' as const), keep: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) })
)

/** Repeats stop growing a string beyond this length. */
const MAX_REPEATED_LENGTH = 100_000

/** `text` with `edit` applied. */
export function editString (text: string, edit: StringEdit): string {
  switch (edit.kind) {
    case 'flip': {
      const at = edit.at % Math.max(text.length, 1)
      const to = text[at] === edit.to ? (edit.to === 'A' ? 'B' : 'A') : edit.to
      return text.slice(0, at) + to + text.slice(at + 1)
    }
    case 'cut': return text.slice(0, edit.keep % (text.length + 1))
    case 'insert': {
      const at = edit.at % (text.length + 1)
      return text.slice(0, at) + edit.text + text.slice(at)
    }
    case 'replace': return edit.text
    case 'repeat': return text.repeat(Math.max(1, Math.min(edit.times, Math.floor(MAX_REPEATED_LENGTH / Math.max(text.length, 1)))))
  }
}

/** The base64url string `text` with the bytes it encodes edited. */
export function editBytes (text: string, edit: ByteEdit): string {
  const bytes = Buffer.from(text, 'base64url')
  switch (edit.kind) {
    case 'xor': {
      if (bytes.length === 0) return text
      bytes[edit.at % bytes.length] ^= edit.mask
      return bytes.toString('base64url')
    }
    case 'cut': return bytes.subarray(0, edit.keep % (bytes.length + 1)).toString('base64url')
    case 'insert': {
      const at = edit.at % (bytes.length + 1)
      return Buffer.concat([bytes.subarray(0, at), edit.bytes, bytes.subarray(at)]).toString('base64url')
    }
  }
}
