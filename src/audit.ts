import type { FastifyBaseLogger, FastifyRequest } from 'fastify'
import type { CeremonyKind } from './engine/store.js'

/** What happened. */
export type AuditEventType =
  | 'first-factor-completed' | 'transaction-created' | 'ceremony-succeeded' | 'ceremony-failed'
  | 'nonce-redeemed' | 'nonce-refused' | 'passkey-added' | 'passkey-renamed' | 'passkey-revoked'
  | 'logout' | 'sessions-revoked' | 'cross-site-refused' | 'locked-out' | 'rate-limited'
  | 'revocation-sync-stale' | 'revocation-sync-recovered'
  | 'recovery-codes-generated' | 'recovery-code-used' | 'recovery-code-refused' | 'passkey-sign-in'
  | 'browser-trusted' | 'trusted-browser-used' | 'trusted-browser-revoked' | 'user-reset' | 'user-deleted'

/**
 * An authentication event, for an audit trail. It names the user and the client address, never a
 * secret (no nonce, challenge, transaction ID, cookie or token).
 */
export interface AuditEvent {
  type: AuditEventType
  /** Epoch milliseconds. */
  at: number
  /** The user, when known (a refused ceremony with an unknown transaction has none). */
  externalId: string | null
  /** `request.ip`; `null` for an event no request caused (the revocation sync's health). */
  address: string | null
  /** The ceremony, for transaction, ceremony and nonce events. */
  kind?: CeremonyKind
  /** Why it failed: an error code, and for rejected ceremonies a reason such as `signature` or `counter`. */
  code?: string
  reason?: string
  passkeyId?: string
  /** For the trusted-browser events: which browser (`trusted-browser-revoked` without it: all of the user's). */
  trustedBrowserId?: string
  /** For `locked-out` and `rate-limited`: what was limited, and for how long. */
  scope?: 'account' | 'address' | 'session'
  retryAfterSeconds?: number
  /** For `recovery-codes-generated` and `recovery-code-used`: how many codes the user has left. */
  recoveryCodesLeft?: number
}

/** Receives every {@link AuditEvent}; it must not throw (a throw is logged and ignored). */
export type AuditListener = (event: AuditEvent) => void

/** The details of an event; its time and address come from the request. */
export type AuditDetails = Omit<AuditEvent, 'at' | 'address'>

/**
 * Records an event: logged at info (`event` is its type) and handed to `listener`. A listener that
 * throws is logged at error; the request goes on.
 */
export function audit (request: FastifyRequest, listener: AuditListener | null, details: AuditDetails, now = Date.now()): void {
  record(request.log, 'info', listener, { ...details, at: now, address: request.ip })
}

/** Records an event no request caused, logged at `level`, as {@link audit} does. */
export function auditInstance (log: FastifyBaseLogger, level: 'info' | 'error', listener: AuditListener | null, details: AuditDetails, now: number): void {
  record(log, level, listener, { ...details, at: now, address: null })
}

function record (log: FastifyBaseLogger, level: 'info' | 'error', listener: AuditListener | null, event: AuditEvent): void {
  const { type, at, address, ...fields } = event
  log[level]({ event: type, ...fields }, `passkey-mfa: ${type.replaceAll('-', ' ')}`)
  if (listener === null) return
  try {
    listener(event)
  } catch (err) {
    log.error({ err }, 'passkey-mfa: the audit listener threw')
  }
}
