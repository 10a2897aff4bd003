import type { StoredSession } from '../schemas/session.js'
import type { Anonymous, MfaState, PendingTransaction } from './state-machine.js'

type StoredTransaction = [string, 'r' | 'a', number]

/** The compact form of a state for the cookie (see {@link StoredSession}). */
export function toStored (state: Exclude<MfaState, Anonymous>): StoredSession {
  const stored = storedLevel(state)
  if (state.epoch > 0) stored.v = state.epoch
  return stored
}

function storedLevel (state: Exclude<MfaState, Anonymous>): StoredSession {
  const { sessionId: s, externalId: u } = state
  switch (state.level) {
    case 'first-factor':
      return { l: 'f', s, u, d: state.deadline }
    case 'passkey-pending':
      return { l: 'p', s, u, d: state.deadline, t: storedTransaction(state.transaction) }
    case 'authenticated': {
      const stored: StoredSession = { l: 'a', s, u, a: state.authenticatedAt, e: state.lastSeenAt }
      if (state.passkeyAt !== null) stored.k = state.passkeyAt
      if (state.recovered === true) stored.r = 1
      if (state.transaction !== undefined) stored.t = storedTransaction(state.transaction)
      return stored
    }
  }
}

/** The state a checked {@link StoredSession} holds. */
export function fromStored (stored: StoredSession): MfaState {
  const { s: sessionId, u: externalId, v: epoch = 0 } = stored
  switch (stored.l) {
    case 'f':
      return { level: 'first-factor', sessionId, externalId, epoch, deadline: stored.d }
    case 'p':
      return { level: 'passkey-pending', sessionId, externalId, epoch, deadline: stored.d, transaction: pendingTransaction(stored.t) }
    case 'a': {
      const state: MfaState = {
        level: 'authenticated', sessionId, externalId, epoch, authenticatedAt: stored.a, lastSeenAt: stored.e, passkeyAt: stored.k ?? null
      }
      if (stored.r === 1) state.recovered = true
      if (stored.t !== undefined) state.transaction = pendingTransaction(stored.t)
      return state
    }
  }
}

function storedTransaction ({ id, kind, deadline }: PendingTransaction): StoredTransaction {
  return [id, kind === 'register' ? 'r' : 'a', deadline]
}

function pendingTransaction ([id, kind, deadline]: StoredTransaction): PendingTransaction {
  return { id, kind: kind === 'r' ? 'register' : 'authenticate', deadline }
}
