import type {
  AddPasskeyResult, AuthenticationStart, DeletePasskeyResult, EraseScope, HandshakeRecord, NonceRecord, PasskeyRecord, PasskeyStore,
  PasskeyUse, Revocation, TakenTransaction, TransactionRecord, TrustedBrowserRecord
} from '../store.js'

/**
 * A store in process memory, for tests and single-process apps. Records are copied in and out, so
 * callers never share state with the store; every method runs without awaiting, which makes each
 * one atomic.
 *
 * @example
 * const engine = new PasskeyEngine({ ...config, store: new MemoryStore() })
 */
export class MemoryStore implements PasskeyStore {
  readonly #transactions = new Map<string, TransactionRecord>()
  readonly #nonces = new Map<string, NonceRecord>()
  readonly #passkeys = new Map<string, PasskeyRecord>()
  readonly #passkeyIdByCredential = new Map<string, string>()
  /** Each user's passkeys by ID, so that listing one user's does not scan everyone's. */
  readonly #passkeysByUser = new Map<string, Map<string, PasskeyRecord>>()
  /** Revocations by position, in position order (a Map iterates in insertion order). */
  readonly #revocations = new Map<number, Revocation>()
  #lastPosition = 0
  /** Each user's recovery codes (their digests); a user without any has no entry. */
  readonly #recoveryCodes = new Map<string, Set<string>>()
  /** Trusted browsers by key. */
  readonly #trustedBrowsers = new Map<string, TrustedBrowserRecord>()

  async init (): Promise<void> {}

  async createTransaction (transaction: TransactionRecord): Promise<void> {
    this.#transactions.set(transaction.key, copyTransaction(transaction))
  }

  async getTransaction (key: string): Promise<TransactionRecord | null> {
    const transaction = this.#transactions.get(key)
    return transaction === undefined ? null : copyTransaction(transaction)
  }

  async saveHandshake (key: string, handshake: HandshakeRecord): Promise<boolean> {
    const transaction = this.#transactions.get(key)
    if (transaction === undefined) return false
    transaction.handshake = { ...handshake }
    return true
  }

