import { normalizeIP } from '@fastify/rate-limit'
import type { FastifyRequest } from 'fastify'
import type { RequestMfa } from '../mfa/request-mfa.js'

/** What a limit counts: a client address (IPv6 by /64), an MFA session or an account. */
export type LimitScope = 'account' | 'address' | 'session'

/** Records a request a limit refused (`429`), for `retryAfterSeconds` more. */
export type RefusalListener = (request: FastifyRequest, scope: LimitScope, retryAfterSeconds: number) => void

/** Limited keys remembered at most; past it the oldest are forgotten (their next refusal is recorded again). */
const REMEMBERED_KEYS = 10_000

/**
 * Hands a limit's refusals to a listener, the first of each lock or window only: the refusals that
 * follow for the same limit and key until the `Retry-After` of the recorded one has passed are left
 * out, so a client that keeps knocking cannot flood the audit trail (each refusal is still logged
 * with its code). Kept per instance.
 */
export class RefusalEvents {
  readonly #until = new Map<string, number>()
  readonly #now: () => number
  readonly #listener: RefusalListener

  constructor (now: () => number, listener: RefusalListener) {
    this.#now = now
    this.#listener = listener
  }

  /** `request` was refused by `limit` (e.g. `attempts`) counting its `scope`, for `retryAfterSeconds`. */
  refused (request: FastifyRequest, limit: string, scope: LimitScope, retryAfterSeconds: number): void {
    const key = `${limit}:${scope}:${idOf(request, scope)}`
    const now = this.#now()
    if ((this.#until.get(key) ?? 0) > now) return
    if (this.#until.size === REMEMBERED_KEYS) this.#until.delete(this.#until.keys().next().value as string)
    this.#until.set(key, now + retryAfterSeconds * 1000)
    this.#listener(request, scope, retryAfterSeconds)
  }
}

function idOf (request: FastifyRequest, scope: LimitScope): string {
  if (scope === 'address') return normalizeIP(request.ip, 64)
  const session = (request.mfa as RequestMfa).session as { sessionId: string, externalId: string }
  return scope === 'session' ? session.sessionId : session.externalId
}
