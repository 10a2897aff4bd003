import { performance } from 'node:perf_hooks'
import type { PasskeyEngine } from '../engine/engine.js'
import type { Revocation } from '../engine/store.js'
import { StoreUnavailableError } from '../errors.js'
import type { Anonymous, MfaState } from './state-machine.js'

/**
 * How much the clocks of instances sharing a store may differ. A session revocation is kept this long
 * after its session would have died. A user revocation is kept twice as long, and stops applying here
 * this long before it expires: it covers the sessions it ends on every instance's clock, and every
 * instance forgets it before any instance's sweep deletes it, so a new session (whose epoch no longer
 * counts it) is never refused by an instance that still remembers it.
 */
export const CLOCK_SKEW_MS = 5 * 60_000

/** Reports the health of the sync: `stale` once it has failed for longer than allowed, `recovered` after. */
export type SyncHealthListener = (health: 'stale' | 'recovered', error: unknown) => void

/** How the revocations are kept in sync with the store. */
export interface RevokedSessionsOptions {
  /** How often the revocations of other instances are loaded. */
  syncMs: number
  /** How long the sync may go without success before sessions are refused with a 503. */
  maxStalenessMs: number
  /** The longest a session lives from its start: the passkey step's deadline, then the absolute lifetime. */
  sessionLifetimeMs: number
  onHealth: SyncHealthListener
}

/**
 * The revoked sessions, kept in memory so that a guard checks a session with two `Map` lookups: the
 * sessions logged out, and each user's latest "sign out everywhere". Revocations are written to the
 * store first and loaded back from it in the store's order (its positions, never an instance's
 * clock), so every instance sharing the store refuses a revoked cookie within one sync interval.
 * While the sync fails for longer than `maxStalenessMs`, {@link RevokedSessions.assertFresh} refuses:
 * a revoked session must never pass because this instance could not learn of it.
 */
export class RevokedSessions {
  readonly #engine: PasskeyEngine
  readonly #options: RevokedSessionsOptions
  /** Session ID → when its revocation expires. */
  readonly #sessions = new Map<string, number>()
  /** External ID → the user's latest user revocation. */
  readonly #users = new Map<string, { position: number, expiresAt: number }>()
  #position = 0
  /** `performance.now()` of the last successful sync. */
  #syncedAt = -Infinity
  #stale = false
  #lastError: unknown = null
  #syncing: Promise<void> | null = null
  #timer: NodeJS.Timeout | undefined

  constructor (engine: PasskeyEngine, options: RevokedSessionsOptions) {
    this.#engine = engine
    this.#options = options
  }

  /** Whether `session` was logged out, or began before its user's latest "sign out everywhere". */
  isRevoked (session: Exclude<MfaState, Anonymous>): boolean {
    return this.#sessions.has(session.sessionId) || (this.#users.get(session.externalId)?.position ?? 0) > session.epoch
  }

  /** Throws `FST_PASSKEY_MFA_STORE_UNAVAILABLE` when the last successful sync is older than `maxStalenessMs`. */
  assertFresh (): void {
    if (performance.now() - this.#syncedAt > this.#options.maxStalenessMs) {
      throw new StoreUnavailableError({ cause: new Error('revoked sessions are not in sync with the store') })
    }
  }

  /** Revokes a session in the store, then here. Throws `FST_PASSKEY_MFA_STORE_UNAVAILABLE` if the store fails. */
  async revokeSession (sessionId: string, expiresAt: number): Promise<void> {
    await this.#engine.revokeSession(sessionId, expiresAt + CLOCK_SKEW_MS)
    this.#sessions.set(sessionId, expiresAt + CLOCK_SKEW_MS)
  }

  /**
   * Revokes every session the user began so far, on every instance, in the store and then here;
   * returns the revocation's position (the epoch of a session that is to survive it).
   */
  async revokeUser (externalId: string): Promise<number> {
    const position = await this.#engine.revokeUserSessions(externalId, this.userRevocationExpiry())
    this.noteUserRevocation(externalId, position)
    return position
  }

  /**
   * When a user revocation made now may be swept: once every session begun before it has ended on
   * its own, on any instance's clock, with a margin so every instance forgets it first.
   */
  userRevocationExpiry (): number {
    return this.#engine.now() + this.#options.sessionLifetimeMs + 2 * CLOCK_SKEW_MS
  }

  /** Applies here a user revocation at `position` that was just written to the store (by {@link RevokedSessions.revokeUser} or with a passkey removal). */
  noteUserRevocation (externalId: string, position: number): void {
    this.#noteUser(externalId, position, this.userRevocationExpiry())
  }

  /** Loads the revocations committed since the last sync, by any instance, and forgets expired ones. One sync runs at a time. */
  async sync (): Promise<void> {
    this.#syncing ??= this.#load().finally(() => { this.#syncing = null })
    return this.#syncing
  }

  /** Syncs now (throwing if that fails), then every `syncMs`; a sync failing or hanging too long is reported through `onHealth`. */
  async start (): Promise<void> {
    await this.sync()
    this.#timer = setInterval(() => { this.#tick() }, this.#options.syncMs).unref()
  }

  /** Stops syncing. */
  stop (): void {
    clearInterval(this.#timer)
  }

  #tick (): void {
    this.sync().catch((error: unknown) => { this.#lastError = error })
    if (!this.#stale && performance.now() - this.#syncedAt > this.#options.maxStalenessMs) {
      this.#stale = true
      this.#options.onHealth('stale', this.#lastError)
    }
  }

  async #load (): Promise<void> {
    const revocations = await this.#engine.listRevocations(this.#position)
    for (const revocation of revocations) this.#apply(revocation)
    this.#forgetExpired(this.#engine.now())
    this.#syncedAt = performance.now()
    this.#lastError = null
    if (this.#stale) {
      this.#stale = false
      this.#options.onHealth('recovered', null)
    }
  }

  #apply ({ position, kind, subject, expiresAt }: Revocation): void {
    if (kind === 'session') this.#sessions.set(subject, expiresAt)
    else this.#noteUser(subject, position, expiresAt)
    this.#position = Math.max(this.#position, position)
  }

  #noteUser (externalId: string, position: number, expiresAt: number): void {
    const known = this.#users.get(externalId)
    if (known === undefined || known.position < position) this.#users.set(externalId, { position, expiresAt })
  }

  #forgetExpired (now: number): void {
    for (const [sessionId, expiresAt] of this.#sessions) {
      if (expiresAt < now) this.#sessions.delete(sessionId)
    }
    for (const [externalId, { expiresAt }] of this.#users) {
      if (expiresAt - CLOCK_SKEW_MS < now) this.#users.delete(externalId)
    }
  }
}
