import type pg from 'pg'
import type {
  AddPasskeyResult, AuthenticationStart, DeletePasskeyResult, EraseScope, HandshakeRecord, NonceRecord, PasskeyRecord, PasskeyStore,
  PasskeyUse, Revocation, TakenTransaction, TransactionRecord, TrustedBrowserRecord
} from '../store.js'
import { loadPg } from './load-pg.js'
import { statements, type PreparedStatement, type Statements } from './postgres-queries.js'
import {
  nonceValues, passkeyValues, toNonce, toPasskey, toPasskeyOrNull, toRevocation, toTransaction,
  toTransactionOrNull, transactionValues, useValues,
  type NonceRow, type PasskeyRow, type RevocationRow, type TransactionRow, type TransactionWithPasskeyRow
} from './postgres-rows.js'
import { toTrustedBrowser, toTrustedBrowserOrNull, type TrustedBrowserRow } from './trusted-browser-rows.js'

/**
 * A `pg.Pool`, described by the methods the store calls, so that these types do not need `@types/pg`.
 * The store uses it as a `pg.Pool`.
 */
export interface PostgresPool {
  query (...args: never[]): unknown
  connect (...args: never[]): unknown
  end (...args: never[]): unknown
}

/** Options of {@link PostgresStore}: a pool to borrow, or a connection string to open one with. */
export type PostgresStoreOptions = {
  /** Schema of the tables, an unquoted SQL identifier created by `init()` when missing; `'public'` by default. */
  schema?: string
} & ({ pool: PostgresPool, connectionString?: never } | { connectionString: string, pool?: never })

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/i

