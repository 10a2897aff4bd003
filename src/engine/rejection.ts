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
