import type { FastifyBaseLogger } from 'fastify'
import type { PasskeyEngine } from '../engine/engine.js'

/** How far back each sync looks before the previous one, for clocks that differ between instances. */
const SYNC_OVERLAP_MS = 60_000

/**
 * The logged-out sessions, kept in memory so a guard checks one with a `Map` lookup. Revocations are
 * written to the engine's store first and read back from it on an interval, so every instance
 * sharing the store refuses a logged-out cookie within one interval.
 */
export class RevokedSessions {
  readonly #engine: PasskeyEngine
  readonly #log: FastifyBaseLogger
  readonly #expiresAt = new Map<string, number>()
  #syncedAt = 0
  #timer: NodeJS.Timeout | undefined

  constructor (engine: PasskeyEngine, log: FastifyBaseLogger) {
    this.#engine = engine
    this.#log = log
  }

  /** Whether the session was logged out. */
  has (sessionId: string): boolean {
    return this.#expiresAt.has(sessionId)
  }

  /** Revokes a session in the store, then here. Throws `FST_PASSKEY_MFA_STORE_UNAVAILABLE` if the store fails. */
  async revoke (sessionId: string, expiresAt: number): Promise<void> {
    await this.#engine.revokeSession(sessionId, expiresAt)
    this.#expiresAt.set(sessionId, expiresAt)
  }

  /** Loads the revocations made since the last sync, by any instance, and forgets expired ones. */
  async sync (): Promise<void> {
    const now = this.#engine.now()
    for (const { sessionId, expiresAt } of await this.#engine.listSessionRevocations(this.#syncedAt - SYNC_OVERLAP_MS)) {
      this.#expiresAt.set(sessionId, expiresAt)
    }
    for (const [sessionId, expiresAt] of this.#expiresAt) {
      if (expiresAt < now) this.#expiresAt.delete(sessionId)
    }
    this.#syncedAt = now
  }

  /** Syncs now, then every `intervalMs`. */
  async start (intervalMs: number): Promise<void> {
    await this.sync()
    this.#timer = setInterval(() => {
      this.sync().catch((err: unknown) => { this.#log.warn({ err }, 'passkey-mfa: syncing revoked sessions failed') })
    }, intervalMs).unref()
  }

  /** Stops syncing. */
  stop (): void {
    clearInterval(this.#timer)
  }
}
