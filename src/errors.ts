import createError from '@fastify/error'
import type { FastifyErrorConstructor } from '@fastify/error'
import { describeDuration } from './duration.js'

/**
 * Every error this library throws. Each has a stable `code` (`FST_PASSKEY_MFA_*`) and one HTTP status;
 * clients should read `code`, not the message.
 */

/**
 * An error class: `new` (or a call) makes an error whose `code` and `statusCode` are literal types, so
 * `instanceof` narrows. Without format arguments, the only argument is `{ cause }`.
 */
type ErrorClass<Code extends string, Status extends number, Args extends unknown[] = [options?: { cause: unknown }]> =
  FastifyErrorConstructor<{ code: Code, statusCode: Status }, Args>

/** Invalid plugin or engine options (thrown at construction / `register`). */
export const OptionsInvalidError: ErrorClass<'FST_PASSKEY_MFA_OPTIONS_INVALID', 500, [string]> = createError(
  'FST_PASSKEY_MFA_OPTIONS_INVALID', 'Invalid passkey MFA options: %s', 500)

/** A request body, query or params failed schema validation. */
export const BodyInvalidError: ErrorClass<'FST_PASSKEY_MFA_BODY_INVALID', 400, [string]> = createError(
  'FST_PASSKEY_MFA_BODY_INVALID', 'Invalid request: %s', 400)

/** The `:appId` of an engine route is not this engine's. */
export const AppNotFoundError: ErrorClass<'FST_PASSKEY_MFA_APP_NOT_FOUND', 404> = createError(
  'FST_PASSKEY_MFA_APP_NOT_FOUND', 'Unknown app', 404)

/** The transaction does not exist or was already used. */
export const TransactionNotFoundError: ErrorClass<'FST_PASSKEY_MFA_TRANSACTION_NOT_FOUND', 404> = createError(
  'FST_PASSKEY_MFA_TRANSACTION_NOT_FOUND', 'Unknown or already used transaction', 404)

/** The transaction exists but its lifetime is over. */
export const TransactionExpiredError: ErrorClass<'FST_PASSKEY_MFA_TRANSACTION_EXPIRED', 410> = createError(
  'FST_PASSKEY_MFA_TRANSACTION_EXPIRED', 'The transaction has expired', 410)

/** The transaction is of the other kind (register vs authenticate). */
export const TransactionKindError: ErrorClass<'FST_PASSKEY_MFA_TRANSACTION_KIND', 400> = createError(
  'FST_PASSKEY_MFA_TRANSACTION_KIND', 'The transaction is not for this ceremony', 400)

/** The handshake is not the one started for this transaction. */
export const HandshakeInvalidError: ErrorClass<'FST_PASSKEY_MFA_HANDSHAKE_INVALID', 400> = createError(
  'FST_PASSKEY_MFA_HANDSHAKE_INVALID', 'Unknown handshake for this transaction', 400)

/** The handshake (challenge) is past its lifetime. */
export const HandshakeExpiredError: ErrorClass<'FST_PASSKEY_MFA_HANDSHAKE_EXPIRED', 410> = createError(
  'FST_PASSKEY_MFA_HANDSHAKE_EXPIRED', 'The ceremony has timed out', 410)

/** The registration response did not verify (challenge, origin, RP ID, type, flags, attestation). */
export const RegistrationRejectedError: ErrorClass<'FST_PASSKEY_MFA_REGISTRATION_REJECTED', 400> = createError(
  'FST_PASSKEY_MFA_REGISTRATION_REJECTED', 'The passkey could not be registered', 400)

/** This credential ID is already registered (to any user). */
export const CredentialExistsError: ErrorClass<'FST_PASSKEY_MFA_CREDENTIAL_EXISTS', 409> = createError(
  'FST_PASSKEY_MFA_CREDENTIAL_EXISTS', 'This passkey is already registered', 409)

/**
 * The assertion did not verify. Unknown credential, another user's credential, bad signature and
 * counter regression all give this one error, so callers learn nothing about accounts.
 */
export const AuthenticationRejectedError: ErrorClass<'FST_PASSKEY_MFA_AUTHENTICATION_REJECTED', 401> = createError(
  'FST_PASSKEY_MFA_AUTHENTICATION_REJECTED', 'The passkey could not be verified', 401)

/** The nonce is unknown or was already redeemed. */
export const NonceInvalidError: ErrorClass<'FST_PASSKEY_MFA_NONCE_INVALID', 401> = createError(
  'FST_PASSKEY_MFA_NONCE_INVALID', 'Unknown or already used nonce', 401)

/** The nonce is past its lifetime. */
export const NonceExpiredError: ErrorClass<'FST_PASSKEY_MFA_NONCE_EXPIRED', 410> = createError(
  'FST_PASSKEY_MFA_NONCE_EXPIRED', 'The nonce has expired', 410)

