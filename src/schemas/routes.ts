import { Type } from '@sinclair/typebox'
import type { Static } from '@sinclair/typebox'
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server'
import { AuthenticationAnswer, RegistrationAnswer, Token } from './wire.js'

/** Bodies and answers of the host-facing routes under the plugin's prefix. */

/** Body of `POST /register`: which authenticators may create the passkey (default `any`). */
export const RegisterBody = Type.Object({
  authenticatorAttachment: Type.Optional(Type.Union([Type.Literal('platform'), Type.Literal('cross-platform'), Type.Literal('any')]))
})
export type RegisterBody = Static<typeof RegisterBody>

/**
 * Answer of `POST /register` and `POST /authenticate`: the transaction, and the WebAuthn options of
 * its ceremony, already started (`navigator.credentials.create` or `get` takes them as they are).
 */
export const TransactionReply = Type.Object({
  transactionId: Token,
  options: Type.Unsafe<PublicKeyCredentialCreationOptionsJSON | PublicKeyCredentialRequestOptionsJSON>(
    Type.Object({ challenge: Type.String() }, { additionalProperties: true }))
})
export type TransactionReply = Static<typeof TransactionReply>

const trustBrowser = Type.Optional(Type.Boolean())

/** `POST /verify` with the nonce of a ceremony run over the engine routes (four requests, as Passage's SDK runs it). */
export const NonceVerifyBody = Type.Object({ nonce: Token, trustBrowser })
export type NonceVerifyBody = Static<typeof NonceVerifyBody>

/** `POST /verify` with the browser's answer to the ceremony of the session's transaction itself (two requests, no nonce). */
export const CeremonyVerifyBody = Type.Object({
  transactionId: Token,
  response: Type.Union([AuthenticationAnswer, RegistrationAnswer]),
  trustBrowser
})
export type CeremonyVerifyBody = Static<typeof CeremonyVerifyBody>

/**
 * Body of `POST /verify`: the nonce the browser's ceremony returned, or the transaction and the
 * ceremony's answer; `trustBrowser` (with trusted browsers on, after a passkey authentication) also
 * trusts this browser.
 */
export const VerifyBody = Type.Union([NonceVerifyBody, CeremonyVerifyBody])
export type VerifyBody = Static<typeof VerifyBody>

/** Body of `POST /sign-in`: the nonce of a passkey-first ceremony (no transaction). */
export const SignInBody = Type.Object({ nonce: Token })
export type SignInBody = Static<typeof SignInBody>

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
  trustedBrowserLifetimeMs: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
  /** Whether a passkey alone may sign in (`POST /sign-in`, option `passkeySignIn`). */
  passkeySignIn: Type.Boolean()
})
export type StatusReply = Static<typeof StatusReply>

/** A passkey as the account page lists it. */
export const PasskeyView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  authenticatorName: Type.Union([Type.String(), Type.Null()]),
  /** URLs of the provider's icon for light and dark pages, served by the plugin; `null` when the provider is unknown. */
  icon: Type.Union([Type.Object({ light: Type.String(), dark: Type.String() }), Type.Null()]),
  aaguid: Type.String(),
  /** The WebAuthn credential ID (base64url), for the Signal API. */
  credentialId: Type.String(),
  transports: Type.Array(Type.String()),
  backupEligible: Type.Boolean(),
  backedUp: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()])
})
export type PasskeyView = Static<typeof PasskeyView>

/** The passkey user as the browser's passkey provider knows them: the user handle (`null` for a user with no passkey) and the host's display name. */
export const PasskeyUser = Type.Object({
  id: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  displayName: Type.String()
})
export type PasskeyUser = Static<typeof PasskeyUser>

/**
 * Answer of `GET /passkeys`: the passkeys, and what the WebAuthn Signal API needs
 * (`signalAllAcceptedCredentials`, `signalCurrentUserDetails`): the RP ID and the user.
 */
export const PasskeyListReply = Type.Object({ passkeys: Type.Array(PasskeyView), rpId: Type.String(), user: PasskeyUser })
export type PasskeyListReply = Static<typeof PasskeyListReply>

/** Params of `PATCH` and `DELETE /passkeys/:id`. */
export const PasskeyParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) })
export type PasskeyParams = Static<typeof PasskeyParams>

/** Params of `GET /authenticator-icons/:aaguid/:theme.svg`. */
export const AuthenticatorIconParams = Type.Object({
  aaguid: Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$' }),
  theme: Type.Union([Type.Literal('light'), Type.Literal('dark')])
})
export type AuthenticatorIconParams = Static<typeof AuthenticatorIconParams>

/** Query of `GET /authenticator-icons/:aaguid/:theme.svg`: `v`, the icon's digest, makes its URL change with it. */
export const AuthenticatorIconQuery = Type.Object({ v: Type.Optional(Type.String({ pattern: '^[0-9a-f]{1,64}$' })) })
export type AuthenticatorIconQuery = Static<typeof AuthenticatorIconQuery>

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
