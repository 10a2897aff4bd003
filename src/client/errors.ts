/**
 * What went wrong, stable across versions: `cancelled` (the user dismissed the dialog or refused
 * verification), `not-supported` (no WebAuthn, no autofill, no usable authenticator),
 * `already-registered` (the authenticator already holds a passkey for this account), `rejected`
 * (the server answered an error), `network` (no answer), `failed` (anything else).
 */
export type PasskeyClientErrorCode = 'cancelled' | 'not-supported' | 'already-registered' | 'rejected' | 'network' | 'failed'

/** Details of a {@link PasskeyClientError}. */
export interface PasskeyClientErrorDetails {
  cause?: unknown
  /** The server's `FST_PASSKEY_MFA_*` code, for `rejected`. */
  serverCode?: string
  /** The HTTP status, for `rejected`. */
  status?: number
}

/**
 * The one error the client throws; read its `code` (and `serverCode` when `rejected`), not its message.
 *
 * @example
 * try {
 *   await client.signIn()
 * } catch (error) {
 *   if (error instanceof PasskeyClientError && error.code === 'cancelled') showRetryButton()
 *   else throw error
 * }
 */
export class PasskeyClientError extends Error {
  readonly code: PasskeyClientErrorCode
  readonly serverCode?: string
  readonly status?: number

  constructor (code: PasskeyClientErrorCode, message: string, { cause, serverCode, status }: PasskeyClientErrorDetails = {}) {
    super(message, { cause })
    this.name = 'PasskeyClientError'
    this.code = code
    if (serverCode !== undefined) this.serverCode = serverCode
    if (status !== undefined) this.status = status
  }
}
