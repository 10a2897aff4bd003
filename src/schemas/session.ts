import { Type } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'

const Id = Type.String({ minLength: 1, maxLength: 128 })
const Time = Type.Integer({ minimum: 0 })
const Transaction = Type.Object({
  id: Id,
  kind: Type.Union([Type.Literal('register'), Type.Literal('authenticate')]),
  deadline: Time
})
const FirstFactor = Type.Object({ level: Type.Literal('first-factor'), sessionId: Id, externalId: Id, deadline: Time })
const PasskeyPending = Type.Object({
  level: Type.Literal('passkey-pending'), sessionId: Id, externalId: Id, deadline: Time, transaction: Transaction
})
const Authenticated = Type.Object({
  level: Type.Literal('authenticated'),
  sessionId: Id,
  externalId: Id,
  authenticatedAt: Time,
  lastSeenAt: Time,
  passkeyAt: Type.Union([Time, Type.Null()]),
  transaction: Type.Optional(Transaction)
})

/**
 * What the session cookie may hold: one non-anonymous MFA state, only IDs and times. Every read is
 * checked against it; anything else is treated as anonymous.
 */
export const StoredMfaState = Type.Union([FirstFactor, PasskeyPending, Authenticated])

/** Compiled check of {@link StoredMfaState}. */
export const storedMfaState = TypeCompiler.Compile(StoredMfaState)