/** The nonce was issued for another transaction, kind or user than expected. */
export const NonceMismatchError: ErrorClass<'FST_PASSKEY_MFA_NONCE_MISMATCH', 403> = createError(
  'FST_PASSKEY_MFA_NONCE_MISMATCH', 'The nonce does not belong to this transaction', 403)

/** A passkey-first sign-in with a credential this server does not hold (removed, or never registered here). */
export const CredentialUnknownError: ErrorClass<'FST_PASSKEY_MFA_CREDENTIAL_UNKNOWN', 401> = createError(
  'FST_PASSKEY_MFA_CREDENTIAL_UNKNOWN', 'This passkey is not registered here', 401)

/** A ceremony answer posted for another transaction than the one this session started, or for another user. */
export const TransactionMismatchError: ErrorClass<'FST_PASSKEY_MFA_TRANSACTION_MISMATCH', 403> = createError(
  'FST_PASSKEY_MFA_TRANSACTION_MISMATCH', 'This passkey step was not started by this session', 403)

/** No passkey with this ID belongs to the user. */
export const PasskeyNotFoundError: ErrorClass<'FST_PASSKEY_MFA_PASSKEY_NOT_FOUND', 404> = createError(
  'FST_PASSKEY_MFA_PASSKEY_NOT_FOUND', 'Unknown passkey', 404)

/** The store failed; nothing was changed. */
export const StoreUnavailableError: ErrorClass<'FST_PASSKEY_MFA_STORE_UNAVAILABLE', 503> = createError(
  'FST_PASSKEY_MFA_STORE_UNAVAILABLE', 'The passkey store is unavailable, try again later', 503)

/** The host called an engine function with an invalid argument (a programming error). */
export const ArgumentInvalidError: ErrorClass<'FST_PASSKEY_MFA_ARGUMENT_INVALID', 500, [string]> = createError(
  'FST_PASSKEY_MFA_ARGUMENT_INVALID', 'Invalid argument: %s', 500)

/** A passkey name must be 1 to 64 characters, not only spaces, and no control, invisible or text-direction characters. */
export const PasskeyNameInvalidError: ErrorClass<'FST_PASSKEY_MFA_PASSKEY_NAME_INVALID', 400> = createError(
  'FST_PASSKEY_MFA_PASSKEY_NAME_INVALID', 'A passkey name is 1 to 64 characters, without control, invisible or text-direction characters', 400)

/** The engine's `allowedAaguids` does not list the AAGUID of the registering authenticator; nothing was stored. */
export const AuthenticatorNotAllowedError: ErrorClass<'FST_PASSKEY_MFA_AUTHENTICATOR_NOT_ALLOWED', 403> = createError(
  'FST_PASSKEY_MFA_AUTHENTICATOR_NOT_ALLOWED', 'This kind of passkey is not accepted here', 403)

/** No icon is known for this AAGUID (its provider is unknown). */
export const AuthenticatorIconNotFoundError: ErrorClass<'FST_PASSKEY_MFA_AUTHENTICATOR_ICON_NOT_FOUND', 404> = createError(
  'FST_PASSKEY_MFA_AUTHENTICATOR_ICON_NOT_FOUND', 'No icon for this authenticator', 404)

/** The request body is larger than the route accepts. */
export const BodyTooLargeError: ErrorClass<'FST_PASSKEY_MFA_BODY_TOO_LARGE', 413> = createError(
  'FST_PASSKEY_MFA_BODY_TOO_LARGE', 'The request body is too large', 413)

/** The request body is not JSON. */
export const MediaTypeUnsupportedError: ErrorClass<'FST_PASSKEY_MFA_MEDIA_TYPE_UNSUPPORTED', 415> = createError(
  'FST_PASSKEY_MFA_MEDIA_TYPE_UNSUPPORTED', 'The request body must be JSON', 415)

/** An unexpected failure; details are logged, never sent. */
export const InternalError: ErrorClass<'FST_PASSKEY_MFA_INTERNAL', 500> = createError(
  'FST_PASSKEY_MFA_INTERNAL', 'Internal error', 500)

/** The route needs a session that completed the passkey step. */
export const NotAuthenticatedError: ErrorClass<'FST_PASSKEY_MFA_NOT_AUTHENTICATED', 401> = createError(
  'FST_PASSKEY_MFA_NOT_AUTHENTICATED', 'Passkey authentication required', 401)

/** The session is not in a state that allows this step (no first factor, no pending transaction). */
export const StateInvalidError: ErrorClass<'FST_PASSKEY_MFA_STATE_INVALID', 401> = createError(
  'FST_PASSKEY_MFA_STATE_INVALID', 'This step is not possible in the current session', 401)

