/** The schema of the SQLite store and the statements it prepares once, at `init()`. */
import type Database from 'better-sqlite3'
import type { AddPasskeyResult, DeletePasskeyResult, EraseScope, NonceRecord, PasskeyRecord, PasskeyUse, Revocation, TrustedBrowserRecord } from '../store.js'
import {
  passkeyParams, useParams,
  type NonceRow, type PasskeyParams, type PasskeyRow, type RevocationRow, type TransactionParams, type TransactionRow,
  type UseParams
} from './sqlite-rows.js'
import type { TrustedBrowserRow } from './trusted-browser-rows.js'

/**
 * The tables and indexes, each created when missing. Transactions and nonces have no index on
 * `expires_at` (a former one is dropped): they hold minutes of rows, which the sweep scans once a
 * minute, while a ceremony writes them four times, each write then updating one B-tree, not two.
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS passkey_transactions (
  key TEXT PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('register', 'authenticate')),
  external_id TEXT NOT NULL,
  passkey_display_name TEXT,
  first_passkey_only INTEGER NOT NULL CHECK (first_passkey_only IN (0, 1)),
  handshake TEXT,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
DROP INDEX IF EXISTS passkey_transactions_expires_at;

CREATE TABLE IF NOT EXISTS passkey_nonces (
  key TEXT PRIMARY KEY,
  external_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('register', 'authenticate')),
  transaction_id TEXT NOT NULL, -- the digest of the transaction ID: its transaction's key
  passkey_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
DROP INDEX IF EXISTS passkey_nonces_expires_at;

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

-- AUTOINCREMENT: a position is never reused, also after the latest revocation is swept.
CREATE TABLE IF NOT EXISTS passkey_revocations (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('session', 'user')),
  subject TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT;
CREATE INDEX IF NOT EXISTS passkey_revocations_user ON passkey_revocations (subject, position) WHERE kind = 'user';
CREATE INDEX IF NOT EXISTS passkey_revocations_expires_at ON passkey_revocations (expires_at);

CREATE TABLE IF NOT EXISTS passkey_recovery_codes (
  external_id TEXT NOT NULL,
  digest TEXT NOT NULL, -- the SHA-256 digest of the code
  PRIMARY KEY (external_id, digest)
) STRICT, WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS passkey_trusted_browsers (
  key TEXT PRIMARY KEY, -- the SHA-256 digest of the browser's token
  id TEXT NOT NULL UNIQUE,
  external_id TEXT NOT NULL,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS passkey_trusted_browsers_user ON passkey_trusted_browsers (external_id, created_at);
CREATE INDEX IF NOT EXISTS passkey_trusted_browsers_expires_at ON passkey_trusted_browsers (expires_at);
`

/**
 * Moves the logouts of a former version's `passkey_revoked_sessions`, if the database has that
 * table, into `passkey_revocations` (in the order they were revoked), and drops it. One immediate
 * transaction: of several processes opening the database, the first moves them, the others see none.
 */
export function migrateRevokedSessions (db: Database.Database): void {
  db.transaction(() => {
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'passkey_revoked_sessions'").get() === undefined) return
    db.exec(`
      INSERT INTO passkey_revocations (kind, subject, expires_at)
      SELECT 'session', session_id, expires_at FROM passkey_revoked_sessions ORDER BY revoked_at, session_id;
      DROP TABLE passkey_revoked_sessions;`)
  }).immediate()
}

/** The prepared statements of a store, and the transactions made of several. @internal */
export type Statements = ReturnType<typeof prepare>

