/** The schema of the PostgreSQL store. */

/** The tables of a store whose tables live in the `schema` identifier (quoted). */
export function tables (schema: string) {
  return {
    transactions: `${schema}.passkey_transactions`,
    nonces: `${schema}.passkey_nonces`,
    passkeys: `${schema}.passkeys`,
    revocations: `${schema}.passkey_revocations`,
    recoveryCodes: `${schema}.passkey_recovery_codes`,
    trustedBrowsers: `${schema}.passkey_trusted_browsers`
  }
}

/**
 * The SQL that creates the schema, its tables and their indexes when missing. It is one simple
 * query, which runs as one transaction, so its advisory lock serializes concurrent inits until commit.
 *
 * Transactions and nonces live minutes at most, and a ceremony writes them several times: their
 * tables are UNLOGGED, which spares each of those writes the write-ahead log and its flush at commit.
 * A database crash empties them (and a replica has none), which ends the ceremonies in flight and
 * never brings a spent transaction or nonce back; passkeys, revocations, recovery codes and trusted
 * browsers are logged as usual.
 *
 * The logouts of a former version's `passkey_revoked_sessions`, if the schema has that table, move
 * to `passkey_revocations` (in the order they were revoked, under {@link revocationsLock}), and the
 * table is dropped.
 */
export function schemaSql (schema: string): string {
  const { transactions, nonces, passkeys, revocations, recoveryCodes, trustedBrowsers } = tables(schema)
  const legacyRevocations = `${schema}.passkey_revoked_sessions`
  return `
    SELECT pg_advisory_xact_lock(hashtext('fastify-passkey-mfa:init'));
    CREATE SCHEMA IF NOT EXISTS ${schema};

    CREATE UNLOGGED TABLE IF NOT EXISTS ${transactions} (
      key TEXT PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('register', 'authenticate')),
      external_id TEXT NOT NULL,
      passkey_display_name TEXT,
      first_passkey_only BOOLEAN NOT NULL,
      handshake JSONB,
      expires_at BIGINT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS passkey_transactions_expires_at ON ${transactions} (expires_at);

    CREATE UNLOGGED TABLE IF NOT EXISTS ${nonces} (
      key TEXT PRIMARY KEY,
      external_id TEXT NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('register', 'authenticate')),
      transaction_id TEXT NOT NULL, -- the digest of the transaction ID: its transaction's key
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
    CREATE INDEX IF NOT EXISTS passkeys_external_id ON ${passkeys} (external_id, created_at);

    CREATE TABLE IF NOT EXISTS ${revocations} (
      position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('session', 'user')),
      subject TEXT NOT NULL,
      expires_at BIGINT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS passkey_revocations_user ON ${revocations} (subject, position) WHERE kind = 'user';
    CREATE INDEX IF NOT EXISTS passkey_revocations_expires_at ON ${revocations} (expires_at);

    CREATE TABLE IF NOT EXISTS ${recoveryCodes} (
      external_id TEXT NOT NULL,
      digest TEXT NOT NULL, -- the SHA-256 digest of the code
      PRIMARY KEY (external_id, digest)
    );

    CREATE TABLE IF NOT EXISTS ${trustedBrowsers} (
      key TEXT PRIMARY KEY, -- the SHA-256 digest of the browser's token
      id TEXT NOT NULL UNIQUE,
      external_id TEXT NOT NULL,
      name TEXT NOT NULL,
      created_at BIGINT NOT NULL,
      last_used_at BIGINT NOT NULL,
      expires_at BIGINT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS passkey_trusted_browsers_user ON ${trustedBrowsers} (external_id, created_at);
    CREATE INDEX IF NOT EXISTS passkey_trusted_browsers_expires_at ON ${trustedBrowsers} (expires_at);

    DO $$ BEGIN
      IF to_regclass(${literal(legacyRevocations)}) IS NOT NULL THEN
        PERFORM pg_advisory_xact_lock(hashtext(${literal(revocationsLock(schema))}));
        INSERT INTO ${revocations} (kind, subject, expires_at)
          SELECT 'session', session_id, expires_at FROM ${legacyRevocations} ORDER BY revoked_at, session_id;
        DROP TABLE ${legacyRevocations};
      END IF;
    END $$;`
}

/**
 * The key of the advisory lock that every transaction inserting a revocation takes before drawing
 * its position, and holds until it commits: one writer at a time, so positions commit in order.
 */
export function revocationsLock (schema: string): string {
  return `fastify-passkey-mfa:${schema}:revocations`
}

/** `text` as an SQL string literal. */
export function literal (text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}
