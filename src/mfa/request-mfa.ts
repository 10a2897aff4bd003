import type { FastifyReply, FastifyRequest } from 'fastify'
import type { AuditDetails } from '../audit.js'
import { ArgumentInvalidError, NotAuthenticatedError } from '../errors.js'
import type { PasskeyEngine } from '../engine/engine.js'
import type { AttemptLimiter } from '../limits/attempt-limiter.js'
import type { TransactionCaps } from '../limits/request-limits.js'
import { randomToken } from '../engine/tokens.js'
import type { TrustedBrowserInfo } from '../engine/trusted-browsers.js'
import type { MfaUser, ResolvedOptions } from '../options.js'
import type { RevokedSessions } from './revoked-sessions.js'
import type { SessionCookie } from './session-cookie.js'
import type { TrustedBrowserCookie } from './trusted-browser-cookie.js'
import { ANONYMOUS, expire, transition } from './state-machine.js'
import type { MfaEvent, MfaLevel, MfaState } from './state-machine.js'

/** What the user must do next: the first factor, the passkey step, enroll a first passkey, or nothing. */
export type NextStep = 'first-factor' | 'authenticate' | 'enroll' | 'done'

/** What a request's MFA session needs from the plugin. */
export interface MfaRuntime {
  options: ResolvedOptions
  engine: PasskeyEngine
  cookie: SessionCookie
  /** The cookie of trusted browsers; `null` when they are off. */
  trustedCookie: TrustedBrowserCookie | null
  revoked: RevokedSessions
  /** Records an authentication event (log and `onEvent`). */
  audit: (request: FastifyRequest, details: AuditDetails) => void
  /** Failed attempts per account and address; `null` when limits are off. */
  limiter: AttemptLimiter | null
  /** Transactions per session and account; `null` when limits are off. */
  transactionCaps: TransactionCaps | null
}

/** `request.mfa`: the MFA session of one request, read from its cookie on first use. */
export interface MfaRequest {
  /** `anonymous`, `first-factor`, `passkey-pending` or `authenticated`. */
  readonly state: MfaLevel
  /** The session's user, `null` when anonymous. */
  readonly externalId: string | null
  /** When the session last passed a passkey check (`null`: never, or the policy let the user in without one). */
  readonly passkeyVerifiedAt: Date | null
  /** Whether the session signed in with a recovery code instead of a passkey (the host may ask the user to add a new passkey). */
  readonly recovered: boolean
  /**
   * Call after the host proved the first factor; starts a new session and says what comes next
   * (`done` also when this browser is trusted by this user: signed in with no passkey check).
   */
  completeFirstFactor: (user: MfaUser) => Promise<Exclude<NextStep, 'first-factor'>>
  /**
   * Ends the session; saved copies of its cookie stop passing guards. With `everywhere`, also every
   * other session of the user, on every instance (it needs the authenticated state).
   */
  logout: (options?: { everywhere?: boolean }) => Promise<void>
}

/** Touching the session for the idle timeout is written at most this often. */
const TOUCH_INTERVAL_MS = 60_000

/** The implementation of {@link MfaRequest}, with what the plugin's routes and guards use. */
export class RequestMfa implements MfaRequest {
  readonly #runtime: MfaRuntime
  readonly #request: FastifyRequest
  #session: MfaState | undefined
  #changed = false

  constructor (runtime: MfaRuntime, request: FastifyRequest) {
    this.#runtime = runtime
    this.#request = request
  }