/** A password-only session may register a passkey only for a user who has none yet. */
export const RegistrationForbiddenError: ErrorClass<'FST_PASSKEY_MFA_REGISTRATION_FORBIDDEN', 403> = createError(
  'FST_PASSKEY_MFA_REGISTRATION_FORBIDDEN', 'Sign in with a passkey before adding another one', 403)

/** The route needs a passkey check more recent than the session has. */
export const StepUpRequiredError: ErrorClass<'FST_PASSKEY_MFA_STEP_UP_REQUIRED', 401> = createError(
  'FST_PASSKEY_MFA_STEP_UP_REQUIRED', 'Confirm with your passkey to continue', 401)

/** A factor change (adding, renaming or removing a passkey) needs a passkey check of the last minutes. */
export const FactorChangeStepUpError: ErrorClass<'FST_PASSKEY_MFA_STEP_UP_REQUIRED', 401, [string]> = createError(
  'FST_PASSKEY_MFA_STEP_UP_REQUIRED', 'Confirm with your passkey first: this change needs a passkey check of the last %s', 401)

/** Adding a first passkey to a signed-in account needs a first factor of the last minutes (the user has no passkey to confirm with). */
export const ReauthenticationRequiredError: ErrorClass<'FST_PASSKEY_MFA_REAUTHENTICATION_REQUIRED', 401, [string]> = createError(
  'FST_PASSKEY_MFA_REAUTHENTICATION_REQUIRED', 'Sign in again first: adding a first passkey needs a sign-in of the last %s', 401)

/** With policy `required`, a user's last passkey cannot be removed. */
export const LastPasskeyError: ErrorClass<'FST_PASSKEY_MFA_LAST_PASSKEY', 409> = createError(
  'FST_PASSKEY_MFA_LAST_PASSKEY', 'The last passkey cannot be removed', 409)

/** A session-bearing request came from another site. */
export const CrossSiteRequestError: ErrorClass<'FST_PASSKEY_MFA_CROSS_SITE_REQUEST', 403> = createError(
  'FST_PASSKEY_MFA_CROSS_SITE_REQUEST', 'Cross-site request refused', 403)

/** The session's user no longer exists for the host (`findUser` returned `null`). */
export const UserNotFoundError: ErrorClass<'FST_PASSKEY_MFA_USER_NOT_FOUND', 401> = createError(
  'FST_PASSKEY_MFA_USER_NOT_FOUND', 'Unknown user', 401)

/**
 * Too many requests or failed passkey attempts from this address or for this account; the message
 * and the answer's `Retry-After` say when to try again. Build it with {@link rateLimited}.
 */
export const RateLimitedError: ErrorClass<'FST_PASSKEY_MFA_RATE_LIMITED', 429, [string]> = createError(
  'FST_PASSKEY_MFA_RATE_LIMITED', 'Too many attempts; try again in %s', 429)

/** A {@link RateLimitedError} whose message says how long, and whose answer carries `Retry-After: retryAfterSeconds`. */
export function rateLimited (retryAfterSeconds: number): Error & { retryAfterSeconds: number } {
  return Object.assign(new RateLimitedError(describeDuration(retryAfterSeconds * 1000)), { retryAfterSeconds })
}

/** No route of the plugin answers this method and path under its prefix. */
export const RouteNotFoundError: ErrorClass<'FST_PASSKEY_MFA_ROUTE_NOT_FOUND', 404, [string, string]> = createError(
  'FST_PASSKEY_MFA_ROUTE_NOT_FOUND', 'No route %s %s', 404)

/** The recovery code is not one of the user's unused codes (or is not a code at all). */
export const RecoveryCodeInvalidError: ErrorClass<'FST_PASSKEY_MFA_RECOVERY_CODE_INVALID', 401> = createError(
  'FST_PASSKEY_MFA_RECOVERY_CODE_INVALID', 'Unknown or already used recovery code', 401)

/** The user has no trusted browser of that ID (never had, revoked, or expired). */
export const TrustedBrowserNotFoundError: ErrorClass<'FST_PASSKEY_MFA_TRUSTED_BROWSER_NOT_FOUND', 404> = createError(
  'FST_PASSKEY_MFA_TRUSTED_BROWSER_NOT_FOUND', 'Unknown trusted browser', 404)

/** The browser bundle was not built (`npm run build` writes it). */
export const ClientNotBuiltError: ErrorClass<'FST_PASSKEY_MFA_CLIENT_NOT_BUILT', 404> = createError(
  'FST_PASSKEY_MFA_CLIENT_NOT_BUILT', 'The browser client is not built; run npm run build', 404)
