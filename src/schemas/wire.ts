import { Type } from '@sinclair/typebox'
import type { Static } from '@sinclair/typebox'

/**
 * Bodies and answers of the engine routes, wire-compatible with Passage's browser API v1:
 * snake_case keys outside `handshake`, WebAuthn JSON (camelCase, base64url) inside it.
 */

const base64url = (maxLength: number) => Type.String({ pattern: '^[A-Za-z0-9_-]*$', maxLength })

/** A transaction ID, handshake ID or nonce. */
export const Token = Type.String({ minLength: 1, maxLength: 128 })

/** A credential ID: at most 1023 bytes, by the WebAuthn spec. */
export const CredentialId = Type.String({ pattern: '^[A-Za-z0-9_-]+$', minLength: 1, maxLength: 1364 })

/** WebAuthn transport names (`usb`, `hybrid`, `smart-card`, ...): lowercase tokens, stored with the passkey. */
const Transports = Type.Array(Type.String({ pattern: '^[a-z0-9-]+$', maxLength: 32 }), { maxItems: 16 })

/** Body of `POST /apps/:appId/register/transactions/webauthn/start`. */
export const RegisterStartBody = Type.Object({
  transaction_id: Token,
  authenticator_attachment: Type.Optional(Type.Union([
    Type.Literal('platform'), Type.Literal('cross-platform'), Type.Literal('any')
  ]))
})
export type RegisterStartBody = Static<typeof RegisterStartBody>

/** Body of `POST /apps/:appId/authenticate/transactions/webauthn/start`; without `transaction_id`, a passkey-first sign-in. */
export const AuthenticateStartBody = Type.Object({ transaction_id: Type.Optional(Token) })
export type AuthenticateStartBody = Static<typeof AuthenticateStartBody>

const credentialFields = {
  id: CredentialId,
  rawId: CredentialId,
  type: Type.Literal('public-key'),
  clientExtensionResults: Type.Optional(Type.Object({})),
  authenticatorAttachment: Type.Optional(Type.String({ maxLength: 32 }))
}

/** The browser's answer to a registration ceremony (`transports` also beside `response`, as Passage's SDK sends them). */
export const RegistrationAnswer = Type.Object({
  ...credentialFields,
  response: Type.Object({
    clientDataJSON: base64url(4096),
    attestationObject: base64url(32768),
    transports: Type.Optional(Transports)
  }),
  transports: Type.Optional(Transports)
})
export type RegistrationAnswer = Static<typeof RegistrationAnswer>

/** The browser's answer to an authentication ceremony (`userHandle` `""` when absent, as Passage's SDK sends it). */
export const AuthenticationAnswer = Type.Object({
  ...credentialFields,
  response: Type.Object({
    clientDataJSON: base64url(4096),
    authenticatorData: base64url(4096),
    signature: base64url(2048),
    userHandle: Type.Optional(Type.Union([base64url(86), Type.Null()]))
  })
})
export type AuthenticationAnswer = Static<typeof AuthenticationAnswer>

/** Body of `POST /apps/:appId/register/transactions/webauthn/finish`. */
export const RegisterFinishBody = Type.Object({
  transaction_id: Token,
  handshake_id: Token,
  handshake_response: RegistrationAnswer
})
export type RegisterFinishBody = Static<typeof RegisterFinishBody>

/** Body of `POST /apps/:appId/authenticate/transactions/webauthn/finish`; without `transaction_id`, a passkey-first sign-in's. */
export const AuthenticateFinishBody = Type.Object({
  transaction_id: Type.Optional(Token),
  handshake_id: Token,
  handshake_response: AuthenticationAnswer
})
export type AuthenticateFinishBody = Static<typeof AuthenticateFinishBody>

/** Params of every engine route. */
export const AppParams = Type.Object({ appId: Type.String({ maxLength: 64 }) })
export type AppParams = Static<typeof AppParams>

/** Answer of both ceremony starts: the handshake and the WebAuthn options (`publicKey`). */
export const StartReply = Type.Object({
  handshake: Type.Object({
    id: Token,
    challenge: Type.Object({
      publicKey: Type.Object({ challenge: Type.String() }, { additionalProperties: true })
    })
  }),
  transaction_id: Type.Optional(Token)
})
export type StartReply = Static<typeof StartReply>

/** Answer of both ceremony finishes: the one-time nonce for the host's server. */
export const FinishReply = Type.Object({ nonce: Token })
export type FinishReply = Static<typeof FinishReply>

/**
 * Every error answer: `error` is the HTTP reason phrase (on the engine's Passage-compatible routes,
 * the message again, which Passage's browser SDK shows) and `message` the human text.
 */
export const ErrorReply = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String(),
  error: Type.String(),
  message: Type.String()
})
export type ErrorReply = Static<typeof ErrorReply>
