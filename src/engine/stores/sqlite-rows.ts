/**
 * The rows of the SQLite store and their mapping to and from records: SQLite has no JSON, boolean
 * or array columns, so handshakes and transports are JSON text and booleans are `0 | 1`.
 */
import type {
  CeremonyKind, HandshakeRecord, NonceRecord, PasskeyRecord, PasskeyUse, Revocation, TransactionRecord
} from '../store.js'

/** A row of `passkey_transactions`. */
export interface TransactionRow {
  key: string
  kind: CeremonyKind
  external_id: string
  passkey_display_name: string | null
  first_passkey_only: 0 | 1
  /** JSON of the {@link HandshakeRecord}. */
  handshake: string | null
  expires_at: number
}

/** A row of `passkey_nonces`. */
export interface NonceRow {
  key: string
  external_id: string
  kind: CeremonyKind
  /** The digest of the transaction ID (the column keeps its former name). */
  transaction_id: string
  passkey_id: string
  expires_at: number
}

/** A row of `passkeys`. */
export interface PasskeyRow {
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

/** A row of `passkey_revocations`. */
export interface RevocationRow {
  position: number
  kind: Revocation['kind']
  subject: string
  expires_at: number
}

/** The named parameters that insert a transaction. */
export type TransactionParams = Omit<TransactionRecord, 'firstPasskeyOnly' | 'handshake'> & {
  firstPasskeyOnly: number
  handshake: string | null
}

/** The named parameters that record a passkey use. */
export type UseParams = Omit<PasskeyUse, 'backedUp'> & { backedUp: number }

/** The named parameters that insert a passkey. */
export type PasskeyParams = Omit<PasskeyRecord, 'transports' | 'backupEligible' | 'backedUp'> & {
  transports: string
  backupEligible: number
  backedUp: number
}

/** The parameters of `transaction`. */
export function transactionParams (transaction: TransactionRecord): TransactionParams {
  const { firstPasskeyOnly, handshake } = transaction
  return {
    ...transaction,
    firstPasskeyOnly: Number(firstPasskeyOnly),
    handshake: handshake === null ? null : JSON.stringify(handshake)
  }
}

/** The parameters of `use`. */
export function useParams (use: PasskeyUse): UseParams {
  return { ...use, backedUp: Number(use.backedUp) }
}

/** The parameters of `passkey`. */
export function passkeyParams (passkey: PasskeyRecord): PasskeyParams {
  return {
    ...passkey,
    transports: JSON.stringify(passkey.transports),
    backupEligible: Number(passkey.backupEligible),
    backedUp: Number(passkey.backedUp)
  }
}

/** The transaction of `row`, or `null` when there is no row. */
export function toTransactionOrNull (row: TransactionRow | undefined): TransactionRecord | null {
  return row === undefined ? null : toTransaction(row)
}

/** The transaction of `row`. */
export function toTransaction (row: TransactionRow): TransactionRecord {
  return {
    key: row.key,
    kind: row.kind,
    externalId: row.external_id,
    passkeyDisplayName: row.passkey_display_name,
    firstPasskeyOnly: row.first_passkey_only === 1,
    handshake: row.handshake === null ? null : JSON.parse(row.handshake) as HandshakeRecord,
    expiresAt: row.expires_at
  }
}

/** The nonce of `row`. */
export function toNonce (row: NonceRow): NonceRecord {
  return {
    key: row.key,
    externalId: row.external_id,
    kind: row.kind,
    transactionKey: row.transaction_id,
    passkeyId: row.passkey_id,
    expiresAt: row.expires_at
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

/** The revocation of `row`. */
export function toRevocation (row: RevocationRow): Revocation {
  return { position: row.position, kind: row.kind, subject: row.subject, expiresAt: row.expires_at }
}
