import { browserSupportsWebAuthn } from '@simplewebauthn/browser'
import { PasskeyClientError } from './errors.js'
import type { PasskeyClientErrorCode } from './errors.js'

/** WebAuthn's error names (kept as `name` by @simplewebauthn/browser's `WebAuthnError`) and what they mean here. */
const CODES = new Map<unknown, PasskeyClientErrorCode>([
  ['NotAllowedError', 'cancelled'],
  ['AbortError', 'cancelled'],
  ['InvalidStateError', 'already-registered'],
  ['NotSupportedError', 'not-supported'],
  ['ConstraintError', 'not-supported']
])

/** The {@link PasskeyClientError} for whatever a ceremony threw; a `PasskeyClientError` stays as it is. */
export function toClientError (error: unknown): PasskeyClientError {
  if (error instanceof PasskeyClientError) return error
  const { name, message } = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown, message?: unknown }
  return new PasskeyClientError(CODES.get(name) ?? 'failed', typeof message === 'string' ? message : String(error), { cause: error })
}

/** Runs a WebAuthn ceremony, with every failure (no WebAuthn in this browser too) as a {@link PasskeyClientError}. */
export async function runCeremony<T> (run: () => Promise<T>): Promise<T> {
  if (!browserSupportsWebAuthn()) throw new PasskeyClientError('not-supported', 'This browser does not support passkeys')
  try {
    return await run()
  } catch (error) {
    throw toClientError(error)
  }
}
