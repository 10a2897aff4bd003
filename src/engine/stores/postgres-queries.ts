/** The SQL statements of the PostgreSQL store: one per method, and the locks some of them take first. */
import { createHash } from 'node:crypto'
import { literal, revocationsLock, schemaSql, tables } from './postgres-schema.js'

/** The SQL of a store, by method. */
export type Statements = ReturnType<typeof statements>

/**
 * A statement that `pg` prepares once per connection and then only binds and runs, sparing the
 * server a parse and a plan per query. Its name derives from its text, so stores on different
 * schemas sharing a pool never reuse each other's.
 */
export interface PreparedStatement {
  name: string
  text: string
}

/** The SQL of a store whose tables live in the `schema` identifier (quoted). */
export function statements (schema: string) {
  const { transactions, nonces, passkeys, revocations, recoveryCodes, trustedBrowsers } = tables(schema)
  /** Deletes the trusted browsers of user `$param` once the CTE `source` has a row: a factor change revokes them. */
  const forgetTrustedBrowsersAfter = (source: string, param: string): string =>
    `DELETE FROM ${trustedBrowsers} WHERE external_id = ${param} AND EXISTS (SELECT 1 FROM ${source})`
  /** Inserts the nonce `$1`–`$6` once the CTE `source` has a row; a null `$1` (no nonce) inserts nothing. */
  const insertNonceFrom = (source: string): string => `
    INSERT INTO ${nonces} (key, external_id, kind, transaction_id, passkey_id, expires_at)
    SELECT $1, $2, $3, $4, $5, $6 FROM ${source} WHERE $1::text IS NOT NULL`

  return {
    schema: schemaSql(schema),
    ...prepared({
      insertTransaction: `
        INSERT INTO ${transactions} (key, kind, external_id, passkey_display_name, first_passkey_only, handshake,
          expires_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      getTransaction: `SELECT * FROM ${transactions} WHERE key = $1`,
      saveHandshake: `UPDATE ${transactions} SET handshake = $2 WHERE key = $1`,
      // One statement instead of a read, a second read and a write; a user without passkeys gets one
      // row whose passkey columns are null.
      startAuthentication: `
        WITH started AS (
          UPDATE ${transactions} SET handshake = $2
          WHERE key = $1 AND kind = 'authenticate' AND expires_at > $3
          RETURNING *
        )
        SELECT to_jsonb(started) AS transaction, passkey.*
        FROM started LEFT JOIN ${passkeys} AS passkey ON passkey.external_id = started.external_id
        ORDER BY passkey.created_at, passkey.id COLLATE "C"`,
      // One statement: the insert runs whether or not its CTE is read; the passkeys are those before it.
      openAuthentication: `
        WITH opened AS (
          INSERT INTO ${transactions} (key, kind, external_id, passkey_display_name, first_passkey_only, handshake,
            expires_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7)
        )
        SELECT * FROM ${passkeys} WHERE external_id = $3 ORDER BY created_at, id COLLATE "C"`,
      takeTransaction: `DELETE FROM ${transactions} WHERE key = $1 RETURNING *`,
      takeNonce: `DELETE FROM ${nonces} WHERE key = $1 RETURNING *`,
      listPasskeys: `SELECT * FROM ${passkeys} WHERE external_id = $1 ORDER BY created_at, id COLLATE "C"`,
      // One statement instead of a take and a read; a credential ID without a passkey leaves its columns null.
      takeTransactionWithPasskey: `
        WITH taken AS (DELETE FROM ${transactions} WHERE key = $1 RETURNING *)
        SELECT to_jsonb(taken) AS transaction, passkey.*
        FROM taken LEFT JOIN ${passkeys} AS passkey ON passkey.credential_id = $2`,
      // Held until commit, it serializes the adds of one user: each sees the passkeys the others added.
      lockUserPasskeys: `SELECT pg_advisory_xact_lock(hashtext(${literal(`fastify-passkey-mfa:${schema}:passkeys:`)} || $1))`,
      // The refusal, if any, is checked first (credential ID, then `firstOnly` $20); the nonce is inserted
      // only when the passkey is. A credential ID that a concurrent transaction inserts under another
      // user's lock is seen by ON CONFLICT only, hence the last ELSE.
      addPasskey: `
        WITH refusal AS (
          SELECT CASE
            WHEN EXISTS (SELECT 1 FROM ${passkeys} WHERE credential_id = $8) THEN 'credential-taken'
            WHEN $20 AND EXISTS (SELECT 1 FROM ${passkeys} WHERE external_id = $9) THEN 'not-first'
          END AS reason
        ), added AS (
          INSERT INTO ${passkeys} (id, credential_id, external_id, user_handle, public_key, counter, transports,
            aaguid, backup_eligible, backed_up, name, created_at, last_used_at)
          SELECT $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19 FROM refusal WHERE reason IS NULL
          ON CONFLICT (credential_id) DO NOTHING
          RETURNING 1
        ), nonce AS (${insertNonceFrom('added')}),
        forgotten AS (${forgetTrustedBrowsersAfter('added', '$9')})
        SELECT coalesce(reason, CASE WHEN EXISTS (SELECT 1 FROM added) THEN 'added' ELSE 'credential-taken' END) AS result
        FROM refusal`,
      recordPasskeyUse: `
        WITH used AS (
          UPDATE ${passkeys} SET counter = $9, backed_up = $10, last_used_at = $11
          WHERE id = $7 AND counter = $8
          RETURNING 1
        ), nonce AS (${insertNonceFrom('used')})
        SELECT 1 FROM used`,
      renamePasskey: `
        WITH renamed AS (UPDATE ${passkeys} SET name = $3 WHERE external_id = $1 AND id = $2 RETURNING *),
          forgotten AS (${forgetTrustedBrowsersAfter('renamed', '$1')})
        SELECT * FROM renamed`,
      // Run under lockUserPasskeys: a parallel delete of the user's other passkey sees this one's result.
      deletePasskey: `
        WITH target AS (SELECT id FROM ${passkeys} WHERE external_id = $1 AND id = $2),
          refusal AS (
            SELECT CASE
              WHEN NOT EXISTS (SELECT 1 FROM target) THEN 'not-found'
              WHEN $3 AND NOT EXISTS (SELECT 1 FROM ${passkeys} WHERE external_id = $1 AND id <> $2) THEN 'last'
            END AS reason
          ),
          deleted AS (DELETE FROM ${passkeys} WHERE id IN (SELECT id FROM target) AND (SELECT reason FROM refusal) IS NULL RETURNING 1),
          forgotten AS (${forgetTrustedBrowsersAfter('deleted', '$1')})
        SELECT coalesce(reason, 'deleted') AS result FROM refusal`,
      // A sequence alone hands out positions in the order transactions draw them, not the order they
      // commit: a reader could see 6 committed before 5, and never list 5. Every insert of a
      // revocation runs after this lock in its transaction, which holds it until commit.
      lockRevocations: `SELECT pg_advisory_xact_lock(hashtext(${literal(revocationsLock(schema))}))`,
      insertRevocation: `INSERT INTO ${revocations} (kind, subject, expires_at) VALUES ($1, $2, $3) RETURNING position`,
      userRevokedAt: `SELECT coalesce(max(position), 0) AS position FROM ${revocations} WHERE kind = 'user' AND subject = $1`,
      listRevocations: `SELECT * FROM ${revocations} WHERE position > $1 ORDER BY position`,
      // Held until commit, it serializes the replaces and takes of one user's codes.
      lockUserRecoveryCodes: `SELECT pg_advisory_xact_lock(hashtext(${literal(`fastify-passkey-mfa:${schema}:recovery-codes:`)} || $1))`,
      deleteRecoveryCodes: `DELETE FROM ${recoveryCodes} WHERE external_id = $1`,
      insertRecoveryCodes: `
        INSERT INTO ${recoveryCodes} (external_id, digest) SELECT $1, unnest($2::text[])
        ON CONFLICT DO NOTHING`,
      // Run under lockUserRecoveryCodes. The count reads the snapshot of the statement's start, which
      // the delete does not change: it still holds the taken code.
      takeRecoveryCode: `
        WITH taken AS (DELETE FROM ${recoveryCodes} WHERE external_id = $1 AND digest = $2 RETURNING 1)
        SELECT CASE WHEN EXISTS (SELECT 1 FROM taken)
          THEN (SELECT count(*) FROM ${recoveryCodes} WHERE external_id = $1)::integer - 1
        END AS left`,
      countRecoveryCodes: `SELECT count(*)::integer AS count FROM ${recoveryCodes} WHERE external_id = $1`,
      // One statement: the former trust ($8, the user's own only) goes as the new one comes.
      addTrustedBrowser: `
        WITH replaced AS (DELETE FROM ${trustedBrowsers} WHERE key = $8 AND external_id = $3)
        INSERT INTO ${trustedBrowsers} (key, id, external_id, name, created_at, last_used_at, expires_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      useTrustedBrowser: `
        UPDATE ${trustedBrowsers} SET last_used_at = $3
        WHERE key = $1 AND external_id = $2 AND expires_at > $3
        RETURNING *`,
      listTrustedBrowsers: `SELECT * FROM ${trustedBrowsers} WHERE external_id = $1 ORDER BY created_at, id COLLATE "C"`,
      deleteTrustedBrowser: `DELETE FROM ${trustedBrowsers} WHERE external_id = $1 AND id = $2`,
      forgetTrustedBrowsers: `DELETE FROM ${trustedBrowsers} WHERE external_id = $1`,
      forgetTransactions: `DELETE FROM ${transactions} WHERE external_id = $1`,
      erasePasskeys: `DELETE FROM ${passkeys} WHERE external_id = $1`,
      eraseNonces: `DELETE FROM ${nonces} WHERE external_id = $1`,
      eraseRevocations: `DELETE FROM ${revocations} WHERE kind = 'user' AND subject = $1`,
      sweep: `
        WITH transactions AS (DELETE FROM ${transactions} WHERE expires_at < $1 RETURNING 1),
          nonces AS (DELETE FROM ${nonces} WHERE expires_at < $1 RETURNING 1),
          revocations AS (DELETE FROM ${revocations} WHERE expires_at < $1 RETURNING 1),
          trusted AS (DELETE FROM ${trustedBrowsers} WHERE expires_at < $1 RETURNING 1)
        SELECT ((SELECT count(*) FROM transactions) + (SELECT count(*) FROM nonces)
          + (SELECT count(*) FROM revocations) + (SELECT count(*) FROM trusted))::integer AS swept`
    })
  }
}

function prepared<Name extends string> (texts: Record<Name, string>): Record<Name, PreparedStatement> {
  const entries = Object.entries<string>(texts).map(([method, text]) => {
    return [method, { name: `passkey_mfa_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`, text }]
  })
  return Object.fromEntries(entries) as Record<Name, PreparedStatement>
}
