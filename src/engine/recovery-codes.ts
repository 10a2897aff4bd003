import { RecoveryCodeInvalidError } from '../errors.js'
import type { EngineContext } from './context.js'
import { canonicalRecoveryCode, newRecoveryCode } from './recovery-code-format.js'
import { digest } from './tokens.js'

/** How many codes a set has. */
export const RECOVERY_CODES = 10

/** Makes a new set of the user's recovery codes, which replaces the old one; returns the codes (the store keeps only their digests). */
export async function generateRecoveryCodes (ctx: EngineContext, externalId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode)
  await ctx.store.replaceRecoveryCodes(externalId, codes.map((code) => digest(canonicalRecoveryCode(code)!)))
  return codes
}

/**
 * Uses up one of the user's recovery codes, as typed; returns how many are left. Throws
 * `FST_PASSKEY_MFA_RECOVERY_CODE_INVALID` for anything that is not one of the user's unused codes.
 */
export async function redeemRecoveryCode (ctx: EngineContext, externalId: string, typed: string): Promise<number> {
  const canonical = typeof typed === 'string' ? canonicalRecoveryCode(typed) : null
  const left = canonical === null ? null : await ctx.store.takeRecoveryCode(externalId, digest(canonical))
  if (left === null) throw new RecoveryCodeInvalidError()
  return left
}