  async startAuthentication (key: string, now: number, handshake: HandshakeRecord): Promise<AuthenticationStart | null> {
    const transaction = this.#transactions.get(key)
    if (transaction === undefined || transaction.kind !== 'authenticate' || transaction.expiresAt <= now) return null
    transaction.handshake = { ...handshake }
    return { transaction: copyTransaction(transaction), passkeys: this.#passkeysOf(transaction.externalId) }
  }

  async openAuthentication (transaction: TransactionRecord): Promise<PasskeyRecord[]> {
    this.#transactions.set(transaction.key, copyTransaction(transaction))
    return this.#passkeysOf(transaction.externalId)
  }

  async takeTransaction (key: string): Promise<TransactionRecord | null> {
    return take(this.#transactions, key)
  }

  async takeNonce (key: string): Promise<NonceRecord | null> {
    return take(this.#nonces, key)
  }

  async listPasskeys (externalId: string): Promise<PasskeyRecord[]> {
    return this.#passkeysOf(externalId)
  }

  async takeTransactionWithPasskey (key: string, credentialId: string): Promise<TakenTransaction | null> {
    const transaction = take(this.#transactions, key)
    if (transaction === null) return null
    const id = this.#passkeyIdByCredential.get(credentialId)
    return { transaction, passkey: id === undefined ? null : copyPasskey(this.#passkeys.get(id)!) }
  }

  async addPasskey (passkey: PasskeyRecord, nonce: NonceRecord | null, firstOnly: boolean): Promise<AddPasskeyResult> {
    if (this.#passkeyIdByCredential.has(passkey.credentialId)) return 'credential-taken'
    const usersPasskeys = this.#passkeysByUser.get(passkey.externalId) ?? new Map<string, PasskeyRecord>()
    if (firstOnly && usersPasskeys.size > 0) return 'not-first'
    const stored = copyPasskey(passkey)
    this.#passkeys.set(passkey.id, stored)
    this.#passkeyIdByCredential.set(passkey.credentialId, passkey.id)
    this.#passkeysByUser.set(passkey.externalId, usersPasskeys.set(passkey.id, stored))
    if (nonce !== null) this.#nonces.set(nonce.key, { ...nonce })
    this.#forgetTrustedBrowsers(passkey.externalId, null)
    return 'added'
  }

  async recordPasskeyUse (use: PasskeyUse, nonce: NonceRecord | null): Promise<boolean> {
    const passkey = this.#passkeys.get(use.id)
    if (passkey === undefined || passkey.counter !== use.previousCounter) return false
    passkey.counter = use.counter
    passkey.backedUp = use.backedUp
    passkey.lastUsedAt = use.lastUsedAt
    if (nonce !== null) this.#nonces.set(nonce.key, { ...nonce })
    return true
  }

  async renamePasskey (externalId: string, id: string, name: string): Promise<PasskeyRecord | null> {
    const passkey = this.#passkeys.get(id)
    if (passkey === undefined || passkey.externalId !== externalId) return null
    passkey.name = name
    this.#forgetTrustedBrowsers(externalId, null)
    return copyPasskey(passkey)
  }

  async deletePasskey (externalId: string, id: string, keepOne: boolean, revokeUntil: number | null): Promise<DeletePasskeyResult> {
    const passkey = this.#passkeys.get(id)
    if (passkey === undefined || passkey.externalId !== externalId) return { deleted: false, reason: 'not-found' }
    const usersPasskeys = this.#passkeysByUser.get(externalId)!
    if (keepOne && usersPasskeys.size === 1) return { deleted: false, reason: 'last' }
    this.#passkeys.delete(id)
    this.#passkeyIdByCredential.delete(passkey.credentialId)
    usersPasskeys.delete(id)
    if (usersPasskeys.size === 0) this.#passkeysByUser.delete(externalId)
    this.#forgetTrustedBrowsers(externalId, null)
    return { deleted: true, revokedAt: revokeUntil === null ? null : this.#revoke('user', externalId, revokeUntil) }
  }

  async revoke (kind: Revocation['kind'], subject: string, expiresAt: number): Promise<number> {
    return this.#revoke(kind, subject, expiresAt)
  }

  async userRevokedAt (externalId: string): Promise<number> {
    let latest = 0
    for (const { position, kind, subject } of this.#revocations.values()) {
      if (kind === 'user' && subject === externalId) latest = position
    }
    return latest
  }

  async listRevocations (after: number): Promise<Revocation[]> {
    return [...this.#revocations.values()].filter(({ position }) => position > after).map((revocation) => ({ ...revocation }))
  }

  async replaceRecoveryCodes (externalId: string, digests: string[]): Promise<void> {
    const codes = new Set(digests)
    if (codes.size === 0) this.#recoveryCodes.delete(externalId)
    else this.#recoveryCodes.set(externalId, codes)
    this.#forgetTrustedBrowsers(externalId, null)
  }

  async takeRecoveryCode (externalId: string, digest: string): Promise<number | null> {
    const codes = this.#recoveryCodes.get(externalId)
    if (codes === undefined || !codes.delete(digest)) return null
    if (codes.size === 0) this.#recoveryCodes.delete(externalId)
    return codes.size
  }

  async countRecoveryCodes (externalId: string): Promise<number> {
    return this.#recoveryCodes.get(externalId)?.size ?? 0
  }

  async addTrustedBrowser (browser: TrustedBrowserRecord, replacesKey: string | null): Promise<void> {
    if (replacesKey !== null && this.#trustedBrowsers.get(replacesKey)?.externalId === browser.externalId) this.#trustedBrowsers.delete(replacesKey)
    this.#trustedBrowsers.set(browser.key, { ...browser })
  }

  async useTrustedBrowser (key: string, externalId: string, now: number): Promise<TrustedBrowserRecord | null> {
    const browser = this.#trustedBrowsers.get(key)
    if (browser === undefined || browser.externalId !== externalId || browser.expiresAt <= now) return null
    browser.lastUsedAt = now
    return { ...browser }
  }

  async listTrustedBrowsers (externalId: string): Promise<TrustedBrowserRecord[]> {
    return [...this.#trustedBrowsers.values()]
      .filter((browser) => browser.externalId === externalId)
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
      .map((browser) => ({ ...browser }))
  }

  async deleteTrustedBrowsers (externalId: string, id: string | null): Promise<number> {
    return this.#forgetTrustedBrowsers(externalId, id)
  }

  async eraseUser (externalId: string, scope: EraseScope, revokeUntil: number): Promise<number> {
    for (const passkey of this.#passkeysByUser.get(externalId)?.values() ?? []) {
      this.#passkeys.delete(passkey.id)
      this.#passkeyIdByCredential.delete(passkey.credentialId)
    }
    this.#passkeysByUser.delete(externalId)
    this.#recoveryCodes.delete(externalId)
    deleteWhere(this.#nonces, (nonce) => nonce.externalId === externalId)
    if (scope === 'everything') deleteWhere(this.#revocations, ({ kind, subject }) => kind === 'user' && subject === externalId)
    return this.#revoke('user', externalId, revokeUntil)
  }

  async sweep (now: number): Promise<number> {
    return sweepMap(this.#transactions, now) + sweepMap(this.#nonces, now) + sweepMap(this.#revocations, now) +
      sweepMap(this.#trustedBrowsers, now)
  }

  async close (): Promise<void> {}

  /** Records a revocation; a user revocation also forgets the user's trusted browsers and transactions. */
  #revoke (kind: Revocation['kind'], subject: string, expiresAt: number): number {
    const position = ++this.#lastPosition
    this.#revocations.set(position, { position, kind, subject, expiresAt })
    if (kind === 'user') {
      this.#forgetTrustedBrowsers(subject, null)
      deleteWhere(this.#transactions, (transaction) => transaction.externalId === subject)
    }
    return position
  }

  #passkeysOf (externalId: string): PasskeyRecord[] {
    const passkeys = this.#passkeysByUser.get(externalId)
    return passkeys === undefined ? [] : [...passkeys.values()].sort(byCreation).map(copyPasskey)
  }

  #forgetTrustedBrowsers (externalId: string, id: string | null): number {
    return deleteWhere(this.#trustedBrowsers, (browser) => browser.externalId === externalId && (id === null || browser.id === id))
  }
}

/** The order every store lists passkeys in: oldest first, ties broken by ID. */
function byCreation (a: PasskeyRecord, b: PasskeyRecord): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1)
}

function copyTransaction (transaction: TransactionRecord): TransactionRecord {
  return { ...transaction, handshake: transaction.handshake === null ? null : { ...transaction.handshake } }
}

function copyPasskey (passkey: PasskeyRecord): PasskeyRecord {
  return { ...passkey, publicKey: new Uint8Array(passkey.publicKey), transports: [...passkey.transports] }
}

function take<T> (map: Map<string, T>, key: string): T | null {
  const record = map.get(key)
  if (record === undefined) return null
  map.delete(key)
  return record
}

/** Deletes the entries of `map` whose value matches; returns how many. */
function deleteWhere<K, V> (map: Map<K, V>, matches: (value: V) => boolean): number {
  let deleted = 0
  for (const [key, value] of map) {
    if (matches(value)) {
      map.delete(key)
      deleted++
    }
  }
  return deleted
}

function sweepMap<K> (map: Map<K, { expiresAt: number }>, now: number): number {
  return deleteWhere(map, (record) => record.expiresAt < now)
}