/** Prepares every statement of the store on `db`, whose schema is {@link SCHEMA}. @internal */
export function prepare (db: Database.Database) {
  const insertNonce = db.prepare<[NonceRecord]>(`
    INSERT INTO passkey_nonces (key, external_id, kind, transaction_id, passkey_id, expires_at)
    VALUES (@key, @externalId, @kind, @transactionKey, @passkeyId, @expiresAt)`)
  const insertPasskey = db.prepare<[PasskeyParams]>(`
    INSERT INTO passkeys (id, credential_id, external_id, user_handle, public_key, counter, transports,
      aaguid, backup_eligible, backed_up, name, created_at, last_used_at)
    VALUES (@id, @credentialId, @externalId, @userHandle, @publicKey, @counter, @transports,
      @aaguid, @backupEligible, @backedUp, @name, @createdAt, @lastUsedAt)`)
  const credentialTaken = db.prepare<[string], 1>('SELECT 1 FROM passkeys WHERE credential_id = ?').pluck()
  const hasPasskey = db.prepare<[string], 1>('SELECT 1 FROM passkeys WHERE external_id = ? LIMIT 1').pluck()
  const hasOtherPasskey = db.prepare<[string, string], 1>('SELECT 1 FROM passkeys WHERE external_id = ? AND id <> ? LIMIT 1').pluck()
  const ownsPasskey = db.prepare<[string, string], 1>('SELECT 1 FROM passkeys WHERE external_id = ? AND id = ?').pluck()
  const deletePasskey = db.prepare<[string, string]>('DELETE FROM passkeys WHERE external_id = ? AND id = ?')
  const updateUse = db.prepare<[UseParams]>(`
    UPDATE passkeys SET counter = @counter, backed_up = @backedUp, last_used_at = @lastUsedAt
    WHERE id = @id AND counter = @previousCounter`)
  const listPasskeys = db.prepare<[string], PasskeyRow>('SELECT * FROM passkeys WHERE external_id = ? ORDER BY created_at, id')
  const startAuthentication = db.prepare<[string, string, number], TransactionRow>(`
    UPDATE passkey_transactions SET handshake = ?
    WHERE key = ? AND kind = 'authenticate' AND expires_at > ?
    RETURNING *`)
  const takeTransaction = db.prepare<[string], TransactionRow>('DELETE FROM passkey_transactions WHERE key = ? RETURNING *')
  const findPasskey = db.prepare<[string], PasskeyRow>('SELECT * FROM passkeys WHERE credential_id = ?')
  const sweepTransactions = db.prepare<[number]>('DELETE FROM passkey_transactions WHERE expires_at < ?')
  const sweepNonces = db.prepare<[number]>('DELETE FROM passkey_nonces WHERE expires_at < ?')
  const insertRevocation = db.prepare<[Revocation['kind'], string, number], number>(
    'INSERT INTO passkey_revocations (kind, subject, expires_at) VALUES (?, ?, ?) RETURNING position').pluck()
  const sweepRevocations = db.prepare<[number]>('DELETE FROM passkey_revocations WHERE expires_at < ?')
  const deleteRecoveryCodes = db.prepare<[string]>('DELETE FROM passkey_recovery_codes WHERE external_id = ?')
  const insertRecoveryCode = db.prepare<[string, string]>(
    'INSERT INTO passkey_recovery_codes (external_id, digest) VALUES (?, ?) ON CONFLICT DO NOTHING')
  const deleteRecoveryCode = db.prepare<[string, string]>('DELETE FROM passkey_recovery_codes WHERE external_id = ? AND digest = ?')
  const countRecoveryCodes = db.prepare<[string], number>('SELECT count(*) FROM passkey_recovery_codes WHERE external_id = ?').pluck()
  const forgetTrustedBrowsers = db.prepare<[string]>('DELETE FROM passkey_trusted_browsers WHERE external_id = ?')
  const forgetTransactions = db.prepare<[string]>('DELETE FROM passkey_transactions WHERE external_id = ?')
  const renamePasskey = db.prepare<[string, string, string], PasskeyRow>('UPDATE passkeys SET name = ? WHERE id = ? AND external_id = ? RETURNING *')
  const insertTrustedBrowser = db.prepare<[TrustedBrowserRecord]>(`
    INSERT INTO passkey_trusted_browsers (key, id, external_id, name, created_at, last_used_at, expires_at)
    VALUES (@key, @id, @externalId, @name, @createdAt, @lastUsedAt, @expiresAt)`)
  const replaceTrustedBrowser = db.prepare<[string, string]>('DELETE FROM passkey_trusted_browsers WHERE key = ? AND external_id = ?')
  const sweepTrustedBrowsers = db.prepare<[number]>('DELETE FROM passkey_trusted_browsers WHERE expires_at < ?')
  /** Inserts a revocation; a user revocation also forgets the user's trusted browsers and transactions in flight. Run in a transaction. */
  const revoke = (kind: Revocation['kind'], subject: string, expiresAt: number): number => {
    const position = insertRevocation.get(kind, subject, expiresAt)!
    if (kind === 'user') {
      forgetTrustedBrowsers.run(subject)
      forgetTransactions.run(subject)
    }
    return position
  }
  const erasers = {
    passkeys: db.prepare<[string]>('DELETE FROM passkeys WHERE external_id = ?'),
    nonces: db.prepare<[string]>('DELETE FROM passkey_nonces WHERE external_id = ?'),
    revocations: db.prepare<[string]>("DELETE FROM passkey_revocations WHERE kind = 'user' AND subject = ?")
  }

  const insertTransaction = db.prepare<[TransactionParams]>(`
    INSERT INTO passkey_transactions (key, kind, external_id, passkey_display_name, first_passkey_only, handshake,
      expires_at)
    VALUES (@key, @kind, @externalId, @passkeyDisplayName, @firstPasskeyOnly, @handshake, @expiresAt)`)

  return {
    insertTransaction,
    getTransaction: db.prepare<[string], TransactionRow>('SELECT * FROM passkey_transactions WHERE key = ?'),
    saveHandshake: db.prepare<[string, string]>('UPDATE passkey_transactions SET handshake = ? WHERE key = ?'),
    takeTransaction,
    takeNonce: db.prepare<[string], NonceRow>('DELETE FROM passkey_nonces WHERE key = ? RETURNING *'),
    listPasskeys,
    // One write transaction instead of a read, a second read and a write.
    startAuthentication: db.transaction((key: string, now: number, handshake: string) => {
      const transaction = startAuthentication.get(handshake, key, now)
      return transaction === undefined ? undefined : { transaction, passkeys: listPasskeys.all(transaction.external_id) }
    }),
    openAuthentication: db.transaction((transaction: TransactionParams): PasskeyRow[] => {
      insertTransaction.run(transaction)
      return listPasskeys.all(transaction.externalId)
    }),
    takeTransactionWithPasskey: db.transaction((key: string, credentialId: string) => {
      const transaction = takeTransaction.get(key)
      return transaction === undefined ? undefined : { transaction, passkey: findPasskey.get(credentialId) }
    }),
    renamePasskey: db.transaction((name: string, id: string, externalId: string): PasskeyRow | undefined => {
      const renamed = renamePasskey.get(name, id, externalId)
      if (renamed !== undefined) forgetTrustedBrowsers.run(externalId)
      return renamed
    }),
    // SQLite runs one write transaction at a time, so positions are drawn in commit order.
    revoke: db.transaction(revoke),
    userRevokedAt: db.prepare<[string], number>(
      "SELECT coalesce(max(position), 0) FROM passkey_revocations WHERE kind = 'user' AND subject = ?").pluck(),
    listRevocations: db.prepare<[number], RevocationRow>('SELECT * FROM passkey_revocations WHERE position > ? ORDER BY position'),
    // Immediate: the write lock is taken before the checks, so the writers of several processes
    // wait for each other (busy_timeout) instead of failing on a snapshot a commit made stale.
    addPasskey: db.transaction((passkey: PasskeyRecord, nonce: NonceRecord | null, firstOnly: boolean): AddPasskeyResult => {
      if (credentialTaken.get(passkey.credentialId) !== undefined) return 'credential-taken'
      if (firstOnly && hasPasskey.get(passkey.externalId) !== undefined) return 'not-first'
      insertPasskey.run(passkeyParams(passkey))
      if (nonce !== null) insertNonce.run(nonce)
      forgetTrustedBrowsers.run(passkey.externalId)
      return 'added'
    }).immediate,
    // Immediate, as addPasskey: a parallel delete of the user's other passkey waits for this one.
    deletePasskey: db.transaction((externalId: string, id: string, keepOne: boolean, revokeUntil: number | null): DeletePasskeyResult => {
      if (ownsPasskey.get(externalId, id) === undefined) return { deleted: false, reason: 'not-found' }
      if (keepOne && hasOtherPasskey.get(externalId, id) === undefined) return { deleted: false, reason: 'last' }
      deletePasskey.run(externalId, id)
      forgetTrustedBrowsers.run(externalId)
      return { deleted: true, revokedAt: revokeUntil === null ? null : revoke('user', externalId, revokeUntil) }
    }).immediate,
    recordPasskeyUse: db.transaction((use: PasskeyUse, nonce: NonceRecord | null): boolean => {
      if (updateUse.run(useParams(use)).changes === 0) return false
      if (nonce !== null) insertNonce.run(nonce)
      return true
    }),
    // Immediate, as addPasskey: of parallel replaces, each sees the codes the one before it wrote.
    replaceRecoveryCodes: db.transaction((externalId: string, digests: string[]): void => {
      deleteRecoveryCodes.run(externalId)
      for (const digest of digests) insertRecoveryCode.run(externalId, digest)
      forgetTrustedBrowsers.run(externalId)
    }).immediate,
    // Its first statement writes, so it holds the write lock from its start: the count is after this take.
    takeRecoveryCode: db.transaction((externalId: string, digest: string): number | null =>
      deleteRecoveryCode.run(externalId, digest).changes === 0 ? null : countRecoveryCodes.get(externalId)!),
    countRecoveryCodes,
    addTrustedBrowser: db.transaction((browser: TrustedBrowserRecord, replacesKey: string | null): void => {
      if (replacesKey !== null) replaceTrustedBrowser.run(replacesKey, browser.externalId)
      insertTrustedBrowser.run(browser)
    }),
    useTrustedBrowser: db.prepare<[number, string, string, number], TrustedBrowserRow>(`
      UPDATE passkey_trusted_browsers SET last_used_at = ?
      WHERE key = ? AND external_id = ? AND expires_at > ?
      RETURNING *`),
    listTrustedBrowsers: db.prepare<[string], TrustedBrowserRow>(
      'SELECT * FROM passkey_trusted_browsers WHERE external_id = ? ORDER BY created_at, id'),
    deleteTrustedBrowser: db.prepare<[string, string]>('DELETE FROM passkey_trusted_browsers WHERE external_id = ? AND id = ?'),
    forgetTrustedBrowsers,
    // Immediate, as addPasskey: a passkey added concurrently is either erased or added after.
    eraseUser: db.transaction((externalId: string, scope: EraseScope, revokeUntil: number): number => {
      erasers.passkeys.run(externalId)
      deleteRecoveryCodes.run(externalId)
      erasers.nonces.run(externalId)
      if (scope === 'everything') erasers.revocations.run(externalId)
      return revoke('user', externalId, revokeUntil)
    }).immediate,
    sweep: db.transaction((now: number): number =>
      sweepTransactions.run(now).changes + sweepNonces.run(now).changes + sweepRevocations.run(now).changes +
      sweepTrustedBrowsers.run(now).changes)
  }
}
