/**
 * The storage contract of the engine: a handful of plain async methods returning records or `null`.
 * Secrets never reach a store in the clear: transactions and nonces are keyed by the SHA-256 digest
 * of their value, and a nonce names its transaction by that digest too. Stores do not read the
 * clock: the engine checks `expiresAt` on what a store returns, and passes `now` to `sweep`.
 */

/** Which ceremony a transaction or nonce is for. */
export type CeremonyKind = 'register' | 'authenticate'

/** One started ceremony of a transaction: the challenge the browser must sign. */
export interface HandshakeRecord {
  /** Sent to the browser, echoed back at finish. */
  id: string
  /** base64url challenge. */
  challenge: string
  /** base64url WebAuthn `user.id` offered at register start. */
  userHandle: string | null
  /** Epoch milliseconds. */
  expiresAt: number
}

/** A register or authenticate transaction created by the server for one user. */
export interface TransactionRecord {
  /** Digest of the transaction ID. */
  key: string
  kind: CeremonyKind
  externalId: string
  passkeyDisplayName: string | null
  /** A register transaction that may only add the user's first passkey (enrollment after a first factor). */
  firstPasskeyOnly: boolean
  /** The latest started ceremony; a new start replaces it. */
  handshake: HandshakeRecord | null
  /** Epoch milliseconds. */
  expiresAt: number
}

/** What a redeemed nonce proves, besides the transaction it was issued for (which only its digest names). */
export interface NonceClaims {
  externalId: string
  kind: CeremonyKind
  /** The passkey registered or used. */
  passkeyId: string
}

/** A one-time nonce issued at the end of a successful ceremony. */
export interface NonceRecord extends NonceClaims {
  /** Digest of the nonce. */
  key: string
  /** Digest of the ID of the transaction the nonce was issued for: that transaction's {@link TransactionRecord.key}. */
  transactionKey: string
  /** Epoch milliseconds. */
  expiresAt: number
}

/**
 * What {@link PasskeyStore.deletePasskey} did: `deleted` (with the position of the user revocation
 * recorded with it, or `null` when none was asked for), or why it deleted nothing.
 */
export type DeletePasskeyResult = { deleted: true, revokedAt: number | null } | { deleted: false, reason: 'not-found' | 'last' }

/** A registered passkey. */
export interface PasskeyRecord {
  id: string
  /** base64url credential ID, unique across all users. */
  credentialId: string
  externalId: string
  /** base64url WebAuthn user handle. */
  userHandle: string
  /** COSE public key. */
  publicKey: Uint8Array
  counter: number
  transports: string[]
  aaguid: string
  backupEligible: boolean
  backedUp: boolean
  name: string
  /** Epoch milliseconds. */
  createdAt: number
  /** Epoch milliseconds, `null` until first used. */
  lastUsedAt: number | null
}

/** A started authentication ceremony: its transaction, with the new handshake, and the user's passkeys. */
export interface AuthenticationStart {
  transaction: TransactionRecord
  /** Oldest first, as {@link PasskeyStore.listPasskeys} lists them. */
  passkeys: PasskeyRecord[]
}

/** A taken transaction, and the passkey an assertion names. */
export interface TakenTransaction {
  transaction: TransactionRecord
  /** The passkey of the credential ID asked for, whoever's it is; `null` when there is none. */
  passkey: PasskeyRecord | null
}

/** What {@link PasskeyStore.addPasskey} did. */
export type AddPasskeyResult = 'added' | 'credential-taken' | 'not-first'

/** The changes a successful assertion makes to its passkey. */
export interface PasskeyUse {
  id: string
  /** The counter the assertion was verified against (compare-and-set). */
  previousCounter: number
  counter: number
  backedUp: boolean
  lastUsedAt: number
}

