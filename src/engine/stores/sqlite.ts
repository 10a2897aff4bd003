import Database from 'better-sqlite3'
import type {
  AddPasskeyResult, AuthenticationStart, DeletePasskeyResult, EraseScope, HandshakeRecord, NonceRecord, PasskeyRecord, PasskeyStore,
  PasskeyUse, Revocation, TakenTransaction, TransactionRecord, TrustedBrowserRecord
} from '../store.js'
import { toNonce, toPasskey, toPasskeyOrNull, toRevocation, toTransaction, toTransactionOrNull, transactionParams } from './sqlite-rows.js'
import { migrateRevokedSessions, prepare, SCHEMA, type Statements } from './sqlite-schema.js'
import { toTrustedBrowser, toTrustedBrowserOrNull } from './trusted-browser-rows.js'
import { WalSync } from './wal-sync.js'

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** Path of the database file, or `':memory:'`. */
  filename: string
}

/**
 * A store in an SQLite database, for single-server apps: one file (in WAL mode) shared by the
 * processes of one machine. Each method is one statement or one transaction, so takes are atomic.
 *
 * Durability: commits skip the fsync (`synchronous = NORMAL`), and every write that consumes or
 * protects something resolves only once an fsync of the WAL has covered it ({@link WalSync}, run off
 * the event loop and shared by the writes of one moment): taking a transaction or nonce, recording a
 * passkey's use (its counter), adding, renaming and deleting passkeys, revoking sessions, replacing
 * and taking recovery codes, revoking trusted browsers and erasing a user. A power cut may undo the
 * others, creating a transaction, starting its ceremony, trusting a browser or recording its use,
 * and sweeping, which only ends sign-in steps in flight or asks for a passkey step once more. A write whose fsync fails rejects
 * (the engine answers 503).
 *
 * @example
 * const engine = new PasskeyEngine({ ...config, store: new SqliteStore({ filename: 'data/passkeys.db' }) })
 */
export class SqliteStore implements PasskeyStore {
  readonly #db: Database.Database
  /** The WAL's file, if the database has one (an in-memory database has nothing to sync). */
  readonly #walPath: string | undefined
  #wal: WalSync | undefined
  #sql!: Statements

  constructor ({ filename }: SqliteStoreOptions) {
    this.#db = new Database(filename)
    const inWal = this.#db.pragma('journal_mode = WAL', { simple: true }) === 'wal'
    this.#db.pragma('busy_timeout = 5000')
    this.#db.pragma('synchronous = NORMAL')
    const file = (this.#db.pragma('database_list') as Array<{ name: string, file: string }>)[0]!.file
    this.#walPath = inWal ? `${file}-wal` : undefined
  }

  /** Resolves to `result` once the commits made so far are on disk (see the class's TSDoc). */
  async #durable<R> (result: R): Promise<R> {
    await this.#wal?.sync()
    return result
  }

