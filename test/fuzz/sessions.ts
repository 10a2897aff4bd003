import fc from 'fast-check'
import { randomBytes } from 'node:crypto'
import type { CeremonyKind } from '../../src/engine/store.js'
import { ANONYMOUS } from '../../src/mfa/state-machine.js'
import type { MfaState } from '../../src/mfa/state-machine.js'
import { PREFIX } from '../helpers/mfa-app.js'
import { createTransaction } from './material.js'
import { SAME_ORIGIN } from './requests.js'
import { ALICE, BOB, GHOST } from './world.js'
import type { World } from './world.js'

/** The plugin's cookie name in the test apps. */
export const COOKIE = 'passkey_mfa'

/** The trusted-browser cookie's name in the test apps. */
export const TRUST_COOKIE = 'passkey_mfa_trusted'

const MINUTE = 60_000
const PENDING_MS = 5 * MINUTE

/** Whose session: users with passkeys, a new user without one, or one the host no longer knows. */
export type UserPick = 'alice' | 'bob' | 'newcomer' | 'ghost'

/** A session to start a case from. */
export interface SessionSpec {
  level: 'anonymous' | 'first-factor' | 'passkey-pending' | 'authenticated'
  user: UserPick
  /** Kind of the pending transaction (passkey-pending, or authenticated with `pending`). */
  kind: CeremonyKind
  /** An authenticated session with a transaction pending (adding a passkey, or a step-up check). */
  pending: boolean
  /** Time since the first factor (or the passkey step, when authenticated). */
  ageMs: number
  /** Time since the last guarded request (authenticated). */
  idleMs: number
  /** Time since the last passkey check (authenticated); `null` for a user the policy let in without one. */
  passkeyAgeMs: number | null
  /** Logged out before the case: its cookie is a saved copy of a revoked session. */
  loggedOut: boolean
}

/** An open session: the cookie carrying it and the state sealed in it. */
export interface OpenSession {
  /** `passkey_mfa=<value>`, absent when anonymous. */
  cookie: string | undefined
  state: MfaState
  /** The session's user (a user for anonymous sessions too, for cases that need one). */
  externalId: string
}

const age = fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, fc.integer({ min: 0, max: 13 * 60 * MINUTE }))

/** Sessions in every state (mostly past the first factor, with a transaction pending), for every kind of user; mostly fresh. */
export const sessionSpec: fc.Arbitrary<SessionSpec> = fc.record({
  level: fc.oneof(
    fc.constantFrom('anonymous' as const, 'first-factor' as const),
    { weight: 2, arbitrary: fc.constant('passkey-pending' as const) },
    { weight: 3, arbitrary: fc.constant('authenticated' as const) }
  ),
  user: fc.oneof({ weight: 2, arbitrary: fc.constantFrom<UserPick>('alice', 'bob') }, fc.constantFrom<UserPick>('newcomer', 'ghost')),
  kind: fc.constantFrom<CeremonyKind>('register', 'authenticate'),
  pending: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(false)),
  ageMs: age,
  idleMs: age,
  passkeyAgeMs: fc.option(age, { freq: 5 }),
  loggedOut: fc.oneof({ weight: 9, arbitrary: fc.constant(false) }, fc.constant(true))
})

/** The external ID `user` stands for in `world` (a new user for `newcomer`). */
export function userOf (world: World, user: UserPick): string {
  if (user === 'newcomer') return world.newcomer()
  return { alice: ALICE, bob: BOB, ghost: GHOST }[user]
}

/** Opens the session `spec` describes: seals its state (creating its pending transaction) and logs it out if asked. */
export async function openSession (world: World, spec: SessionSpec): Promise<OpenSession> {
  const externalId = userOf(world, spec.user)
  const state = await stateOf(world, spec, externalId)
  if (state.level === 'anonymous') return { cookie: undefined, state, externalId }
  const cookie = `${COOKIE}=${world.mint.state(state)}`
  if (spec.loggedOut) await world.mfa.app.inject({ method: 'POST', url: `${PREFIX}/logout`, headers: { ...SAME_ORIGIN, cookie } })
  return { cookie, state, externalId }
}

async function stateOf (world: World, spec: SessionSpec, externalId: string): Promise<MfaState> {
  const now = world.mfa.clock.now
  const sessionId = randomBytes(16).toString('base64url')
  switch (spec.level) {
    case 'anonymous':
      return ANONYMOUS
    case 'first-factor':
      return { level: 'first-factor', sessionId, externalId, epoch: 0, deadline: now - spec.ageMs + PENDING_MS }
    case 'passkey-pending': {
      const deadline = now - spec.ageMs + PENDING_MS
      const id = await createTransaction(world, spec.kind, externalId, spec.kind === 'register')
      return { level: 'passkey-pending', sessionId, externalId, epoch: 0, deadline, transaction: { id, kind: spec.kind, deadline } }
    }
    case 'authenticated': {
      const transaction = spec.pending
        ? { id: await createTransaction(world, spec.kind, externalId), kind: spec.kind, deadline: now + PENDING_MS }
        : undefined
      return {
        level: 'authenticated',
        sessionId,
        externalId,
        epoch: 0,
        authenticatedAt: now - Math.max(spec.ageMs, spec.idleMs),
        lastSeenAt: now - spec.idleMs,
        passkeyAt: spec.passkeyAgeMs === null ? null : now - spec.passkeyAgeMs,
        ...(transaction === undefined ? {} : { transaction })
      }
    }
  }
}
