import { Type } from '@sinclair/typebox'
import type { Static } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'

const Id = Type.String({ minLength: 1, maxLength: 128 })
/** Epoch milliseconds before the year 9000: any time plus a lifetime still has the 4-digit year that cookie dates and JSON date-times need. */
const Time = Type.Integer({ minimum: 0, maximum: Date.UTC(9000, 0, 1) })
/** A store position (the user's latest "sign out everywhere" when the session began); absent means 0. */
const Epoch = Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }))

/**
 * What the session cookie holds: one non-anonymous MFA state, only IDs and epoch-millisecond times,
 * under one-letter keys so that it stays under 512 bytes sealed:
 * `l` level (`f` first factor, `p` passkey pending, `a` authenticated), `s` session ID, `u` external ID,
 * `d` deadline of the passkey step, `t` pending transaction `[id, 'r' | 'a' (its kind), deadline]`,
 * `a` authenticated at, `e` last seen at, `k` last passkey check (absent or `null`: none), `r` 1 when signed in with a
 * recovery code, `v` the user's revocation
 * epoch when the session began (absent when 0).
 * Every read is checked against it; anything else is anonymous.
 */
export const StoredSession = Type.Union([
  Type.Object({ l: Type.Literal('f'), s: Id, u: Id, v: Epoch, d: Time }),
  Type.Object({ l: Type.Literal('p'), s: Id, u: Id, v: Epoch, d: Time, t: Type.Tuple([Id, Type.Union([Type.Literal('r'), Type.Literal('a')]), Time]) }),
  Type.Object({
    l: Type.Literal('a'),
    s: Id,
    u: Id,
    v: Epoch,
    a: Time,
    e: Time,
    k: Type.Optional(Type.Union([Time, Type.Null()])),
    r: Type.Optional(Type.Literal(1)),
    t: Type.Optional(Type.Tuple([Id, Type.Union([Type.Literal('r'), Type.Literal('a')]), Time]))
  })
])
export type StoredSession = Static<typeof StoredSession>

/** Compiled check of {@link StoredSession}. */
export const storedSession = TypeCompiler.Compile(StoredSession)
