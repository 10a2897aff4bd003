/**
 * The rows of the PostgreSQL store and their mapping to and from records: BIGINT columns arrive as
 * strings, and queries take positional values.
 */
import type {
  CeremonyKind, HandshakeRecord, NonceRecord, PasskeyRecord, PasskeyUse, Revocation, TransactionRecord
} from '../store.js'

/** BIGINT columns arrive as strings. */
type BigintText = string

/** A row of `passkey_transactions`. */
export interface TransactionRow {
  key: string
  kind: CeremonyKind
  external_id: string
  passkey_display_name: string | null
  first_passkey_only: boolean
  handshake: HandshakeRecord | null
  expires_at: BigintText
}

/** A row of `passkey_nonces`. */
export interface NonceRow {
  key: string
  external_id: string
  kind: CeremonyKind
  /** The digest of the transaction ID (the column keeps its former name). */
  transaction_id: string
  passkey_id: string
  expires_at: BigintText
}

/** A row of `passkeys`. */
export interface PasskeyRow {
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

/** A transaction (as JSON: `to_jsonb`) and a passkey's columns, all `null` when no passkey matched. */
export type TransactionWithPasskeyRow = { transaction: TransactionRow } & (PasskeyRow | { [Column in keyof PasskeyRow]: null })

/** A row of `passkey_revocations`. */
export interface RevocationRow {
  position: BigintText
  kind: Revocation['kind']
  subject: string
  expires_at: BigintText
}

/** The values `$1` to `$7` of `insertTransaction`. */
export function transactionValues (transaction: TransactionRecord): unknown[] {
  const { key, kind, externalId, passkeyDisplayName, firstPasskeyOnly, handshake, expiresAt } = transaction
  return [key, kind, externalId, passkeyDisplayName, firstPasskeyOnly, handshake, expiresAt]
}

/** The values `$1` to `$6` of the statements that insert a nonce. */
export function nonceValues (nonce: NonceRecord | null): unknown[] {
  return nonce === null
    ? [null, null, null, null, null, null]
    : [nonce.key, nonce.externalId, nonce.kind, nonce.transactionKey, nonce.passkeyId, nonce.expiresAt]
}

/** The values `$7` to `$19` of `addPasskey`. */
export function passkeyValues (passkey: PasskeyRecord): unknown[] {
  return [
    passkey.id, passkey.credentialId, passkey.externalId, passkey.userHandle, passkey.publicKey,
    passkey.counter, passkey.transports, passkey.aaguid, passkey.backupEligible, passkey.backedUp,
    passkey.name, passkey.createdAt, passkey.lastUsedAt
  ]
}

/** The values `$7` to `$11` of `recordPasskeyUse`. */
export function useValues (use: PasskeyUse): unknown[] {
  return [use.id, use.previousCounter, use.counter, use.backedUp, use.lastUsedAt]
}

/** The transaction of `row`, or `null` when there is no row. */
export function toTransactionOrNull (row: TransactionRow | undefined): TransactionRecord | null {
  return row === undefined ? null : toTransaction(row)
}

/** The transaction of `row` (a row, or the same columns as JSON, where `expires_at` is a number). */
export function toTransaction (row: TransactionRow): TransactionRecord {
  return {
    key: row.key,
    kind: row.kind,
    externalId: row.external_id,
    passkeyDisplayName: row.passkey_display_name,
    firstPasskeyOnly: row.first_passkey_only,
    handshake: row.handshake,
    expiresAt: Number(row.expires_at)
  }
}

/** The nonce of `row`, or `null` when there is no row. */
export function toNonce (row: NonceRow | undefined): NonceRecord | null {
  if (row === undefined) return null
  return {
    key: row.key,
    externalId: row.external_id,
    kind: row.kind,
    transactionKey: row.transaction_id,
    passkeyId: row.passkey_id,
    expiresAt: Number(row.expires_at)
  }
}

/** The passkey of `row`, or `null` when there is no row. */
export function toPasskeyOrNull (row: PasskeyRow | undefined): PasskeyRecord | null {
  return row === undefined ? null : toPasskey(row)
}

/** The passkey of `row`. */
export function toPasskey (row: PasskeyRow): PasskeyRecord {
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

/** The revocation of `row`. */
export function toRevocation (row: RevocationRow): Revocation {
  return { position: Number(row.position), kind: row.kind, subject: row.subject, expiresAt: Number(row.expires_at) }
}
