import { RegistrationForbiddenError, StateInvalidError } from '../errors.js'
import type { CeremonyKind } from '../engine/store.js'

/** A passkey transaction this session created and may redeem a nonce of. */
export interface PendingTransaction {
  id: string
  kind: CeremonyKind
  /** Epoch milliseconds. */
  deadline: number
}

/** No first factor (or logged out, or expired). */
export interface Anonymous { level: 'anonymous' }

/** The host proved the first factor; the passkey step is next. */
export interface FirstFactor {
  level: 'first-factor'
  sessionId: string
  externalId: string
  /** The store's position of the user's latest "sign out everywhere" when the session began; a later one ends it. */
  epoch: number
  /** Fixed end of the passkey step (first factor time + pending lifetime); activity does not extend it. */
  deadline: number
}

/** A transaction was created for the passkey step. */
export interface PasskeyPending extends Omit<FirstFactor, 'level'> {
  level: 'passkey-pending'
  transaction: PendingTransaction
}

/** Both factors done. A transaction may be pending for adding a passkey or a step-up check. */
export interface Authenticated {
  level: 'authenticated'
  sessionId: string
  externalId: string
  /** As in {@link FirstFactor}; moved forward when this session itself revokes the user's other sessions. */
  epoch: number
  /** The first factor (policy `optional`, no passkey) or the passkey step that signed the session in. */
  authenticatedAt: number
  lastSeenAt: number
  /** Last passkey authentication; `null` when none (a user without passkeys, or one who has only enrolled). */
  passkeyAt: number | null
  /** Signed in with a recovery code instead of a passkey: the host may ask for a new passkey. */
  recovered?: true
  transaction?: PendingTransaction
}

/** The MFA state of a session. */
export type MfaState = Anonymous | FirstFactor | PasskeyPending | Authenticated

/** The levels of {@link MfaState}. */
export type MfaLevel = MfaState['level']

/** What moves a session. */
export type MfaEvent =
  | { type: 'first-factor', sessionId: string, externalId: string, epoch: number, passkeyRequired: boolean }
  | { type: 'transaction', id: string, kind: CeremonyKind, hasPasskeys: boolean }
  | { type: 'verified' }
  | { type: 'recovered' }
  | { type: 'passkey-sign-in', sessionId: string, externalId: string, epoch: number }
  | { type: 'activity' }
  | { type: 'others-revoked', epoch: number }
  | { type: 'logout' }

/** How long each state lasts, in milliseconds. */
export interface MfaLifetimes {
  pending: number
  idle: number
  absolute: number
}

/** The anonymous state. */
export const ANONYMOUS: Anonymous = { level: 'anonymous' }

/**
 * The state `state` is in at `now`: anonymous once its deadline, idle timeout or absolute lifetime
 * has passed; an authenticated state drops an expired pending transaction.
 */
export function expire (state: MfaState, now: number, lifetimes: MfaLifetimes): MfaState {
  switch (state.level) {
    case 'anonymous':
      return state
    case 'first-factor':
    case 'passkey-pending':
      return now < state.deadline ? state : ANONYMOUS
    case 'authenticated': {
      if (now >= state.lastSeenAt + lifetimes.idle || now >= state.authenticatedAt + lifetimes.absolute) return ANONYMOUS
      if (state.transaction === undefined || now < state.transaction.deadline) return state
      const { transaction, ...settled } = state
      return settled
    }
  }
}

/**
 * The state after `event`, or a coded error when the event is not allowed in `state`.
 * `state` must already be {@link expire}d at `now`.
 */
export function transition (state: MfaState, event: MfaEvent, now: number, lifetimes: MfaLifetimes): MfaState {
  switch (event.type) {
    case 'first-factor': {
      const { sessionId, externalId, epoch } = event
      return event.passkeyRequired
        ? { level: 'first-factor', sessionId, externalId, epoch, deadline: now + lifetimes.pending }
        : { level: 'authenticated', sessionId, externalId, epoch, authenticatedAt: now, lastSeenAt: now, passkeyAt: null }
    }
    case 'transaction':
      return withTransaction(state, event, now, lifetimes)
    case 'verified':
      return verified(state, now)
    case 'recovered':
      return recovered(state, now)
    case 'passkey-sign-in': {
      const { sessionId, externalId, epoch } = event
      return { level: 'authenticated', sessionId, externalId, epoch, authenticatedAt: now, lastSeenAt: now, passkeyAt: now }
    }
    case 'activity':
      return state.level === 'authenticated' ? { ...state, lastSeenAt: now } : state
    case 'others-revoked':
      return state.level === 'anonymous' ? state : { ...state, epoch: Math.max(state.epoch, event.epoch) }
    case 'logout':
      return ANONYMOUS
  }
}

/**
 * Throws unless `state` may start a transaction of `kind`: any session past the first factor may
 * authenticate; registering needs `authenticated`, or a user with no passkey yet (enrollment).
 */
export function assertCanStart (state: MfaState, kind: CeremonyKind, hasPasskeys: boolean): asserts state is Exclude<MfaState, Anonymous> {
  if (state.level === 'anonymous') throw new StateInvalidError()
  if (kind === 'register' && hasPasskeys && state.level !== 'authenticated') throw new RegistrationForbiddenError()
}

function withTransaction (
  state: MfaState, { id, kind, hasPasskeys }: { id: string, kind: CeremonyKind, hasPasskeys: boolean }, now: number, lifetimes: MfaLifetimes
): MfaState {
  assertCanStart(state, kind, hasPasskeys)
  if (state.level === 'authenticated') {
    return { ...state, transaction: { id, kind, deadline: now + lifetimes.pending } }
  }
  const { sessionId, externalId, epoch, deadline } = state
  return { level: 'passkey-pending', sessionId, externalId, epoch, deadline, transaction: { id, kind, deadline } }
}

/** A recovery code stands in for the passkey step of a session past the first factor, and is no passkey check. */
function recovered (state: MfaState, now: number): Authenticated {
  if (state.level !== 'first-factor' && state.level !== 'passkey-pending') throw new StateInvalidError()
  const { sessionId, externalId, epoch } = state
  return { level: 'authenticated', sessionId, externalId, epoch, authenticatedAt: now, lastSeenAt: now, passkeyAt: null, recovered: true }
}

/** Only an authentication counts as a passkey check: a registration proves no more than the session already had. */
function verified (state: MfaState, now: number): Authenticated {
  if (state.level === 'passkey-pending') {
    const { sessionId, externalId, epoch, transaction } = state
    const passkeyAt = transaction.kind === 'authenticate' ? now : null
    return { level: 'authenticated', sessionId, externalId, epoch, authenticatedAt: now, lastSeenAt: now, passkeyAt }
  }
  if (state.level !== 'authenticated' || state.transaction === undefined) throw new StateInvalidError()
  const { transaction, ...settled } = state
  return { ...settled, lastSeenAt: now, passkeyAt: transaction.kind === 'authenticate' ? now : settled.passkeyAt }
}
