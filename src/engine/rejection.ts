/**
 * Why a ceremony was rejected, as a short code safe to log. Library messages are never logged as
 * they are: they quote challenges.
 */
export type RejectionReason =
  | 'challenge' | 'origin' | 'cross-origin' | 'rp-id' | 'type' | 'user-presence' | 'user-verification'
  | 'algorithm' | 'counter' | 'backup-eligibility' | 'signature' | 'credential' | 'malformed'

const PATTERNS: Array<[RegExp, RejectionReason]> = [
  [/challenge/i, 'challenge'],
  [/top origin|cross-origin/i, 'cross-origin'],
  [/origin/i, 'origin'],
  [/RP ID/i, 'rp-id'],
  [/response type/i, 'type'],
  [/present/i, 'user-presence'],
  [/verif/i, 'user-verification'],
  [/alg/i, 'algorithm'],
  [/counter/i, 'counter']
]

/** The reason code of an error thrown by `@simplewebauthn/server`. */
export function reasonOf (error: unknown): RejectionReason {
  const message = String((error as Error).message)
  return PATTERNS.find(([pattern]) => pattern.test(message))?.[1] ?? 'malformed'
}

/** `error` with its reason attached as `reason`, for logs and audit events. */
export function withReason<E extends Error> (error: E, reason: RejectionReason): E & { reason: RejectionReason } {
  return Object.assign(error, { reason })
}

/** Whose passkey a completed ceremony registered or used (for audit events and the session). */
export interface CompletedCeremony {
  externalId: string
  passkeyId: string
}

/** What a finished ceremony produced: the nonce for the browser, and whose passkey it was. */
export interface FinishedCeremony extends CompletedCeremony {
  nonce: string
}

/**
 * `ceremony`, whose failure carries `externalId`: the transaction's user, for audit events and
 * per-account limits (never sent to the browser).
 */
export async function attributedTo<T> (externalId: string, ceremony: Promise<T>): Promise<T> {
  return ceremony.catch((error: Error) => { throw Object.assign(error, { externalId }) })
}
