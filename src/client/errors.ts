/**
 * What went wrong, stable across versions: `cancelled` (the user dismissed the dialog or refused
 * verification), `not-supported` (no WebAuthn, no autofill, no usable authenticator),
 * `already-registered` (the authenticator already holds a passkey for this account), `rate-limited`
 * (too many attempts: the server answered 429; `retryAfterSeconds` says when to try again),
 * `rejected` (the server answered another error), `network` (no answer), `failed` (anything else).
 */
export type PasskeyClientErrorCode = 'cancelled' | 'not-supported' | 'already-registered' | 'rate-limited' | 'rejected' | 'network' | 'failed'

/** Details of a {@link PasskeyClientError}. */
export interface PasskeyClientErrorDetails {
  cause?: unknown
  /** The server's `FST_PASSKEY_MFA_*` code, for `rejected` and `rate-limited`. */
  serverCode?: string
  /** The HTTP status, for `rejected` and `rate-limited`. */
  status?: number
  /** For `rate-limited`: the seconds to wait, from the answer's `Retry-After` (absent when it has none). */
  retryAfterSeconds?: number
}

/**
 * The one error the client throws; read its `code` (and `serverCode` when `rejected`), not its message.
 *
 * @example
 * try {
 *   await client.signIn()
 * } catch (error) {
 *   if (error instanceof PasskeyClientError && error.code === 'cancelled') showRetryButton()
 *   else if (error instanceof PasskeyClientError && error.code === 'rate-limited') showWait(error.retryAfterSeconds)
 *   else throw error
 * }
 */
export class PasskeyClientError extends Error {
  /** What went wrong (see {@link PasskeyClientErrorCode}). */
  readonly code: PasskeyClientErrorCode
  /** The server's `FST_PASSKEY_MFA_*` code, when the server answered. */
  readonly serverCode?: string
  /** The HTTP status, when the server answered. */
  readonly status?: number
  /** The seconds to wait before trying again, for `rate-limited`. */
  readonly retryAfterSeconds?: number

  constructor (code: PasskeyClientErrorCode, message: string, { cause, serverCode, status, retryAfterSeconds }: PasskeyClientErrorDetails = {}) {
    super(message, { cause })
    this.name = 'PasskeyClientError'
    this.code = code
    if (serverCode !== undefined) this.serverCode = serverCode
    if (status !== undefined) this.status = status
    if (retryAfterSeconds !== undefined) this.retryAfterSeconds = retryAfterSeconds
  }
}
