import Database from 'better-sqlite3'
import type {
  AddPasskeyResult, DeletePasskeyResult, HandshakeRecord, NonceRecord, PasskeyRecord, PasskeyStore, PasskeyUse, SessionRevocation, TransactionRecord
} from '../store.js'
import { toNonce, toPasskey, toPasskeyOrNull, toRevocation, toTransaction, transactionParams } from './sqlite-rows.js'
import { prepare, SCHEMA, type Statements } from './sqlite-schema.js'

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** Path of the database file, or `':memory:'`. */
  filename: string
}

/**
 * A store in an SQLite database, for single-server apps: one file (in WAL mode) shared by the
 * processes of one machine. Each method is one statement or one transaction, so takes are atomic.
 *
 * Durability: every write that consumes or protects something commits with an fsync
 * (`synchronous = FULL`): taking a transaction or nonce, recording a passkey's use (its counter),
 * adding, renaming and deleting passkeys, revoking sessions. Creating a transaction, starting its
 * ceremony and sweeping do not (`synchronous = NORMAL`, each fsync cost about 0.15 ms here): a power
 * cut may undo them, which only ends sign-in steps in flight; the next durable commit syncs them too.
 *
 * @example
 * const engine = new PasskeyEngine({ ...config, store: new SqliteStore({ filename: 'data/passkeys.db' }) })
 */
export class SqliteStore implements PasskeyStore {
  readonly #db: Database.Database
  #sql!: Statements

  constructor ({ filename }: SqliteStoreOptions) {
    this.#db = new Database(filename)
    this.#db.pragma('journal_mode = WAL')
    this.#db.pragma('busy_timeout = 5000')
    // Commits skip fsync, except those `prepare` marks durable (see SqliteStore's TSDoc).
    this.#db.pragma('synchronous = NORMAL')
  }

  async init (): Promise<void> {
    this.#db.exec(SCHEMA)
    this.#sql = prepare(this.#db)
  }

  async createTransaction (transaction: TransactionRecord): Promise<void> {
    this.#sql.insertTransaction.run(transactionParams(transaction))
  }

  async getTransaction (key: string): Promise<TransactionRecord | null> {
    return toTransaction(this.#sql.getTransaction.get(key))
  }

  async saveHandshake (key: string, handshake: HandshakeRecord): Promise<boolean> {
    return this.#sql.saveHandshake.run(JSON.stringify(handshake), key).changes > 0
  }

  async takeTransaction (key: string): Promise<TransactionRecord | null> {
    return toTransaction(this.#sql.takeTransaction(key))
  }

  async takeNonce (key: string): Promise<NonceRecord | null> {
    return toNonce(this.#sql.takeNonce(key))
  }

  async listPasskeys (externalId: string): Promise<PasskeyRecord[]> {
    return this.#sql.listPasskeys.all(externalId).map(toPasskey)
  }

  async findPasskey (credentialId: string): Promise<PasskeyRecord | null> {
    return toPasskeyOrNull(this.#sql.findPasskey.get(credentialId))
  }

  async addPasskey (passkey: PasskeyRecord, nonce: NonceRecord, firstOnly: boolean): Promise<AddPasskeyResult> {
    return this.#sql.addPasskey(passkey, nonce, firstOnly)
  }

  async recordPasskeyUse (use: PasskeyUse, nonce: NonceRecord): Promise<boolean> {
    return this.#sql.recordPasskeyUse(use, nonce)
  }

  async renamePasskey (externalId: string, id: string, name: string): Promise<PasskeyRecord | null> {
    return toPasskeyOrNull(this.#sql.renamePasskey(name, id, externalId))
  }

  async deletePasskey (externalId: string, id: string, keepOne: boolean): Promise<DeletePasskeyResult> {
    return this.#sql.deletePasskey(externalId, id, keepOne)
  }

  async revokeSession (revocation: SessionRevocation): Promise<void> {
    this.#sql.revokeSession(revocation)
  }

  async listSessionRevocations (since: number): Promise<SessionRevocation[]> {
    return this.#sql.listSessionRevocations.all(since).map(toRevocation)
  }

  async sweep (now: number): Promise<number> {
    return this.#sql.sweep(now)
  }

  async close (): Promise<void> {
    this.#db.close()
  }
}
