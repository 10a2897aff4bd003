import pg from 'pg'
import type {
  CeremonyKind, HandshakeRecord, NonceRecord, PasskeyRecord, PasskeyStore, PasskeyUse, TransactionRecord
} from '../store.js'

/** Options of {@link PostgresStore}: a pool to borrow, or a connection string to open one with. */
export type PostgresStoreOptions = {
  /** Schema of the tables, an unquoted SQL identifier created by `init()` when missing; `'public'` by default. */
  schema?: string
} & ({ pool: pg.Pool, connectionString?: never } | { connectionString: string, pool?: never })

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/i

/** BIGINT columns arrive as strings. */
type BigintText = string

interface TransactionRow {
  key: string
  kind: CeremonyKind
  external_id: string
  passkey_display_name: string | null
  handshake: HandshakeRecord | null
  expires_at: BigintText
}

interface NonceRow {
  key: string
  external_id: string
  kind: CeremonyKind
  transaction_id: string
  passkey_id: string
  expires_at: BigintText
}

interface PasskeyRow {
  id: string
  credential_id: string
  external_id: string
  user_handle: string
  public_key: Buffer
  counter: BigintText
  transports: string[]
  aaguid: string
  backup_eligible: boolean
  backed_up: boolean
  name: string
  created_at: BigintText
  last_used_at: BigintText | null
}

/**
 * A store in a PostgreSQL database, for apps running on several servers. Each method is one
 * statement, so takes and the passkey writes with their nonce are atomic.
 *
 * @example
 * const store = new PostgresStore({ connectionString: 'postgres://app@db.internal/app', schema: 'passkey_mfa' })
 * const engine = new PasskeyEngine({ ...config, store })
 */
export class PostgresStore implements PasskeyStore {
  readonly #pool: pg.Pool
  readonly #ownsPool: boolean
  readonly #sql: Statements

  constructor (options: PostgresStoreOptions) {
    const { pool, connectionString, schema = 'public' } = options
    if ((pool === undefined) === (connectionString === undefined)) {
      throw new TypeError('PostgresStore needs exactly one of `pool` and `connectionString`')
    }
    if (!IDENTIFIER.test(schema)) throw new TypeError(`Invalid PostgreSQL schema name: ${JSON.stringify(schema)}`)
    this.#pool = pool ?? new pg.Pool({ connectionString })
    this.#ownsPool = pool === undefined
    this.#sql = statements(`"${schema}"`)
  }

  async init (): Promise<void> {
    await this.#pool.query(this.#sql.schema)
  }

  async createTransaction (transaction: TransactionRecord): Promise<void> {
    const { key, kind, externalId, passkeyDisplayName, handshake, expiresAt } = transaction
    await this.#pool.query(this.#sql.insertTransaction, [key, kind, externalId, passkeyDisplayName, handshake, expiresAt])
  }

  async getTransaction (key: string): Promise<TransactionRecord | null> {
    return toTransaction(await this.#row<TransactionRow>(this.#sql.getTransaction, [key]))
  }

  async saveHandshake (key: string, handshake: HandshakeRecord): Promise<boolean> {
    return await this.#changes(this.#sql.saveHandshake, [key, handshake])
  }

  async takeTransaction (key: string): Promise<TransactionRecord | null> {
    return toTransaction(await this.#row<TransactionRow>(this.#sql.takeTransaction, [key]))
  }

  async takeNonce (key: string): Promise<NonceRecord | null> {
    return toNonce(await this.#row<NonceRow>(this.#sql.takeNonce, [key]))
  }

  async listPasskeys (externalId: string): Promise<PasskeyRecord[]> {
    const { rows } = await this.#pool.query<PasskeyRow>(this.#sql.listPasskeys, [externalId])
    return rows.map(toPasskey)
  }

  async findPasskey (credentialId: string): Promise<PasskeyRecord | null> {
    return toPasskeyOrNull(await this.#row<PasskeyRow>(this.#sql.findPasskey, [credentialId]))
  }

  async addPasskey (passkey: PasskeyRecord, nonce: NonceRecord): Promise<boolean> {
    return await this.#changes(this.#sql.addPasskey, [
      ...nonceValues(nonce),
      passkey.id, passkey.credentialId, passkey.externalId, passkey.userHandle, passkey.publicKey,
      passkey.counter, passkey.transports, passkey.aaguid, passkey.backupEligible, passkey.backedUp,
      passkey.name, passkey.createdAt, passkey.lastUsedAt
    ])
  }

  async recordPasskeyUse (use: PasskeyUse, nonce: NonceRecord): Promise<boolean> {
    return await this.#changes(this.#sql.recordPasskeyUse, [
      ...nonceValues(nonce), use.id, use.previousCounter, use.counter, use.backedUp, use.lastUsedAt
    ])
  }

  async renamePasskey (externalId: string, id: string, name: string): Promise<PasskeyRecord | null> {
    return toPasskeyOrNull(await this.#row<PasskeyRow>(this.#sql.renamePasskey, [externalId, id, name]))
  }

  async deletePasskey (externalId: string, id: string): Promise<boolean> {
    return await this.#changes(this.#sql.deletePasskey, [externalId, id])
  }

  async sweep (now: number): Promise<number> {
    const { rows } = await this.#pool.query<{ swept: number }>(this.#sql.sweep, [now])
    return rows[0]!.swept
  }

  async close (): Promise<void> {
    if (this.#ownsPool) await this.#pool.end()
  }

  async #row<Row extends pg.QueryResultRow> (text: string, values: unknown[]): Promise<Row | undefined> {
    const { rows } = await this.#pool.query<Row>(text, values)
    return rows[0]
  }

  async #changes (text: string, values: unknown[]): Promise<boolean> {
    const { rowCount } = await this.#pool.query(text, values)
    return rowCount === 1
  }
}