/**
 * A revocation of MFA sessions: of one session (`kind: 'session'`, a logout; `subject` is its session
 * ID), or of every session of one user begun before it (`kind: 'user'`, "sign out everywhere";
 * `subject` is the external ID). Its `position` comes from the store — a sequence that grows in
 * commit order, shared by every instance — never from an instance's clock.
 */
export interface Revocation {
  /** Greater than the position of every revocation committed before this one; never reused. */
  position: number
  kind: 'session' | 'user'
  subject: string
  /** Epoch milliseconds after which every session it revokes is dead anyway, and it can be swept. */
  expiresAt: number
}

/**
 * A browser the user chose to trust after a passkey step: on it, the user's first factor signs in
 * without the passkey step until `expiresAt`. The browser holds a 256-bit token in a cookie; the
 * store holds its digest only.
 */
export interface TrustedBrowserRecord {
  /** Public ID, what lists show and a revocation names. */
  id: string
  /** Digest of the browser's token. */
  key: string
  externalId: string
  /** Browser and system, e.g. "Chrome on Linux". */
  name: string
  /** Epoch milliseconds. */
  createdAt: number
  /** Epoch milliseconds of the latest sign-in it stood in for (its creation at first). */
  lastUsedAt: number
  /** Epoch milliseconds. */
  expiresAt: number
}

/**
 * What {@link PasskeyStore.eraseUser} erases: `factors` (a support reset: passkeys, recovery codes,
 * trusted browsers, and the ceremonies in flight) or `everything` (user deletion: also the user's
 * earlier revocations).
 */
export type EraseScope = 'factors' | 'everything'

/**
 * Storage for transactions, nonces, passkeys, recovery codes, trusted browsers and session
 * revocations. Every single-use take is one atomic operation.
 *
 * Trusted browsers are revoked with the user's sessions and by every change of the user's factors:
 * a user revocation, and adding, renaming or deleting a passkey and replacing the recovery codes,
 * delete the user's trusted browsers in the same transaction.
 */
