import { Type } from '@sinclair/typebox'
import type { Static } from '@sinclair/typebox'
import { Token } from './wire.js'

/** Bodies and answers of the host-facing routes under the plugin's prefix. */

/** Answer of `POST /register` and `POST /authenticate`: the transaction for the browser's ceremony. */
export const TransactionReply = Type.Object({ transactionId: Token })
export type TransactionReply = Static<typeof TransactionReply>

/**
 * Body of `POST /verify`: the nonce the browser's ceremony returned; `trustBrowser` (with trusted
 * browsers on, after a passkey authentication) also trusts this browser.
 */
export const VerifyBody = Type.Object({ nonce: Token, trustBrowser: Type.Optional(Type.Boolean()) })
export type VerifyBody = Static<typeof VerifyBody>

/** Answer of `POST /verify`: the host's token when the passkey step completed a sign-in. */
export const VerifyReply = Type.Object({
  state: Type.Literal('authenticated'),
  auth_token: Type.Optional(Type.String())
})
export type VerifyReply = Static<typeof VerifyReply>

/** The MFA state of a session. */
export const MfaStateName = Type.Union([Type.Literal('anonymous'), Type.Literal('first-factor'), Type.Literal('passkey-pending'), Type.Literal('authenticated')])

/** What the user must do next. */
export const NextStepName = Type.Union([Type.Literal('first-factor'), Type.Literal('authenticate'), Type.Literal('enroll'), Type.Literal('done')])

/** Answer of `GET /status`. */
export const StatusReply = Type.Object({
  state: MfaStateName,
  next: NextStepName,
  hasPasskeys: Type.Boolean(),
  /** ISO time the passkey step must be done by, while it is pending. */
  pendingUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** How many recovery codes the user has left, for authenticated sessions (`null` otherwise). */
  recoveryCodesLeft: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  /** Whether the session signed in with a recovery code (then it should add a new passkey). */
  recovered: Type.Boolean(),
  /** How long a passkey authentication may trust this browser (`trustBrowser`); `null` when trusted browsers are off. */
  trustedBrowserLifetimeMs: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])
})
export type StatusReply = Static<typeof StatusReply>

/** A passkey as the account page lists it. */
export const PasskeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  authenticatorName: Type.Union([Type.String(), Type.Null()]),
  aaguid: Type.String(),
  transports: Type.Array(Type.String()),
  backupEligible: Type.Boolean(),
  backedUp: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()])
})
export type PasskeyView = Static<typeof PasskeyView>

/** Answer of `GET /passkeys`. */
export const PasskeyListReply = Type.Object({ passkeys: Type.Array(PasskeyView) })
export type PasskeyListReply = Static<typeof PasskeyListReply>

/** Params of `PATCH` and `DELETE /passkeys/:id`. */
export const PasskeyParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })
export type PasskeyParams = Static<typeof PasskeyParams>

/** Body of `PATCH /passkeys/:id`. */
export const RenameBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) })
export type RenameBody = Static<typeof RenameBody>

/** Answer of `POST /recovery-codes`: the new codes, shown once. */
export const RecoveryCodesReply = Type.Object({ codes: Type.Array(Type.String()) })
export type RecoveryCodesReply = Static<typeof RecoveryCodesReply>

/** Body of `POST /recovery`: a recovery code as the user typed it (any case, dashes and spaces optional). */
export const RecoveryBody = Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false })
export type RecoveryBody = Static<typeof RecoveryBody>

/** A trusted browser as the account page lists it. */
export const TrustedBrowserView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time' }),
  /** Whether it is the browser asking. */
  current: Type.Boolean()
})
export type TrustedBrowserView = Static<typeof TrustedBrowserView>

/** Answer of `GET /trusted-browsers`. */
export const TrustedBrowserListReply = Type.Object({ trustedBrowsers: Type.Array(TrustedBrowserView) })
export type TrustedBrowserListReply = Static<typeof TrustedBrowserListReply>

/** Params of `DELETE /trusted-browsers/:id`. */
export const TrustedBrowserParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })
export type TrustedBrowserParams = Static<typeof TrustedBrowserParams>

/** Body of `POST /logout` (optional): `everywhere` also ends the user's other sessions, on every device. */
export const LogoutBody = Type.Object({ everywhere: Type.Optional(Type.Boolean()) }, { additionalProperties: false })
export type LogoutBody = Static<typeof LogoutBody>

/** Answer of `POST /sign-out-others`: this session stays signed in. */
export const SignOutOthersReply = Type.Object({ state: Type.Literal('authenticated') })
export type SignOutOthersReply = Static<typeof SignOutOthersReply>

/** Answer of `POST /logout`. */
export const LogoutReply = Type.Object({ state: Type.Literal('anonymous') })
export type LogoutReply = Static<typeof LogoutReply>