  /**
   * The session's state now: expired, revoked or unreadable sessions are anonymous. Throws
   * `FST_PASSKEY_MFA_STORE_UNAVAILABLE` for a live session while this instance cannot tell whether
   * it was revoked (its revocations are out of sync with the store).
   */
  get session (): MfaState {
    if (this.#session === undefined) {
      const { cookie, revoked, options, engine } = this.#runtime
      const { state, rewrite } = cookie.read(this.#request.headers.cookie, this.#request.log)
      const current = expire(state, engine.now(), options.lifetimes)
      if (current.level !== 'anonymous') revoked.assertFresh()
      this.#session = current.level !== 'anonymous' && revoked.isRevoked(current) ? ANONYMOUS : current
      this.#changed = rewrite || this.#session !== state
    }
    return this.#session
  }

  get state (): MfaLevel {
    return this.session.level
  }

  get externalId (): string | null {
    const session = this.session
    return session.level === 'anonymous' ? null : session.externalId
  }

  get passkeyVerifiedAt (): Date | null {
    const session = this.session
    return session.level === 'authenticated' && session.passkeyAt !== null ? new Date(session.passkeyAt) : null
  }

  get recovered (): boolean {
    const session = this.session
    return session.level === 'authenticated' && session.recovered === true
  }

  /** The state `event` would lead to, without moving (throws the coded error of a move not allowed). */
  next (event: MfaEvent): MfaState {
    const { engine, options } = this.#runtime
    return transition(this.session, event, engine.now(), options.lifetimes)
  }

  /** Makes `state` the session's state; the cookie is sealed again when the reply is sent. */
  commit (state: MfaState): void {
    this.#session = state
    this.#changed = true
  }

  /** Moves the session by `event`. */
  apply (event: MfaEvent): void {
    this.commit(this.next(event))
  }

  /** Records activity of an authenticated session, for its idle timeout (written once a minute at most). */
  touch (): void {
    const session = this.session
    if (session.level === 'authenticated' && this.#runtime.engine.now() - session.lastSeenAt >= TOUCH_INTERVAL_MS) {
      this.apply({ type: 'activity' })
    }
  }

  async completeFirstFactor (user: MfaUser): Promise<Exclude<NextStep, 'first-factor'>> {
    const externalId = checkedExternalId((user ?? {}).externalId, 'user.externalId')
    const { engine, options } = this.#runtime
    const [passkeys, epoch, policy] = await Promise.all([engine.listPasskeys(externalId), engine.userRevokedAt(externalId), options.policy(user)])
    // Read after the epoch: a revocation committed in between deleted the trust, or its position is past the epoch.
    const trusted = passkeys.length > 0 ? await this.#trustedBrowser(externalId) : null
    await this.#revokeAuthenticated()
    const passkeyRequired = trusted === null && (passkeys.length > 0 || policy !== 'optional')
    this.apply({ type: 'first-factor', sessionId: randomToken(16), externalId, epoch, passkeyRequired })
    this.#runtime.audit(this.#request, { type: 'first-factor-completed', externalId })
    if (trusted !== null) this.#runtime.audit(this.#request, { type: 'trusted-browser-used', externalId, trustedBrowserId: trusted.id })
    if (!passkeyRequired) return 'done'
    return passkeys.length > 0 ? 'authenticate' : 'enroll'
  }

  /**
   * The state of a new session of `externalId`, signed in by a passkey alone (passkey-first
   * sign-in), to commit once the host's token is issued: a new session ID, the user's current
   * revocation epoch, a passkey check now. A signed-in session it replaces is revoked first.
   */
  async passkeySignIn (externalId: string): Promise<MfaState> {
    const epoch = await this.#runtime.engine.userRevokedAt(externalId)
    await this.#revokeAuthenticated()
    return this.next({ type: 'passkey-sign-in', sessionId: randomToken(16), externalId, epoch })
  }

  /** The token of this browser's trusted-browser cookie; `null` when there is none or trusted browsers are off. */
  get trustedBrowserToken (): string | null {
    return this.#runtime.trustedCookie?.read(this.#request.headers.cookie) ?? null
  }

  /** This browser's trust by the user, its use recorded; `null` when it has none (or trusted browsers are off). */
  async #trustedBrowser (externalId: string): Promise<TrustedBrowserInfo | null> {
    const token = this.trustedBrowserToken
    return token === null ? null : await this.#runtime.engine.useTrustedBrowser(externalId, token)
  }

  async logout ({ everywhere = false }: { everywhere?: boolean } = {}): Promise<void> {
    const session = this.session
    if (everywhere) {
      if (session.level !== 'authenticated') throw new NotAuthenticatedError()
      await this.revokeUserSessions(session.externalId)
    } else if (session.level !== 'anonymous') {
      await this.#runtime.revoked.revokeSession(session.sessionId, this.#endOf(session))
    }
    if (session.level === 'anonymous') return
    this.apply({ type: 'logout' })
    this.#runtime.audit(this.#request, { type: 'logout', externalId: session.externalId })
  }

  /** Revokes every session of the user, on every instance (this one's too, unless it moves past it with `others-revoked`); returns its position. */
  async revokeUserSessions (externalId: string): Promise<number> {
    const position = await this.#runtime.revoked.revokeUser(externalId)
    this.#runtime.audit(this.#request, { type: 'sessions-revoked', externalId })
    return position
  }

  /** Writes the cookie if the session changed in this request. */
  save (reply: FastifyReply): void {
    if (this.#changed) this.#runtime.cookie.write(reply, this.session, this.#endOf(this.session))
  }

  async #revokeAuthenticated (): Promise<void> {
    const session = this.session
    if (session.level === 'authenticated') await this.#runtime.revoked.revokeSession(session.sessionId, this.#endOf(session))
  }

  /** When a cookie of `session` (or any earlier copy of it) stops being valid on its own. */
  #endOf (session: MfaState): number {
    if (session.level === 'anonymous') return 0
    if (session.level === 'authenticated') return session.authenticatedAt + this.#runtime.options.lifetimes.absolute
    return session.deadline
  }
}

/** `value` when it is an external ID (a string of 1 to 128 characters), else `FST_PASSKEY_MFA_ARGUMENT_INVALID` naming it `name`. */
export function checkedExternalId (value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 128) {
    throw new ArgumentInvalidError(`${name} must be a string of 1 to 128 characters`)
  }
  return value
}