export interface PasskeyStore {
  /** Prepares the schema (idempotent). Called once by the engine before first use. */
  init(): Promise<void>
  createTransaction(transaction: TransactionRecord): Promise<void>
  getTransaction(key: string): Promise<TransactionRecord | null>
  /** Sets the transaction's current handshake; `false` when the transaction is gone. */
  saveHandshake(key: string, handshake: HandshakeRecord): Promise<boolean>
  /**
   * Starts an authentication ceremony in one atomic call: sets the handshake of the transaction and
   * returns it with its user's passkeys. Writes nothing and returns `null` unless the transaction
   * exists, is an `authenticate` transaction and expires after `now`.
   */
  startAuthentication(key: string, now: number, handshake: HandshakeRecord): Promise<AuthenticationStart | null>
  /**
   * Opens an authentication ceremony in one call: inserts an `authenticate` transaction that already
   * holds its first handshake, and returns its user's passkeys (oldest first), for the options.
   */
  openAuthentication(transaction: TransactionRecord): Promise<PasskeyRecord[]>
  /** Atomically removes and returns the transaction (expired or not). */
  takeTransaction(key: string): Promise<TransactionRecord | null>
  /**
   * {@link PasskeyStore.takeTransaction}, also returning the passkey of `credentialId`, in one call
   * (an authentication finish); `null`, with no passkey read, when there is no such transaction.
   */
  takeTransactionWithPasskey(key: string, credentialId: string): Promise<TakenTransaction | null>
  /** Atomically removes and returns the nonce (expired or not). */
  takeNonce(key: string): Promise<NonceRecord | null>
  /** The user's passkeys, oldest first (`createdAt`, then `id`). */
  listPasskeys(externalId: string): Promise<PasskeyRecord[]>
  /**
   * Atomically inserts the passkey and its nonce (none for a ceremony the plugin completes in the
   * session itself). Writes nothing and answers `credential-taken` when
   * the credential ID is already registered (checked first), or `not-first` when `firstOnly` and the
   * user already has a passkey (also one added concurrently); otherwise `added`.
   */
  addPasskey(passkey: PasskeyRecord, nonce: NonceRecord | null, firstOnly: boolean): Promise<AddPasskeyResult>
  /**
   * Atomically records an assertion and inserts its nonce (if any). Returns `false`, writing nothing, when the
   * passkey is gone or its counter is no longer `previousCounter`.
   */
  recordPasskeyUse(use: PasskeyUse, nonce: NonceRecord | null): Promise<boolean>
  renamePasskey(externalId: string, id: string, name: string): Promise<PasskeyRecord | null>
  /**
   * Deletes one of the user's passkeys: `not-found` when the user has no such passkey, and with
   * `keepOne`, `last` (deleting nothing) when it is the user's only one. With `revokeUntil`, it also
   * records a user revocation of `externalId` expiring then, in the same transaction (as
   * {@link PasskeyStore.revoke}), and returns its position. Atomic: parallel deletes of a user's last two passkeys with `keepOne` leave one.
   */
  deletePasskey(externalId: string, id: string, keepOne: boolean, revokeUntil: number | null): Promise<DeletePasskeyResult>
  /**
   * Records a revocation of `kind` for `subject` at a new position, and returns that position. A
   * user revocation also deletes, in the same transaction, the user's trusted browsers and the
   * transactions in flight (a ceremony a revoked session started cannot finish).
   */
  revoke(kind: Revocation['kind'], subject: string, expiresAt: number): Promise<number>
  /** The position of the user's latest user revocation not yet swept; `0` when there is none. */
  userRevokedAt(externalId: string): Promise<number>
  /** The revocations with a position greater than `after`, in position order. */
  listRevocations(after: number): Promise<Revocation[]>
  /**
   * Replaces the user's recovery codes, atomically: the old set is gone and the new one is there in
   * one step. `digests` are the SHA-256 digests of the codes (never the codes); an empty list only
   * deletes.
   */
  replaceRecoveryCodes(externalId: string, digests: string[]): Promise<void>
  /**
   * Takes one of the user's recovery codes, atomically: deletes the code with this digest and
   * returns how many the user has left; `null`, deleting nothing, when the user has no such code.
   * Of parallel takes of one code, exactly one gets a number.
   */
  takeRecoveryCode(externalId: string, digest: string): Promise<number | null>
  /** How many recovery codes the user has left. */
  countRecoveryCodes(externalId: string): Promise<number>
  /**
   * Records a trusted browser; with `replacesKey`, deletes the user's trusted browser of that key in
   * the same transaction (a browser trusted again replaces its former trust).
   */
  addTrustedBrowser(browser: TrustedBrowserRecord, replacesKey: string | null): Promise<void>
  /**
   * The trusted browser with this key, if it belongs to `externalId` and expires after `now`, with
   * its use recorded (`lastUsedAt = now`); otherwise `null`, writing nothing.
   */
  useTrustedBrowser(key: string, externalId: string, now: number): Promise<TrustedBrowserRecord | null>
  /** The user's trusted browsers (also expired ones not yet swept), oldest first (`createdAt`, then `id`). */
  listTrustedBrowsers(externalId: string): Promise<TrustedBrowserRecord[]>
  /** Deletes one of the user's trusted browsers (`id`), or all of them (`null`); returns how many. */
  deleteTrustedBrowsers(externalId: string, id: string | null): Promise<number>
  /**
   * Erases the user's rows of `scope` and records a user revocation of `externalId` expiring at
   * `revokeUntil`, in one transaction; returns the revocation's position. After `everything`, that
   * revocation is the only row naming the user, and the sweep deletes it once it expires.
   */
  eraseUser(externalId: string, scope: EraseScope, revokeUntil: number): Promise<number>
  /** Deletes transactions, nonces, revocations and trusted browsers that expired before `now`; returns how many. */
  sweep(now: number): Promise<number>
  close(): Promise<void>
}