  async init (): Promise<void> {
    this.#db.exec(SCHEMA)
    migrateRevokedSessions(this.#db)
    this.#sql = prepare(this.#db)
    if (this.#walPath !== undefined) this.#wal = await WalSync.open(this.#walPath)
  }

  async createTransaction (transaction: TransactionRecord): Promise<void> {
    this.#sql.insertTransaction.run(transactionParams(transaction))
  }

  async getTransaction (key: string): Promise<TransactionRecord | null> {
    return toTransactionOrNull(this.#sql.getTransaction.get(key))
  }

  async saveHandshake (key: string, handshake: HandshakeRecord): Promise<boolean> {
    return this.#sql.saveHandshake.run(JSON.stringify(handshake), key).changes > 0
  }

  async startAuthentication (key: string, now: number, handshake: HandshakeRecord): Promise<AuthenticationStart | null> {
    const started = this.#sql.startAuthentication(key, now, JSON.stringify(handshake))
    return started === undefined ? null : { transaction: toTransaction(started.transaction), passkeys: started.passkeys.map(toPasskey) }
  }

  async openAuthentication (transaction: TransactionRecord): Promise<PasskeyRecord[]> {
    return this.#sql.openAuthentication(transactionParams(transaction)).map(toPasskey)
  }

  async takeTransaction (key: string): Promise<TransactionRecord | null> {
    // Durable: a take a power cut undid would make a spent transaction usable again.
    const row = this.#sql.takeTransaction.get(key)
    return row === undefined ? null : this.#durable(toTransaction(row))
  }

  async takeTransactionWithPasskey (key: string, credentialId: string): Promise<TakenTransaction | null> {
    const taken = this.#sql.takeTransactionWithPasskey(key, credentialId)
    return taken === undefined
      ? null
      : this.#durable({ transaction: toTransaction(taken.transaction), passkey: toPasskeyOrNull(taken.passkey) })
  }

  async takeNonce (key: string): Promise<NonceRecord | null> {
    const row = this.#sql.takeNonce.get(key)
    return row === undefined ? null : this.#durable(toNonce(row))
  }

  async listPasskeys (externalId: string): Promise<PasskeyRecord[]> {
    return this.#sql.listPasskeys.all(externalId).map(toPasskey)
  }

  async addPasskey (passkey: PasskeyRecord, nonce: NonceRecord | null, firstOnly: boolean): Promise<AddPasskeyResult> {
    return this.#durable(this.#sql.addPasskey(passkey, nonce, firstOnly))
  }

  async recordPasskeyUse (use: PasskeyUse, nonce: NonceRecord | null): Promise<boolean> {
    // Durable, or a power cut could set the counter back and let an older signature counter pass.
    return this.#durable(this.#sql.recordPasskeyUse(use, nonce))
  }

  async renamePasskey (externalId: string, id: string, name: string): Promise<PasskeyRecord | null> {
    return this.#durable(toPasskeyOrNull(this.#sql.renamePasskey(name, id, externalId)))
  }

  async deletePasskey (externalId: string, id: string, keepOne: boolean, revokeUntil: number | null): Promise<DeletePasskeyResult> {
    return this.#durable(this.#sql.deletePasskey(externalId, id, keepOne, revokeUntil))
  }

  async revoke (kind: Revocation['kind'], subject: string, expiresAt: number): Promise<number> {
    return this.#durable(this.#sql.revoke(kind, subject, expiresAt))
  }

  async userRevokedAt (externalId: string): Promise<number> {
    return this.#sql.userRevokedAt.get(externalId)!
  }

  async listRevocations (after: number): Promise<Revocation[]> {
    return this.#sql.listRevocations.all(after).map(toRevocation)
  }

  async replaceRecoveryCodes (externalId: string, digests: string[]): Promise<void> {
    // Durable: a power cut must not bring back the codes a new set replaced.
    return this.#durable(this.#sql.replaceRecoveryCodes(externalId, digests))
  }

  async takeRecoveryCode (externalId: string, digest: string): Promise<number | null> {
    // Durable, or a power cut could bring a used code back.
    const left = this.#sql.takeRecoveryCode(externalId, digest)
    return left === null ? null : this.#durable(left)
  }

  async countRecoveryCodes (externalId: string): Promise<number> {
    return this.#sql.countRecoveryCodes.get(externalId)!
  }

  async addTrustedBrowser (browser: TrustedBrowserRecord, replacesKey: string | null): Promise<void> {
    this.#sql.addTrustedBrowser(browser, replacesKey)
  }

  async useTrustedBrowser (key: string, externalId: string, now: number): Promise<TrustedBrowserRecord | null> {
    return toTrustedBrowserOrNull(this.#sql.useTrustedBrowser.get(now, key, externalId, now))
  }

  async listTrustedBrowsers (externalId: string): Promise<TrustedBrowserRecord[]> {
    return this.#sql.listTrustedBrowsers.all(externalId).map(toTrustedBrowser)
  }

  async deleteTrustedBrowsers (externalId: string, id: string | null): Promise<number> {
    // Durable: a power cut must not bring back a browser the user revoked.
    const { changes } = id === null ? this.#sql.forgetTrustedBrowsers.run(externalId) : this.#sql.deleteTrustedBrowser.run(externalId, id)
    return this.#durable(changes)
  }

  async eraseUser (externalId: string, scope: EraseScope, revokeUntil: number): Promise<number> {
    return this.#durable(this.#sql.eraseUser(externalId, scope, revokeUntil))
  }

  async sweep (now: number): Promise<number> {
    return this.#sql.sweep(now)
  }

  async close (): Promise<void> {
    await this.#wal?.close()
    this.#db.close()
  }
}