/**
 * A store in a PostgreSQL database, for apps running on several servers. Each method is one
 * statement, so takes and the passkey writes with their nonce are atomic; `addPasskey` and
 * `deletePasskey` run theirs in a transaction holding a lock on the user, so concurrent writes for
 * one user see each other, `replaceRecoveryCodes` and `takeRecoveryCode` theirs in one holding a
 * lock on the user's codes, so that each sees the codes as the one before left them, and a write of
 * a revocation holds a lock on the revocations until it commits, so that their positions commit in
 * order. Statements are prepared once per connection. It needs the `pg` package, an optional peer
 * dependency: without it, opening a pool from `connectionString` throws `FST_PASSKEY_MFA_OPTIONS_INVALID`.
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
    // The pool replaces a connection that dies while idle (a database restart); without a listener,
    // the error it emits would crash the process.
    this.#pool = (pool as pg.Pool | undefined) ?? new (loadPg().Pool)({ connectionString }).on('error', ignore)
    this.#ownsPool = pool === undefined
    this.#sql = statements(`"${schema}"`)
  }

  async init (): Promise<void> {
    await this.#pool.query(this.#sql.schema)
  }

  async createTransaction (transaction: TransactionRecord): Promise<void> {
    await this.#pool.query({ ...this.#sql.insertTransaction, values: transactionValues(transaction) })
  }

  async getTransaction (key: string): Promise<TransactionRecord | null> {
    return toTransactionOrNull(await this.#row<TransactionRow>(this.#sql.getTransaction, [key]))
  }

  async saveHandshake (key: string, handshake: HandshakeRecord): Promise<boolean> {
    return await this.#changes(this.#sql.saveHandshake, [key, handshake])
  }

  async startAuthentication (key: string, now: number, handshake: HandshakeRecord): Promise<AuthenticationStart | null> {
    const rows = await this.#rows<TransactionWithPasskeyRow>(this.#sql.startAuthentication, [key, handshake, now])
    if (rows.length === 0) return null
    const passkeys = rows.flatMap((row) => row.id === null ? [] : [toPasskey(row)])
    return { transaction: toTransaction(rows[0]!.transaction), passkeys }
  }

  async openAuthentication (transaction: TransactionRecord): Promise<PasskeyRecord[]> {
    return (await this.#rows<PasskeyRow>(this.#sql.openAuthentication, transactionValues(transaction))).map(toPasskey)
  }

  async takeTransaction (key: string): Promise<TransactionRecord | null> {
    return toTransactionOrNull(await this.#row<TransactionRow>(this.#sql.takeTransaction, [key]))
  }

  async takeTransactionWithPasskey (key: string, credentialId: string): Promise<TakenTransaction | null> {
    const row = await this.#row<TransactionWithPasskeyRow>(this.#sql.takeTransactionWithPasskey, [key, credentialId])
    if (row === undefined) return null
    return { transaction: toTransaction(row.transaction), passkey: row.id === null ? null : toPasskey(row) }
  }

  async takeNonce (key: string): Promise<NonceRecord | null> {
    return toNonce(await this.#row<NonceRow>(this.#sql.takeNonce, [key]))
  }

  async listPasskeys (externalId: string): Promise<PasskeyRecord[]> {
    return (await this.#rows<PasskeyRow>(this.#sql.listPasskeys, [externalId])).map(toPasskey)
  }

  async addPasskey (passkey: PasskeyRecord, nonce: NonceRecord | null, firstOnly: boolean): Promise<AddPasskeyResult> {
    return await this.#transaction(async (client) => {
      await client.query({ ...this.#sql.lockUserPasskeys, values: [passkey.externalId] })
      const { rows } = await client.query<{ result: AddPasskeyResult }>(
        { ...this.#sql.addPasskey, values: [...nonceValues(nonce), ...passkeyValues(passkey), firstOnly] })
      return rows[0]!.result
    })
  }

  async recordPasskeyUse (use: PasskeyUse, nonce: NonceRecord | null): Promise<boolean> {
    return (await this.#rows(this.#sql.recordPasskeyUse, [...nonceValues(nonce), ...useValues(use)])).length === 1
  }

  async renamePasskey (externalId: string, id: string, name: string): Promise<PasskeyRecord | null> {
    return toPasskeyOrNull(await this.#row<PasskeyRow>(this.#sql.renamePasskey, [externalId, id, name]))
  }

  async deletePasskey (externalId: string, id: string, keepOne: boolean, revokeUntil: number | null): Promise<DeletePasskeyResult> {
    return await this.#transaction(async (client) => {
      // The user's lock, then the revocations' (in #insertRevocation): every transaction takes them in
      // this order, and none takes a user's lock after the revocations', so none waits in a cycle.
      await client.query({ ...this.#sql.lockUserPasskeys, values: [externalId] })
      const { rows } = await client.query<{ result: 'deleted' | 'not-found' | 'last' }>(
        { ...this.#sql.deletePasskey, values: [externalId, id, keepOne] })
      const { result } = rows[0]!
      if (result !== 'deleted') return { deleted: false, reason: result }
      return { deleted: true, revokedAt: revokeUntil === null ? null : await this.#insertRevocation(client, 'user', externalId, revokeUntil) }
    })
  }

  async revoke (kind: Revocation['kind'], subject: string, expiresAt: number): Promise<number> {
    return await this.#transaction(async (client) => this.#insertRevocation(client, kind, subject, expiresAt))
  }

  async userRevokedAt (externalId: string): Promise<number> {
    return Number((await this.#row<{ position: string }>(this.#sql.userRevokedAt, [externalId]))!.position)
  }

  async listRevocations (after: number): Promise<Revocation[]> {
    return (await this.#rows<RevocationRow>(this.#sql.listRevocations, [after])).map(toRevocation)
  }

  async replaceRecoveryCodes (externalId: string, digests: string[]): Promise<void> {
    await this.#transaction(async (client) => {
      await client.query({ ...this.#sql.lockUserRecoveryCodes, values: [externalId] })
      await client.query({ ...this.#sql.deleteRecoveryCodes, values: [externalId] })
      await client.query({ ...this.#sql.insertRecoveryCodes, values: [externalId, digests] })
      await client.query({ ...this.#sql.forgetTrustedBrowsers, values: [externalId] })
    })
  }

  async takeRecoveryCode (externalId: string, digest: string): Promise<number | null> {
    // Under the user's lock, the take's snapshot holds every earlier take: parallel takes count down, 9 to 0.
    return await this.#transaction(async (client) => {
      await client.query({ ...this.#sql.lockUserRecoveryCodes, values: [externalId] })
      const { rows } = await client.query<{ left: number | null }>({ ...this.#sql.takeRecoveryCode, values: [externalId, digest] })
      return rows[0]!.left
    })
  }

  async countRecoveryCodes (externalId: string): Promise<number> {
    return (await this.#row<{ count: number }>(this.#sql.countRecoveryCodes, [externalId]))!.count
  }

  async addTrustedBrowser (browser: TrustedBrowserRecord, replacesKey: string | null): Promise<void> {
    const { key, id, externalId, name, createdAt, lastUsedAt, expiresAt } = browser
    await this.#pool.query({ ...this.#sql.addTrustedBrowser, values: [key, id, externalId, name, createdAt, lastUsedAt, expiresAt, replacesKey] })
  }

  async useTrustedBrowser (key: string, externalId: string, now: number): Promise<TrustedBrowserRecord | null> {
    return toTrustedBrowserOrNull(await this.#row<TrustedBrowserRow>(this.#sql.useTrustedBrowser, [key, externalId, now]))
  }

  async listTrustedBrowsers (externalId: string): Promise<TrustedBrowserRecord[]> {
    return (await this.#rows<TrustedBrowserRow>(this.#sql.listTrustedBrowsers, [externalId])).map(toTrustedBrowser)
  }

  async deleteTrustedBrowsers (externalId: string, id: string | null): Promise<number> {
    const { rowCount } = id === null
      ? await this.#pool.query({ ...this.#sql.forgetTrustedBrowsers, values: [externalId] })
      : await this.#pool.query({ ...this.#sql.deleteTrustedBrowser, values: [externalId, id] })
    return Number(rowCount)
  }

  async eraseUser (externalId: string, scope: EraseScope, revokeUntil: number): Promise<number> {
    return await this.#transaction(async (client) => {
      // The locks in the order every transaction takes them: the user's passkeys, codes, then the revocations.
      await client.query({ ...this.#sql.lockUserPasskeys, values: [externalId] })
      await client.query({ ...this.#sql.lockUserRecoveryCodes, values: [externalId] })
      await client.query({ ...this.#sql.erasePasskeys, values: [externalId] })
      await client.query({ ...this.#sql.deleteRecoveryCodes, values: [externalId] })
      await client.query({ ...this.#sql.eraseNonces, values: [externalId] })
      if (scope === 'everything') await client.query({ ...this.#sql.eraseRevocations, values: [externalId] })
      return await this.#insertRevocation(client, 'user', externalId, revokeUntil)
    })
  }

  async sweep (now: number): Promise<number> {
    return (await this.#row<{ swept: number }>(this.#sql.sweep, [now]))!.swept
  }

  async close (): Promise<void> {
    if (this.#ownsPool) await this.#pool.end()
  }

  /** Runs `body` in a transaction on a client of its own, rolled back when anything fails. */
  async #transaction<T> (body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect()
    // A lost connection fails the query in progress; its error event must not crash the process too.
    client.on('error', ignore)
    let result: T
    try {
      await client.query('BEGIN')
      result = await body(client)
      await client.query('COMMIT')
    } catch (error) {
      await client.query('ROLLBACK')
      throw error
    } finally {
      client.off('error', ignore)
      client.release()
    }
    return result
  }

  /**
   * Inserts a revocation in the transaction of `client`, after taking the lock that it then holds
   * until commit: revocations commit one at a time, in the order of their positions. A user
   * revocation also forgets the user's trusted browsers and transactions in flight.
   */
  async #insertRevocation (client: pg.PoolClient, kind: Revocation['kind'], subject: string, expiresAt: number): Promise<number> {
    await client.query(this.#sql.lockRevocations)
    const { rows } = await client.query<{ position: string }>({ ...this.#sql.insertRevocation, values: [kind, subject, expiresAt] })
    if (kind === 'user') {
      await client.query({ ...this.#sql.forgetTrustedBrowsers, values: [subject] })
      await client.query({ ...this.#sql.forgetTransactions, values: [subject] })
    }
    return Number(rows[0]!.position)
  }

  async #rows<Row extends pg.QueryResultRow> (statement: PreparedStatement, values: unknown[]): Promise<Row[]> {
    const { rows } = await this.#pool.query<Row>({ ...statement, values })
    return rows
  }

  async #row<Row extends pg.QueryResultRow> (statement: PreparedStatement, values: unknown[]): Promise<Row | undefined> {
    const { rows } = await this.#pool.query<Row>({ ...statement, values })
    return rows[0]
  }

  async #changes (statement: PreparedStatement, values: unknown[]): Promise<boolean> {
    const { rowCount } = await this.#pool.query({ ...statement, values })
    return rowCount === 1
  }
}

function ignore (): void {}