type Statements = ReturnType<typeof statements>

/** The SQL of a store whose tables live in the `schema` identifier (quoted). */
function statements (schema: string) {
  const transactions = `${schema}.passkey_transactions`
  const nonces = `${schema}.passkey_nonces`
  const passkeys = `${schema}.passkeys`
  const insertNonceFrom = (source: string): string => `
    INSERT INTO ${nonces} (key, external_id, kind, transaction_id, passkey_id, expires_at)
    SELECT $1, $2, $3, $4, $5, $6 FROM ${source}`

  return {
    // One simple query runs as one transaction, so the lock serializes concurrent inits until commit.
    schema: `
      SELECT pg_advisory_xact_lock(hashtext('fastify-passkey-mfa:init'));
      CREATE SCHEMA IF NOT EXISTS ${schema};

      CREATE TABLE IF NOT EXISTS ${transactions} (
        key TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('register', 'authenticate')),
        external_id TEXT NOT NULL,
        passkey_display_name TEXT,
        handshake JSONB,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS passkey_transactions_expires_at ON ${transactions} (expires_at);

      CREATE TABLE IF NOT EXISTS ${nonces} (
        key TEXT PRIMARY KEY,
        external_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('register', 'authenticate')),
        transaction_id TEXT NOT NULL,
        passkey_id TEXT NOT NULL,
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS passkey_nonces_expires_at ON ${nonces} (expires_at);

      CREATE TABLE IF NOT EXISTS ${passkeys} (
        id TEXT PRIMARY KEY,
        credential_id TEXT NOT NULL UNIQUE,
        external_id TEXT NOT NULL,
        user_handle TEXT NOT NULL,
        public_key BYTEA NOT NULL,
        counter BIGINT NOT NULL,
        transports TEXT[] NOT NULL,
        aaguid TEXT NOT NULL,
        backup_eligible BOOLEAN NOT NULL,
        backed_up BOOLEAN NOT NULL,
        name TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        last_used_at BIGINT
      );
      CREATE INDEX IF NOT EXISTS passkeys_external_id ON ${passkeys} (external_id, created_at);`,
    insertTransaction: `
      INSERT INTO ${transactions} (key, kind, external_id, passkey_display_name, handshake, expires_at)
      VALUES ($1, $2, $3, $4, $5, $6)`,
    getTransaction: `SELECT * FROM ${transactions} WHERE key = $1`,
    saveHandshake: `UPDATE ${transactions} SET handshake = $2 WHERE key = $1`,
    takeTransaction: `DELETE FROM ${transactions} WHERE key = $1 RETURNING *`,
    takeNonce: `DELETE FROM ${nonces} WHERE key = $1 RETURNING *`,
    listPasskeys: `SELECT * FROM ${passkeys} WHERE external_id = $1 ORDER BY created_at, id COLLATE "C"`,
    findPasskey: `SELECT * FROM ${passkeys} WHERE credential_id = $1`,
    // The nonce is inserted only when the passkey is; a taken credential ID inserts neither.
    addPasskey: `
      WITH added AS (
        INSERT INTO ${passkeys} (id, credential_id, external_id, user_handle, public_key, counter, transports,
          aaguid, backup_eligible, backed_up, name, created_at, last_used_at)
        VALUES ($7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
        ON CONFLICT (credential_id) DO NOTHING
        RETURNING 1
      )${insertNonceFrom('added')}`,
    recordPasskeyUse: `
      WITH used AS (
        UPDATE ${passkeys} SET counter = $9, backed_up = $10, last_used_at = $11
        WHERE id = $7 AND counter = $8
        RETURNING 1
      )${insertNonceFrom('used')}`,
    renamePasskey: `UPDATE ${passkeys} SET name = $3 WHERE external_id = $1 AND id = $2 RETURNING *`,
    deletePasskey: `DELETE FROM ${passkeys} WHERE external_id = $1 AND id = $2`,
    sweep: `
      WITH transactions AS (DELETE FROM ${transactions} WHERE expires_at < $1 RETURNING 1),
        nonces AS (DELETE FROM ${nonces} WHERE expires_at < $1 RETURNING 1)
      SELECT ((SELECT count(*) FROM transactions) + (SELECT count(*) FROM nonces))::integer AS swept`
  }
}

function nonceValues (nonce: NonceRecord): unknown[] {
  return [nonce.key, nonce.externalId, nonce.kind, nonce.transactionId, nonce.passkeyId, nonce.expiresAt]
}

function toTransaction (row: TransactionRow | undefined): TransactionRecord | null {
  if (row === undefined) return null
  return {
    key: row.key,
    kind: row.kind,
    externalId: row.external_id,
    passkeyDisplayName: row.passkey_display_name,
    handshake: row.handshake,
    expiresAt: Number(row.expires_at)
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
    expiresAt: Number(row.expires_at)
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
    counter: Number(row.counter),
    transports: row.transports,
    aaguid: row.aaguid,
    backupEligible: row.backup_eligible,
    backedUp: row.backed_up,
    name: row.name,
    createdAt: Number(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at)
  }
}
