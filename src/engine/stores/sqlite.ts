import Database from 'better-sqlite3'
import type {
  CeremonyKind, HandshakeRecord, NonceRecord, PasskeyRecord, PasskeyStore, PasskeyUse, TransactionRecord
} from '../store.js'

/** Options of {@link SqliteStore}. */
export interface SqliteStoreOptions {
  /** Path of the database file, or `':memory:'`. */
  filename: string
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS passkey_transactions (
  key TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('register', 'authenticate')),
  external_id TEXT NOT NULL,
  passkey_display_name TEXT,
  handshake TEXT,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS passkey_transactions_expires_at ON passkey_transactions (expires_at);

CREATE TABLE IF NOT EXISTS passkey_nonces (
  key TEXT PRIMARY KEY,
  external_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('register', 'authenticate')),
  transaction_id TEXT NOT NULL,
  passkey_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS passkey_nonces_expires_at ON passkey_nonces (expires_at);

CREATE TABLE IF NOT EXISTS passkeys (
  id TEXT PRIMARY KEY,
  credential_id TEXT NOT NULL UNIQUE,
  external_id TEXT NOT NULL,
  user_handle TEXT NOT NULL,
  public_key BLOB NOT NULL,
  counter INTEGER NOT NULL,
  transports TEXT NOT NULL,
  aaguid TEXT NOT NULL,
  backup_eligible INTEGER NOT NULL,
  backed_up INTEGER NOT NULL,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER
) STRICT;
CREATE INDEX IF NOT EXISTS passkeys_external_id ON passkeys (external_id, created_at);
`

interface TransactionRow {
  key: string
  kind: CeremonyKind
  external_id: string
  passkey_display_name: string | null
  /** JSON of the {@link HandshakeRecord}. */
  handshake: string | null
  expires_at: number
}

interface NonceRow {
  key: string
  external_id: string
  kind: CeremonyKind
  transaction_id: string
  passkey_id: string
  expires_at: number
}

interface PasskeyRow {
  id: string
  credential_id: string
  external_id: string
  user_handle: string
  public_key: Buffer
  counter: number
  /** JSON array. */
  transports: string
  aaguid: string
  backup_eligible: 0 | 1
  backed_up: 0 | 1
  name: string
  created_at: number
  last_used_at: number | null
}

/**
 * A store in an SQLite database, for single-server apps: one file (in WAL mode) shared by the
 * processes of one machine. Each method is one statement or one transaction, so takes are atomic.
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
  }

  async init (): Promise<void> {
    this.#db.exec(SCHEMA)
    this.#sql = prepare(this.#db)
  }

  async createTransaction (transaction: TransactionRecord): Promise<void> {
    this.#sql.insertTransaction.run({ ...transaction, handshake: json(transaction.handshake) })
  }

  async getTransaction (key: string): Promise<TransactionRecord | null> {
    return toTransaction(this.#sql.getTransaction.get(key))
  }

  async saveHandshake (key: string, handshake: HandshakeRecord): Promise<boolean> {
    return this.#sql.saveHandshake.run(JSON.stringify(handshake), key).changes > 0
  }

  async takeTransaction (key: string): Promise<TransactionRecord | null> {
    return toTransaction(this.#sql.takeTransaction.get(key))
  }

  async takeNonce (key: string): Promise<NonceRecord | null> {
    return toNonce(this.#sql.takeNonce.get(key))
  }

  async listPasskeys (externalId: string): Promise<PasskeyRecord[]> {
    return this.#sql.listPasskeys.all(externalId).map(toPasskey)
  }

  async findPasskey (credentialId: string): Promise<PasskeyRecord | null> {
    return toPasskeyOrNull(this.#sql.findPasskey.get(credentialId))
  }

  async addPasskey (passkey: PasskeyRecord, nonce: NonceRecord): Promise<boolean> {
    return this.#sql.addPasskey(passkey, nonce)
  }

  async recordPasskeyUse (use: PasskeyUse, nonce: NonceRecord): Promise<boolean> {
    return this.#sql.recordPasskeyUse(use, nonce)
  }

  async renamePasskey (externalId: string, id: string, name: string): Promise<PasskeyRecord | null> {
    return toPasskeyOrNull(this.#sql.renamePasskey.get(name, id, externalId))
  }

  async deletePasskey (externalId: string, id: string): Promise<boolean> {
    return this.#sql.deletePasskey.run(id, externalId).changes > 0
  }

  async sweep (now: number): Promise<number> {
    return this.#sql.sweep(now)
  }

  async close (): Promise<void> {
    this.#db.close()
  }
}

type Statements = ReturnType<typeof prepare>

function prepare (db: Database.Database) {
  const insertNonce = db.prepare<[NonceRecord]>(`
    INSERT INTO passkey_nonces (key, external_id, kind, transaction_id, passkey_id, expires_at)
    VALUES (@key, @externalId, @kind, @transactionId, @passkeyId, @expiresAt)`)
  const insertPasskey = db.prepare<[PasskeyParams]>(`
    INSERT INTO passkeys (id, credential_id, external_id, user_handle, public_key, counter, transports,
      aaguid, backup_eligible, backed_up, name, created_at, last_used_at)
    VALUES (@id, @credentialId, @externalId, @userHandle, @publicKey, @counter, @transports,
      @aaguid, @backupEligible, @backedUp, @name, @createdAt, @lastUsedAt)
    ON CONFLICT (credential_id) DO NOTHING`)
  const updateUse = db.prepare<[UseParams]>(`
    UPDATE passkeys SET counter = @counter, backed_up = @backedUp, last_used_at = @lastUsedAt
    WHERE id = @id AND counter = @previousCounter`)
  const sweepTransactions = db.prepare<[number]>('DELETE FROM passkey_transactions WHERE expires_at < ?')
  const sweepNonces = db.prepare<[number]>('DELETE FROM passkey_nonces WHERE expires_at < ?')

  return {
    insertTransaction: db.prepare<[TransactionParams]>(`
      INSERT INTO passkey_transactions (key, kind, external_id, passkey_display_name, handshake, expires_at)
      VALUES (@key, @kind, @externalId, @passkeyDisplayName, @handshake, @expiresAt)`),
    getTransaction: db.prepare<[string], TransactionRow>('SELECT * FROM passkey_transactions WHERE key = ?'),
    saveHandshake: db.prepare<[string, string]>('UPDATE passkey_transactions SET handshake = ? WHERE key = ?'),
    takeTransaction: db.prepare<[string], TransactionRow>(
      'DELETE FROM passkey_transactions WHERE key = ? RETURNING *'),
    takeNonce: db.prepare<[string], NonceRow>('DELETE FROM passkey_nonces WHERE key = ? RETURNING *'),
    listPasskeys: db.prepare<[string], PasskeyRow>(
      'SELECT * FROM passkeys WHERE external_id = ? ORDER BY created_at, id'),
    findPasskey: db.prepare<[string], PasskeyRow>('SELECT * FROM passkeys WHERE credential_id = ?'),
    renamePasskey: db.prepare<[string, string, string], PasskeyRow>(
      'UPDATE passkeys SET name = ? WHERE id = ? AND external_id = ? RETURNING *'),
    deletePasskey: db.prepare<[string, string]>('DELETE FROM passkeys WHERE id = ? AND external_id = ?'),
    addPasskey: db.transaction((passkey: PasskeyRecord, nonce: NonceRecord): boolean => {
      if (insertPasskey.run(passkeyParams(passkey)).changes === 0) return false
      insertNonce.run(nonce)
      return true
    }),
    recordPasskeyUse: db.transaction((use: PasskeyUse, nonce: NonceRecord): boolean => {
      if (updateUse.run({ ...use, backedUp: Number(use.backedUp) }).changes === 0) return false
      insertNonce.run(nonce)
      return true
    }),
    sweep: db.transaction((now: number): number =>
      sweepTransactions.run(now).changes + sweepNonces.run(now).changes)
  }
}

type TransactionParams = Omit<TransactionRecord, 'handshake'> & { handshake: string | null }
type UseParams = Omit<PasskeyUse, 'backedUp'> & { backedUp: number }
type PasskeyParams = Omit<PasskeyRecord, 'transports' | 'backupEligible' | 'backedUp'> & {
  transports: string
  backupEligible: number
  backedUp: number
}

function passkeyParams (passkey: PasskeyRecord): PasskeyParams {
  return {
    ...passkey,
    transports: JSON.stringify(passkey.transports),
    backupEligible: Number(passkey.backupEligible),
    backedUp: Number(passkey.backedUp)
  }
}

function json (handshake: HandshakeRecord | null): string | null {
  return handshake === null ? null : JSON.stringify(handshake)
}

function toTransaction (row: TransactionRow | undefined): TransactionRecord | null {
  if (row === undefined) return null
  return {
    key: row.key,
    kind: row.kind,
    externalId: row.external_id,
    passkeyDisplayName: row.passkey_display_name,
    handshake: row.handshake === null ? null : JSON.parse(row.handshake) as HandshakeRecord,
    expiresAt: row.expires_at
  }
}

function toNonce (row: NonceRow | undefined): NonceRecord | null {
  if (row === undefined) return null
  return {
    key: row.key,
    externalId: row.external_id,
    kind: row.kind,
    transactionId: row.transaction_id,
    passkeyId: row.passkey_id,
    expiresAt: row.expires_at
  }
}

function toPasskeyOrNull (row: PasskeyRow | undefined): PasskeyRecord | null {
  return row === undefined ? null : toPasskey(row)
}

function toPasskey (row: PasskeyRow): PasskeyRecord {
  return {
    id: row.id,
    credentialId: row.credential_id,
    externalId: row.external_id,
    userHandle: row.user_handle,
    publicKey: new Uint8Array(row.public_key),
    counter: row.counter,
    transports: JSON.parse(row.transports) as string[],
    aaguid: row.aaguid,
    backupEligible: row.backup_eligible === 1,
    backedUp: row.backed_up === 1,
    name: row.name,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at
  }
}
