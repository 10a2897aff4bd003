import type { Test } from 'tap'
import { lifecycleContract } from './store-contract-lifecycle.js'
import type {
  DeletePasskeyResult, HandshakeRecord, NonceRecord, PasskeyRecord, PasskeyStore, PasskeyUse, Revocation, TransactionRecord
} from '../../src/engine/store.js'

const NOW = 1_700_000_000_000
const MINUTE = 60_000

function transaction (overrides: Partial<TransactionRecord> = {}): TransactionRecord {
  return {
    key: 'transaction-digest',
    kind: 'register',
    externalId: 'alice',
    passkeyDisplayName: 'Alice',
    firstPasskeyOnly: false,
    handshake: null,
    expiresAt: NOW + 10 * MINUTE,
    ...overrides
  }
}

function handshake (overrides: Partial<HandshakeRecord> = {}): HandshakeRecord {
  return { id: 'handshake-1', challenge: 'Y2hhbGxlbmdl', userHandle: 'dXNlci1oYW5kbGU', expiresAt: NOW + MINUTE, ...overrides }
}

/** Alice's register nonce for `passkey-1`, with `overrides`. */
export function nonce (overrides: Partial<NonceRecord> = {}): NonceRecord {
  return {
    key: 'nonce-digest',
    externalId: 'alice',
    kind: 'register',
    transactionKey: 'transaction-digest',
    passkeyId: 'passkey-1',
    expiresAt: NOW + MINUTE,
    ...overrides
  }
}

/** Alice's passkey `passkey-1`, with `overrides`. */
export function passkey (overrides: Partial<PasskeyRecord> = {}): PasskeyRecord {
  return {
    id: 'passkey-1',
    credentialId: 'Y3JlZGVudGlhbC0x',
    externalId: 'alice',
    userHandle: 'dXNlci1oYW5kbGU',
    publicKey: Uint8Array.from([0xa5, 0x01, 0x02, 0x00, 0x26, 0x7f, 0x80, 0xfe, 0xff, 0x00]),
    counter: 0,
    transports: ['internal', 'hybrid'],
    aaguid: 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd',
    backupEligible: true,
    backedUp: false,
    name: 'MacBook',
    createdAt: NOW,
    lastUsedAt: null,
    ...overrides
  }
}

/** The passkey of this credential ID among alice's and bob's (the users of these tests), or `null`. */
export async function passkeyOf (store: PasskeyStore, credentialId: string): Promise<PasskeyRecord | null> {
  const passkeys = [...await store.listPasskeys('alice'), ...await store.listPasskeys('bob')]
  return passkeys.find((passkey) => passkey.credentialId === credentialId) ?? null
}

function use (overrides: Partial<PasskeyUse> = {}): PasskeyUse {
  return { id: 'passkey-1', previousCounter: 0, counter: 1, backedUp: true, lastUsedAt: NOW + MINUTE, ...overrides }
}

/** Records a revocation through `store.revoke`, and returns it as the store lists it. */
async function revoked (store: PasskeyStore, kind: Revocation['kind'], subject: string, expiresAt = NOW + 10 * MINUTE): Promise<Revocation> {
  return { position: await store.revoke(kind, subject, expiresAt), kind, subject, expiresAt }
}

const DELETED: DeletePasskeyResult = { deleted: true, revokedAt: null }
const NOT_FOUND: DeletePasskeyResult = { deleted: false, reason: 'not-found' }
const LAST: DeletePasskeyResult = { deleted: false, reason: 'last' }

const authentication = (overrides: Partial<NonceRecord> = {}): NonceRecord =>
  nonce({ key: 'use-nonce-digest', kind: 'authenticate', ...overrides })

/** The position of the revocation a delete recorded, or `0` (no position) when it recorded none. */
function revokedAt (result: DeletePasskeyResult): number {
  return result.deleted ? result.revokedAt ?? 0 : 0
}

/** `count` recovery code digests: `prefix-0`, `prefix-1`, ... */
function codes (count: number, prefix = 'digest'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`)
}

function nonNull<T> (results: Array<T | null>): T[] {
  return results.filter((result): result is T => result !== null)
}

/**
 * The behaviour every {@link PasskeyStore} must have, as subtests of `t`. Each subtest runs on a
 * fresh, empty store from `makeStore`, initialized here and closed in teardown.
 */
export function storeContract (t: Test, makeStore: () => Promise<PasskeyStore>): void {
  async function open (t: Test): Promise<PasskeyStore> {
    const store = await makeStore()
    t.teardown(() => store.close())
    await store.init()
    return store
  }

  lifecycleContract(t, open)

  t.test('init twice is harmless', async (t) => {
    const store = await open(t)
    await store.createTransaction(transaction())
    t.equal(await store.addPasskey(passkey(), nonce(), false), 'added')
    await store.replaceRecoveryCodes('alice', codes(2))
    await store.init()
    t.strictSame(await store.getTransaction('transaction-digest'), transaction())
    t.equal(await store.countRecoveryCodes('alice'), 2)
    t.strictSame(await passkeyOf(store, passkey().credentialId), passkey())
    t.equal(await store.addPasskey(passkey({ id: 'passkey-2', credentialId: 'other' }), nonce({ key: 'other' }), false), 'added')
  })

  t.test('transactions', async (t) => {
    t.test('round-trip with and without a handshake, first passkey only or not', async (t) => {
      const store = await open(t)
      const started = transaction({
        key: 'started', kind: 'authenticate', passkeyDisplayName: null, handshake: handshake({ userHandle: null })
      })
      const enrollment = transaction({ key: 'enrollment', firstPasskeyOnly: true })
      for (const record of [transaction(), started, enrollment]) await store.createTransaction(record)
      t.strictSame(await store.getTransaction('transaction-digest'), transaction())
      t.strictSame(await store.getTransaction('started'), started)
      t.strictSame(await store.getTransaction('enrollment'), enrollment)
      t.strictSame(await store.takeTransaction('enrollment'), enrollment)
    })

    t.test('get of an unknown key is null', async (t) => {
      const store = await open(t)
      t.equal(await store.getTransaction('unknown'), null)
    })

    t.test('take returns the transaction once', async (t) => {
      const store = await open(t)
      await store.createTransaction(transaction({ handshake: handshake() }))
      t.strictSame(await store.takeTransaction('transaction-digest'), transaction({ handshake: handshake() }))
      t.equal(await store.takeTransaction('transaction-digest'), null)
      t.equal(await store.getTransaction('transaction-digest'), null)
    })

    t.test('take returns an expired transaction', async (t) => {
      const store = await open(t)
      await store.createTransaction(transaction({ expiresAt: NOW - MINUTE }))
      t.strictSame(await store.takeTransaction('transaction-digest'), transaction({ expiresAt: NOW - MINUTE }))
    })

    t.test('take of an unknown key is null', async (t) => {
      const store = await open(t)
      t.equal(await store.takeTransaction('unknown'), null)
    })

    t.test('10 parallel takes: exactly one gets it', async (t) => {
      const store = await open(t)
      await store.createTransaction(transaction())
      const taken = await Promise.all(Array.from({ length: 10 }, () => store.takeTransaction('transaction-digest')))
      t.strictSame(nonNull(taken), [transaction()])
    })

    t.test('saveHandshake sets, then replaces, the handshake', async (t) => {
      const store = await open(t)
      await store.createTransaction(transaction())
      t.equal(await store.saveHandshake('transaction-digest', handshake()), true)
      t.strictSame(await store.getTransaction('transaction-digest'), transaction({ handshake: handshake() }))
      const second = handshake({ id: 'handshake-2', challenge: 'c2Vjb25k', userHandle: null, expiresAt: NOW + 2 * MINUTE })
      t.equal(await store.saveHandshake('transaction-digest', second), true)
      t.strictSame(await store.getTransaction('transaction-digest'), transaction({ handshake: second }))
    })

    t.test('saveHandshake of an absent transaction is false and creates nothing', async (t) => {
      const store = await open(t)
      t.equal(await store.saveHandshake('unknown', handshake()), false)
      t.equal(await store.getTransaction('unknown'), null)
    })

    t.test('startAuthentication sets the handshake and returns the transaction with only its user\'s passkeys, oldest first', async (t) => {
      const store = await open(t)
      const signIn = transaction({ kind: 'authenticate', passkeyDisplayName: null, handshake: handshake({ userHandle: null }) })
      await store.createTransaction(signIn)
      const newer = passkey({ id: 'passkey-2', credentialId: 'bmV3ZXI', createdAt: NOW + 1, transports: [] })
      const older = passkey()
      t.equal(await store.addPasskey(newer, nonce({ key: 'n1' }), false), 'added')
      t.equal(await store.addPasskey(older, nonce({ key: 'n2' }), false), 'added')
      t.equal(await store.addPasskey(passkey({ id: 'bobs', credentialId: 'Ym9icw', externalId: 'bob' }), nonce({ key: 'n3' }), false), 'added')
      const second = handshake({ id: 'handshake-2', challenge: 'c2Vjb25k', userHandle: null })
      const started = transaction({ ...signIn, handshake: second })
      t.strictSame(await store.startAuthentication('transaction-digest', NOW, second), { transaction: started, passkeys: [older, newer] })
      t.strictSame(await store.getTransaction('transaction-digest'), started)
    })

    t.test('startAuthentication of a user without passkeys returns none', async (t) => {
      const store = await open(t)
      const signIn = transaction({ kind: 'authenticate', passkeyDisplayName: null })
      await store.createTransaction(signIn)
      const started = await store.startAuthentication('transaction-digest', NOW, handshake({ userHandle: null }))
      t.strictSame(started, { transaction: { ...signIn, handshake: handshake({ userHandle: null }) }, passkeys: [] })
      started!.transaction.handshake!.challenge = 'changed'
      t.strictSame((await store.getTransaction('transaction-digest'))!.handshake, handshake({ userHandle: null }), 'copied out')
    })

    t.test('startAuthentication writes nothing and is null for an unknown, expired or register transaction', async (t) => {
      const store = await open(t)
      const expiring = transaction({ key: 'expiring', kind: 'authenticate', expiresAt: NOW })
      const registration = transaction({ key: 'registration' })
      for (const record of [expiring, registration]) await store.createTransaction(record)
      for (const key of ['unknown', 'expiring', 'registration']) {
        t.equal(await store.startAuthentication(key, NOW, handshake()), null, key)
      }
      t.strictSame(await store.getTransaction('expiring'), expiring)
      t.strictSame(await store.getTransaction('registration'), registration)
      t.equal(await store.getTransaction('unknown'), null)
      t.ok(await store.startAuthentication('expiring', NOW - 1, handshake()), 'live until its expiry')
    })

    t.test('openAuthentication creates the transaction with its handshake and returns only its user\'s passkeys, oldest first', async (t) => {
      const store = await open(t)
      const newer = passkey({ id: 'passkey-2', credentialId: 'bmV3ZXI', createdAt: NOW + 1, transports: [] })
      const older = passkey()
      t.equal(await store.addPasskey(newer, null, false), 'added')
      t.equal(await store.addPasskey(older, null, false), 'added')
      t.equal(await store.addPasskey(passkey({ id: 'bobs', credentialId: 'Ym9icw', externalId: 'bob' }), null, false), 'added')
      const opened = transaction({ kind: 'authenticate', passkeyDisplayName: null, handshake: handshake({ userHandle: null }) })
      t.strictSame(await store.openAuthentication(opened), [older, newer])
      t.strictSame(await store.getTransaction('transaction-digest'), opened)
      const carol = transaction({ key: 'carols', externalId: 'carol', kind: 'authenticate', passkeyDisplayName: null, handshake: handshake() })
      t.strictSame(await store.openAuthentication(carol), [], 'a user without passkeys')
      t.strictSame(await store.takeTransaction('carols'), carol)
    })

    t.test('records are copied in and out', async (t) => {
      const store = await open(t)
      const created = transaction({ handshake: handshake() })
      await store.createTransaction(created)
      created.handshake!.challenge = 'changed'
      const read = await store.getTransaction('transaction-digest')
      t.strictSame(read, transaction({ handshake: handshake() }))
      read!.handshake!.challenge = 'changed'
      t.strictSame(await store.getTransaction('transaction-digest'), transaction({ handshake: handshake() }))
    })
  })

  t.test('nonces', async (t) => {
    t.test('addPasskey stores its nonce, taken once', async (t) => {
      const store = await open(t)
      t.equal(await store.addPasskey(passkey(), nonce(), false), 'added')
      t.strictSame(await store.takeNonce('nonce-digest'), nonce())
      t.equal(await store.takeNonce('nonce-digest'), null)
    })

    t.test('recordPasskeyUse stores its nonce, taken once', async (t) => {
      const store = await open(t)
      await store.addPasskey(passkey(), nonce(), false)
      t.equal(await store.recordPasskeyUse(use(), authentication()), true)
      t.strictSame(await store.takeNonce('use-nonce-digest'), authentication())
      t.equal(await store.takeNonce('use-nonce-digest'), null)
    })

    t.test('addPasskey and recordPasskeyUse without a nonce write the passkey and no nonce', async (t) => {
      const store = await open(t)
      t.equal(await store.addPasskey(passkey({ counter: 3 }), null, false), 'added')
      t.equal(await store.recordPasskeyUse(use({ previousCounter: 3, counter: 4 }), null), true)
      t.equal((await store.listPasskeys('alice'))[0]!.counter, 4)
      t.equal(await store.recordPasskeyUse(use({ previousCounter: 3, counter: 5 }), null), false, 'a stale counter')
      t.equal((await store.listPasskeys('alice'))[0]!.counter, 4)
      t.equal(await store.sweep(NOW + 365 * 24 * 60 * MINUTE), 0, 'no nonce was stored')
    })

    t.test('take returns an expired nonce', async (t) => {
      const store = await open(t)
      await store.addPasskey(passkey(), nonce({ expiresAt: NOW - MINUTE }), false)
      t.strictSame(await store.takeNonce('nonce-digest'), nonce({ expiresAt: NOW - MINUTE }))
    })

    t.test('take of an unknown key is null', async (t) => {
      const store = await open(t)
      t.equal(await store.takeNonce('unknown'), null)
    })

    t.test('10 parallel takes: exactly one gets it', async (t) => {
      const store = await open(t)
      await store.addPasskey(passkey(), nonce(), false)
      const taken = await Promise.all(Array.from({ length: 10 }, () => store.takeNonce('nonce-digest')))
      t.strictSame(nonNull(taken), [nonce()])
    })
  })

  t.test('addPasskey', async (t) => {
    t.test('stores the passkey', async (t) => {
      const store = await open(t)
      t.equal(await store.addPasskey(passkey(), nonce(), false), 'added')
      t.strictSame(await passkeyOf(store, passkey().credentialId), passkey())
      t.strictSame(await store.listPasskeys('alice'), [passkey()])
    })

    t.test('without firstOnly, a user adds any number of passkeys', async (t) => {
      const store = await open(t)
      const second = passkey({ id: 'passkey-2', credentialId: 'credential-2', createdAt: NOW + 1 })
      t.equal(await store.addPasskey(passkey(), nonce(), false), 'added')
      t.equal(await store.addPasskey(second, nonce({ key: 'second', passkeyId: 'passkey-2' }), false), 'added')
      t.strictSame(await store.listPasskeys('alice'), [passkey(), second])
    })

    t.test('firstOnly adds the user\'s first passkey, with its nonce', async (t) => {
      const store = await open(t)
      t.equal(await store.addPasskey(passkey(), nonce(), true), 'added')
      t.strictSame(await store.listPasskeys('alice'), [passkey()])
      t.strictSame(await store.takeNonce('nonce-digest'), nonce())
    })

    t.test('firstOnly refuses a user who has a passkey as not-first, writing nothing', async (t) => {
      const store = await open(t)
      await store.addPasskey(passkey(), nonce(), false)
      const second = passkey({ id: 'passkey-2', credentialId: 'credential-2' })
      t.equal(await store.addPasskey(second, nonce({ key: 'second', passkeyId: 'passkey-2' }), true), 'not-first')
      t.equal(await store.takeNonce('second'), null, 'the nonce is not stored')
      t.equal(await passkeyOf(store, 'credential-2'), null)
      t.strictSame(await store.listPasskeys('alice'), [passkey()])
    })

    t.test('firstOnly is about the user\'s own passkeys only', async (t) => {
      const store = await open(t)
      const bobs = passkey({ id: 'bobs', credentialId: 'bobs', externalId: 'bob' })
      await store.addPasskey(bobs, nonce({ key: 'bobs', externalId: 'bob' }), false)
      t.equal(await store.addPasskey(passkey(), nonce(), true), 'added')
      t.strictSame(await store.listPasskeys('alice'), [passkey()])
      t.strictSame(await store.listPasskeys('bob'), [bobs])
    })

    t.test('a taken credential ID is refused, writing nothing', async (t) => {
      const store = await open(t)
      await store.addPasskey(passkey(), nonce(), false)
      for (const externalId of ['alice', 'bob']) {
        for (const firstOnly of [false, true]) {
          const name = `${externalId}, firstOnly ${firstOnly}`
          const duplicate = passkey({ id: `passkey-${name}`, externalId, name: 'Duplicate' })
          t.equal(await store.addPasskey(duplicate, nonce({ key: `nonce-${name}`, externalId }), firstOnly),
            'credential-taken', `${name}: checked before not-first`)
          t.equal(await store.takeNonce(`nonce-${name}`), null, `${name}: the nonce is not stored`)
        }
      }
      t.strictSame(await passkeyOf(store, passkey().credentialId), passkey())
      t.strictSame(await store.listPasskeys('alice'), [passkey()])
      t.strictSame(await store.listPasskeys('bob'), [])
    })

    t.test('10 parallel adds of one credential ID: exactly one is added', async (t) => {
      const store = await open(t)
      const attempts = Array.from({ length: 10 }, (_, i) => ({
        passkey: passkey({ id: `passkey-${i}`, externalId: `user-${i}` }),
        nonce: nonce({ key: `nonce-${i}`, externalId: `user-${i}`, passkeyId: `passkey-${i}` })
      }))
      const results = await Promise.all(attempts.map((attempt, i) => store.addPasskey(attempt.passkey, attempt.nonce, i % 2 === 0)))
      t.strictSame([...results].sort(), ['added', ...Array<string>(9).fill('credential-taken')])
      const winner = attempts[results.indexOf('added')]!
      const stored = await Promise.all(attempts.map(async (attempt) => store.listPasskeys(attempt.passkey.externalId)))
      t.strictSame(stored.flat(), [winner.passkey])
      const nonces = await Promise.all(attempts.map((attempt) => store.takeNonce(attempt.nonce.key)))
      t.strictSame(nonNull(nonces), [winner.nonce])
    })

    t.test('10 parallel firstOnly adds for one user: exactly one is added', async (t) => {
      await raceFirstPasskeys(t, [await open(t)])
    })

    t.test('a deleted passkey frees its credential ID', async (t) => {
      const store = await open(t)
      await store.addPasskey(passkey(), nonce(), false)
      await store.deletePasskey('alice', 'passkey-1', false, null)
      t.equal(await store.addPasskey(passkey({ id: 'passkey-2', externalId: 'bob' }), nonce({ key: 'again' }), false), 'added')
      t.strictSame(await passkeyOf(store, passkey().credentialId), passkey({ id: 'passkey-2', externalId: 'bob' }))
    })
  })

  t.test('recordPasskeyUse', async (t) => {
    t.test('updates counter, backedUp and lastUsedAt only', async (t) => {
      const store = await open(t)
      await store.addPasskey(passkey({ counter: 7 }), nonce(), false)
      t.equal(await store.recordPasskeyUse(use({ previousCounter: 7, counter: 8 }), authentication()), true)
      const updated = passkey({ counter: 8, backedUp: true, lastUsedAt: NOW + MINUTE })
      t.strictSame(await passkeyOf(store, passkey().credentialId), updated)
      t.equal(await store.recordPasskeyUse(use({ previousCounter: 8, counter: 8, backedUp: false, lastUsedAt: NOW + 2 * MINUTE }),
        authentication({ key: 'second' })), true, 'an unchanged counter is compared, not required to grow')
      t.strictSame(await passkeyOf(store, passkey().credentialId), passkey({ counter: 8, lastUsedAt: NOW + 2 * MINUTE }))
    })

    t.test('a stale counter is refused, writing nothing', async (t) => {
      const store = await open(t)
      await store.addPasskey(passkey({ counter: 7 }), nonce(), false)
      t.equal(await store.recordPasskeyUse(use({ previousCounter: 6, counter: 8 }), authentication()), false)
      t.equal(await store.takeNonce('use-nonce-digest'), null)
      t.strictSame(await passkeyOf(store, passkey().credentialId), passkey({ counter: 7 }))
    })

    t.test('a deleted or unknown passkey is refused, writing nothing', async (t) => {
      const store = await open(t)
      await store.addPasskey(passkey(), nonce(), false)
      await store.deletePasskey('alice', 'passkey-1', false, null)
      t.equal(await store.recordPasskeyUse(use(), authentication()), false)
      t.equal(await store.recordPasskeyUse(use({ id: 'unknown' }), authentication()), false)
      t.equal(await store.takeNonce('use-nonce-digest'), null)
    })

    t.test('10 parallel uses from one counter: exactly one succeeds', async (t) => {
      const store = await open(t)
      await store.addPasskey(passkey(), nonce(), false)
      const recorded = await Promise.all(Array.from({ length: 10 }, (_, i) =>
        store.recordPasskeyUse(use({ counter: i + 1 }), authentication({ key: `use-${i}` }))))
      t.equal(recorded.filter(Boolean).length, 1)
      const winner = recorded.indexOf(true)
      t.equal((await passkeyOf(store, passkey().credentialId))?.counter, winner + 1)
      const nonces = await Promise.all(recorded.map((_, i) => store.takeNonce(`use-${i}`)))
      t.strictSame(nonNull(nonces), [authentication({ key: `use-${winner}` })])
    })
  })

  t.test('passkeys', async (t) => {
    t.test('listPasskeys returns only the user\'s own, oldest first, ties by ID', async (t) => {
      const store = await open(t)
      const own = [
        passkey({ id: 'c', credentialId: 'credential-c', createdAt: NOW + 2 }),
        passkey({ id: 'b', credentialId: 'credential-b', createdAt: NOW }),
        passkey({ id: 'a', credentialId: 'credential-a', createdAt: NOW + 1 }),
        passkey({ id: 'e', credentialId: 'credential-e', createdAt: NOW + 1 }),
        passkey({ id: 'd', credentialId: 'credential-d', createdAt: NOW + 1 })
      ]
      for (const record of own) await store.addPasskey(record, nonce({ key: record.id }), false)
      await store.addPasskey(passkey({ id: 'bobs', credentialId: 'bobs', externalId: 'bob' }), nonce({ key: 'bobs' }), false)
      t.strictSame((await store.listPasskeys('alice')).map((record) => record.id), ['b', 'a', 'd', 'e', 'c'])
      t.strictSame(await store.listPasskeys('bob'), [passkey({ id: 'bobs', credentialId: 'bobs', externalId: 'bob' })])
      t.strictSame(await store.listPasskeys('carol'), [])
    })

    t.test('takeTransactionWithPasskey takes the transaction once, with the passkey of the credential ID, whoever\'s', async (t) => {
      const store = await open(t)
      await store.addPasskey(passkey({ externalId: 'bob' }), nonce(), false)
      const signIn = transaction({ kind: 'authenticate', passkeyDisplayName: null, handshake: handshake() })
      await store.createTransaction(signIn)
      t.strictSame(await store.takeTransactionWithPasskey('transaction-digest', passkey().credentialId),
        { transaction: signIn, passkey: passkey({ externalId: 'bob' }) })
      t.equal(await store.takeTransactionWithPasskey('transaction-digest', passkey().credentialId), null, 'once')
      t.equal(await store.getTransaction('transaction-digest'), null)
    })

    t.test('takeTransactionWithPasskey of an unknown credential ID (or a passkey ID) takes the transaction, with no passkey', async (t) => {
      const store = await open(t)
      await store.addPasskey(passkey(), nonce(), false)
      const expired = transaction({ expiresAt: NOW - MINUTE })
      for (const key of ['a', 'b']) await store.createTransaction({ ...expired, key })
      t.strictSame(await store.takeTransactionWithPasskey('a', 'unknown'), { transaction: { ...expired, key: 'a' }, passkey: null })
      t.strictSame(await store.takeTransactionWithPasskey('b', 'passkey-1'), { transaction: { ...expired, key: 'b' }, passkey: null })
      t.equal(await store.takeTransactionWithPasskey('unknown', passkey().credentialId), null)
    })

    t.test('10 parallel takeTransactionWithPasskey: exactly one gets it', async (t) => {
      const store = await open(t)
      await store.createTransaction(transaction())
      const taken = await Promise.all(Array.from({ length: 10 }, () => store.takeTransactionWithPasskey('transaction-digest', 'unknown')))
      t.strictSame(nonNull(taken), [{ transaction: transaction(), passkey: null }])
    })

    t.test('fields round-trip exactly', async (t) => {
      const store = await open(t)
      const records = [
        passkey(),
        passkey({
          id: 'passkey-2',
          credentialId: 'credential-2',
          publicKey: Uint8Array.from({ length: 256 }, (_, i) => 255 - i),
          counter: 2 ** 32 - 1,
          transports: [],
          backupEligible: false,
          lastUsedAt: NOW + MINUTE
        })
      ]
      for (const record of records) await store.addPasskey(record, nonce({ key: record.id }), false)
      for (const record of records) {
        await store.createTransaction(transaction({ key: record.id }))
        const taken = await store.takeTransactionWithPasskey(record.id, record.credentialId)
        for (const found of [await passkeyOf(store, record.credentialId), taken!.passkey]) {
          t.strictSame(found, record)
          t.equal(Object.getPrototypeOf(found!.publicKey), Uint8Array.prototype, 'publicKey is a plain Uint8Array')
          t.strictSame([...found!.publicKey], [...record.publicKey])
        }
      }
    })

    t.test('renamePasskey only by the owner', async (t) => {
      const store = await open(t)
      await store.addPasskey(passkey(), nonce(), false)
      t.equal(await store.renamePasskey('bob', 'passkey-1', 'Stolen'), null)
      t.equal(await store.renamePasskey('alice', 'unknown', 'Ghost'), null)
      t.strictSame(await passkeyOf(store, passkey().credentialId), passkey())
      t.strictSame(await store.renamePasskey('alice', 'passkey-1', 'Work laptop'), passkey({ name: 'Work laptop' }))
      t.strictSame(await passkeyOf(store, passkey().credentialId), passkey({ name: 'Work laptop' }))
    })

    t.test('deletePasskey only by the owner', async (t) => {
      const store = await open(t)
      await store.addPasskey(passkey(), nonce(), false)
      t.strictSame(await store.deletePasskey('bob', 'passkey-1', false, null), NOT_FOUND)
      t.strictSame(await store.deletePasskey('alice', 'unknown', false, null), NOT_FOUND)
      t.strictSame(await store.listPasskeys('alice'), [passkey()])
      t.strictSame(await store.deletePasskey('alice', 'passkey-1', false, null), DELETED)
      t.equal(await passkeyOf(store, passkey().credentialId), null)
      t.strictSame(await store.listPasskeys('alice'), [])
      t.strictSame(await store.deletePasskey('alice', 'passkey-1', false, null), NOT_FOUND)
      t.strictSame(await store.listRevocations(0), [], 'revoking nothing')
    })

    t.test('deletePasskey keepOne: refuses the only passkey, deleting nothing', async (t) => {
      const store = await open(t)
      await store.addPasskey(passkey(), nonce(), false)
      t.strictSame(await store.deletePasskey('alice', 'passkey-1', true, null), LAST)
      t.strictSame(await store.listPasskeys('alice'), [passkey()])
      t.strictSame(await store.deletePasskey('alice', 'unknown', true, null), NOT_FOUND)
      await store.addPasskey(passkey({ id: 'passkey-2', credentialId: 'credential-2' }), nonce({ key: 'n2' }), false)
      t.strictSame(await store.deletePasskey('alice', 'passkey-1', true, null), DELETED)
      t.strictSame(await store.deletePasskey('alice', 'passkey-2', true, null), LAST)
    })

    t.test('deletePasskey with revokeUntil also records a user revocation, and returns its position', async (t) => {
      const store = await open(t)
      await store.addPasskey(passkey(), nonce(), false)
      await store.addPasskey(passkey({ id: 'passkey-2', credentialId: 'credential-2' }), nonce({ key: 'n2' }), false)
      const earlier = await revoked(store, 'session', 'session-1')
      const result = await store.deletePasskey('alice', 'passkey-1', true, NOW + MINUTE)
      const listed = await store.listRevocations(earlier.position)
      t.equal(listed.length, 1, 'one revocation, after the earlier one')
      const { position } = listed[0]!
      t.strictSame(listed, [{ position, kind: 'user', subject: 'alice', expiresAt: NOW + MINUTE }])
      t.strictSame(result, { deleted: true, revokedAt: position }, 'its position returned')
      t.equal(await store.userRevokedAt('alice'), position)
      t.strictSame(await store.listPasskeys('alice'), [passkey({ id: 'passkey-2', credentialId: 'credential-2' })])
    })

    t.test('deletePasskey with revokeUntil records nothing when it deletes nothing', async (t) => {
      const store = await open(t)
      await store.addPasskey(passkey(), nonce(), false)
      t.strictSame(await store.deletePasskey('bob', 'passkey-1', false, NOW + MINUTE), NOT_FOUND)
      t.strictSame(await store.deletePasskey('alice', 'unknown', false, NOW + MINUTE), NOT_FOUND)
      t.strictSame(await store.deletePasskey('alice', 'passkey-1', true, NOW + MINUTE), LAST)
      t.strictSame(await store.listRevocations(0), [])
      t.equal(await store.userRevokedAt('alice'), 0)
      t.equal(await store.userRevokedAt('bob'), 0)
    })

    t.test('parallel keepOne deletes of the last two passkeys leave one, and only the deletion revokes', async (t) => {
      for (const revokeUntil of [null, NOW + MINUTE]) {
        const store = await open(t)
        await store.addPasskey(passkey(), nonce(), false)
        await store.addPasskey(passkey({ id: 'passkey-2', credentialId: 'credential-2' }), nonce({ key: 'n2' }), false)
        const results = await Promise.all(['passkey-1', 'passkey-2'].map((id) => store.deletePasskey('alice', id, true, revokeUntil)))
        const deleted = results.filter((result) => result.deleted)
        t.equal(deleted.length, 1, `revokeUntil ${revokeUntil}: one deleted`)
        t.ok(results.some((result) => !result.deleted && result.reason === 'last'), 'the other refused as the last')
        t.equal((await store.listPasskeys('alice')).length, 1)
        const revocations = await store.listRevocations(0)
        t.strictSame(revocations.map(({ position }) => position), revokeUntil === null ? [] : [deleted[0]!.revokedAt], 'one revocation if asked')
      }
    })
  })

  t.test('revocations', async (t) => {
    t.test('positions strictly increase; listRevocations lists those after a position, in order', async (t) => {
      const store = await open(t)
      t.strictSame(await store.listRevocations(0), [], 'none yet')
      const records = [
        await revoked(store, 'session', 'session-1'),
        await revoked(store, 'user', 'alice', NOW + 20 * MINUTE),
        await revoked(store, 'session', 'session-2', NOW + MINUTE),
        await revoked(store, 'session', 'session-1')
      ]
      t.ok(records[0]!.position > 0, 'positions are positive')
      t.ok(records.every((record, i) => i === 0 || record.position > records[i - 1]!.position), 'increasing')
      t.strictSame(await store.listRevocations(0), records, 'revoking a session twice records it twice')
      for (const [i, record] of records.entries()) t.strictSame(await store.listRevocations(record.position), records.slice(i + 1))
    })

    t.test('records are copied out', async (t) => {
      const store = await open(t)
      const record = await revoked(store, 'session', 'session-1')
      const [listed] = await store.listRevocations(0)
      listed!.subject = 'changed'
      listed!.expiresAt = NOW
      t.strictSame(await store.listRevocations(0), [record])
    })

    t.test('userRevokedAt: the position of the user\'s latest user revocation, or 0', async (t) => {
      const store = await open(t)
      t.equal(await store.userRevokedAt('alice'), 0, 'none yet')
      const first = await revoked(store, 'user', 'alice', NOW + 20 * MINUTE)
      const bobs = await revoked(store, 'user', 'bob')
      const latest = await revoked(store, 'user', 'alice', NOW + MINUTE)
      await revoked(store, 'session', 'alice')
      await revoked(store, 'session', 'carol')
      t.equal(await store.userRevokedAt('alice'), latest.position, 'not a session revocation named like the user')
      t.equal(await store.userRevokedAt('bob'), bobs.position)
      t.equal(await store.userRevokedAt('carol'), 0, 'a session revocation is no user revocation')
      t.equal(await store.userRevokedAt('dave'), 0)
      await store.sweep(NOW + 2 * MINUTE)
      t.equal(await store.userRevokedAt('alice'), first.position, 'the latest not yet swept')
    })

    t.test('sweep removes only revocations that expired before now; positions are never reused', async (t) => {
      const store = await open(t)
      await revoked(store, 'session', 'session-1', NOW - 1)
      const atNow = await revoked(store, 'user', 'alice', NOW)
      const live = await revoked(store, 'session', 'session-2', NOW + 1)
      t.equal(await store.sweep(NOW), 1)
      t.strictSame(await store.listRevocations(0), [atNow, live])
      t.equal(await store.sweep(NOW + 2), 2)
      t.strictSame(await store.listRevocations(0), [])
      t.equal(await store.userRevokedAt('alice'), 0)
      t.equal(await store.sweep(NOW + MINUTE), 0)
      t.ok((await revoked(store, 'session', 'session-3')).position > live.position, 'after the latest, swept')
    })

    t.test('10 parallel revokes get 10 distinct positions', async (t) => {
      const store = await open(t)
      const records = await Promise.all(Array.from({ length: 10 }, (_, i) => revoked(store, i % 2 === 0 ? 'session' : 'user', `subject-${i}`)))
      t.equal(new Set(records.map(({ position }) => position)).size, 10)
      t.strictSame(await store.listRevocations(0), records.sort((a, b) => a.position - b.position))
    })
  })

  t.test('recovery codes', async (t) => {
    t.test('replace stores the user\'s codes, counted per user', async (t) => {
      const store = await open(t)
      t.equal(await store.countRecoveryCodes('alice'), 0, 'none yet')
      await store.replaceRecoveryCodes('alice', codes(10))
      await store.replaceRecoveryCodes('bob', codes(3, 'bob'))
      t.equal(await store.countRecoveryCodes('alice'), 10)
      t.equal(await store.countRecoveryCodes('bob'), 3)
      t.equal(await store.countRecoveryCodes('carol'), 0)
    })

    t.test('take deletes the code and returns how many are left; a second take of it is null', async (t) => {
      const store = await open(t)
      await store.replaceRecoveryCodes('alice', codes(3))
      t.equal(await store.takeRecoveryCode('alice', 'digest-1'), 2)
      t.equal(await store.takeRecoveryCode('alice', 'digest-1'), null)
      t.equal(await store.countRecoveryCodes('alice'), 2)
      t.equal(await store.takeRecoveryCode('alice', 'digest-0'), 1)
      t.equal(await store.takeRecoveryCode('alice', 'digest-2'), 0)
      t.equal(await store.countRecoveryCodes('alice'), 0)
      t.equal(await store.takeRecoveryCode('alice', 'digest-2'), null, 'none left')
    })

    t.test('take of an unknown digest, or by a user without codes, is null and deletes nothing', async (t) => {
      const store = await open(t)
      t.equal(await store.takeRecoveryCode('alice', 'digest-0'), null)
      await store.replaceRecoveryCodes('alice', codes(2))
      t.equal(await store.takeRecoveryCode('alice', 'unknown'), null)
      t.equal(await store.countRecoveryCodes('alice'), 2)
    })

    t.test('a digest of another user\'s code is null and deletes nothing', async (t) => {
      const store = await open(t)
      await store.replaceRecoveryCodes('alice', codes(2))
      await store.replaceRecoveryCodes('bob', codes(1, 'bob'))
      t.equal(await store.takeRecoveryCode('bob', 'digest-0'), null)
      t.equal(await store.takeRecoveryCode('carol', 'digest-0'), null)
      t.equal(await store.countRecoveryCodes('alice'), 2)
      t.equal(await store.countRecoveryCodes('bob'), 1)
      t.equal(await store.takeRecoveryCode('alice', 'digest-0'), 1, 'still the owner\'s')
    })

    t.test('replace replaces: the old codes no longer take, the new ones do; other users keep theirs', async (t) => {
      const store = await open(t)
      await store.replaceRecoveryCodes('alice', codes(3))
      await store.replaceRecoveryCodes('bob', codes(3))
      await store.replaceRecoveryCodes('alice', codes(2, 'new'))
      t.equal(await store.countRecoveryCodes('alice'), 2)
      for (const digest of codes(3)) t.equal(await store.takeRecoveryCode('alice', digest), null, `old ${digest}`)
      t.equal(await store.takeRecoveryCode('alice', 'new-1'), 1)
      t.equal(await store.countRecoveryCodes('bob'), 3)
    })

    t.test('replace keeps a digest that is in both sets, and stores a repeated digest once', async (t) => {
      const store = await open(t)
      await store.replaceRecoveryCodes('alice', codes(3))
      await store.replaceRecoveryCodes('alice', ['digest-2', 'digest-3', 'digest-3'])
      t.equal(await store.countRecoveryCodes('alice'), 2)
      t.equal(await store.takeRecoveryCode('alice', 'digest-2'), 1)
      t.equal(await store.takeRecoveryCode('alice', 'digest-3'), 0)
    })

    t.test('replace with no codes deletes them all', async (t) => {
      const store = await open(t)
      await store.replaceRecoveryCodes('alice', [])
      t.equal(await store.countRecoveryCodes('alice'), 0, 'harmless without codes')
      await store.replaceRecoveryCodes('alice', codes(3))
      await store.replaceRecoveryCodes('bob', codes(1))
      await store.replaceRecoveryCodes('alice', [])
      t.equal(await store.countRecoveryCodes('alice'), 0)
      t.equal(await store.takeRecoveryCode('alice', 'digest-0'), null)
      t.equal(await store.countRecoveryCodes('bob'), 1)
    })

    t.test('10 parallel takes of one code: exactly one gets a number', async (t) => {
      const store = await open(t)
      await store.replaceRecoveryCodes('alice', codes(10))
      const taken = await Promise.all(Array.from({ length: 10 }, () => store.takeRecoveryCode('alice', 'digest-4')))
      t.strictSame(nonNull(taken), [9])
      t.equal(await store.countRecoveryCodes('alice'), 9)
    })

    t.test('parallel takes of 10 distinct codes all succeed, counting down from 9 to 0', async (t) => {
      const store = await open(t)
      await store.replaceRecoveryCodes('alice', codes(10))
      const taken = await Promise.all(codes(10).map((digest) => store.takeRecoveryCode('alice', digest)))
      t.strictSame([...taken].sort((a, b) => b! - a!), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
      t.equal(await store.countRecoveryCodes('alice'), 0)
    })

    t.test('parallel replaces: one set wins whole', async (t) => {
      const store = await open(t)
      await store.replaceRecoveryCodes('alice', codes(3, 'old'))
      const sets = Array.from({ length: 5 }, (_, i) => codes(i + 1, `set-${i}`))
      await Promise.all(sets.map((set) => store.replaceRecoveryCodes('alice', set)))
      const count = await store.countRecoveryCodes('alice')
      const winner = sets.find((set) => set.length === count)
      t.ok(winner, `${count} codes: as many as one set has`)
      for (const [i, digest] of (winner ?? []).entries()) t.equal(await store.takeRecoveryCode('alice', digest), count - i - 1, digest)
    })
  })

  t.test('sweep removes only transactions, nonces and revocations that expired before now', async (t) => {
    const store = await open(t)
    await store.replaceRecoveryCodes('alice', codes(2))
    for (const [key, expiresAt] of [['expired', NOW - 1], ['at-now', NOW], ['live', NOW + 1]] as const) {
      await store.createTransaction(transaction({ key, expiresAt }))
      await store.addPasskey(passkey({ id: key, credentialId: key, createdAt: NOW - MINUTE }), nonce({ key, expiresAt }), false)
      await store.revoke('session', key, expiresAt)
    }
    t.equal(await store.sweep(NOW), 3)
    t.equal(await store.getTransaction('expired'), null)
    t.equal(await store.takeNonce('expired'), null)
    t.strictSame((await store.listRevocations(0)).map((record) => record.subject), ['at-now', 'live'])
    for (const key of ['at-now', 'live']) {
      t.ok(await store.takeTransaction(key), `transaction ${key} kept`)
      t.ok(await store.takeNonce(key), `nonce ${key} kept`)
    }
    t.equal((await store.listPasskeys('alice')).length, 3, 'passkeys are never swept')
    t.equal(await store.countRecoveryCodes('alice'), 2, 'recovery codes are never swept')
    t.equal(await store.sweep(NOW + MINUTE), 2, 'the kept revocations, now expired, were all that was left')
  })
}

/**
 * Races 10 `firstOnly` adds of distinct credentials for one user, spread over `stores` (instances on
 * one shared, empty database): exactly one is added, with its nonce, and the others are `not-first`.
 */
export async function raceFirstPasskeys (t: Test, stores: PasskeyStore[]): Promise<void> {
  const attempts = Array.from({ length: 10 }, (_, i) => ({
    passkey: passkey({ id: `passkey-${i}`, credentialId: `credential-${i}` }),
    nonce: nonce({ key: `nonce-${i}`, passkeyId: `passkey-${i}` })
  }))
  const results = await Promise.all(attempts.map((attempt, i) =>
    stores[i % stores.length]!.addPasskey(attempt.passkey, attempt.nonce, true)))
  t.strictSame([...results].sort(), ['added', ...Array<string>(9).fill('not-first')])
  const winner = attempts[results.indexOf('added')]!
  for (const store of stores) t.strictSame(await store.listPasskeys('alice'), [winner.passkey])
  const nonces = await Promise.all(attempts.map((attempt) => stores[0]!.takeNonce(attempt.nonce.key)))
  t.strictSame(nonNull(nonces), [winner.nonce])
}

/**
 * Writes 240 revocations through `stores` (instances on one shared, empty database), 8 writers per
 * store at a time (leaving a pooled connection free), one in five by a passkey delete, while a
 * poller lists those after the latest position it saw, as app instances do, through each store in
 * turn: it must see every one. It misses some when a reader can see a position before an earlier
 * one has committed (positions not in commit order).
 */
export async function pollerSeesEveryRevocation (t: Test, stores: PasskeyStore[]): Promise<void> {
  const writers = Array.from({ length: 8 * stores.length }, (_, writer) => Array.from({ length: 240 / (8 * stores.length) }, (_, i) => ({
    store: stores[writer % stores.length]!, externalId: `user-${writer}-${i}`, byDelete: i % 5 === 0
  })))
  for (const { store, externalId, byDelete } of writers.flat()) {
    if (byDelete) await store.addPasskey(passkey({ id: externalId, credentialId: externalId, externalId }), nonce({ key: externalId }), false)
  }
  const seen = new Set<number>()
  let lastSeen = 0
  let polls = 0
  const poll = async (): Promise<void> => {
    for (const { position } of await stores[polls++ % stores.length]!.listRevocations(lastSeen)) {
      seen.add(position)
      lastSeen = Math.max(lastSeen, position)
    }
    await new Promise((resolve) => setImmediate(resolve))
  }
  let writing = true
  const polling = (async () => { while (writing) await poll() })()
  const positions = (await Promise.all(writers.map(async (writes) => {
    const written: number[] = []
    for (const { store, externalId, byDelete } of writes) {
      if (byDelete) written.push(revokedAt(await store.deletePasskey(externalId, externalId, false, NOW)))
      else written.push(await store.revoke('session', externalId, NOW))
    }
    return written
  }))).flat().sort((a, b) => a - b)
  writing = false
  await polling
  await poll()
  t.equal(new Set(positions).size, 240, '240 distinct positions')
  t.strictSame((await stores[0]!.listRevocations(0)).map(({ position }) => position), positions, 'all listed')
  t.strictSame([...seen].sort((a, b) => a - b), positions, `the poller saw every revocation (in ${polls} polls)`)
}

/**
 * Makes `store` fail an add after its passkey is written (its nonce breaks a constraint): the add
 * throws and writes nothing, and the store then adds that passkey normally.
 */
export async function failedAddWritesNothing (t: Test, store: PasskeyStore): Promise<void> {
  for (const firstOnly of [false, true]) {
    await t.rejects(store.addPasskey(passkey(), nonce({ kind: 'bogus' as never }), firstOnly), `firstOnly ${firstOnly}`)
  }
  t.equal(await passkeyOf(store, passkey().credentialId), null)
  t.strictSame(await store.listPasskeys('alice'), [])
  t.equal(await store.takeNonce('nonce-digest'), null)
  t.equal(await store.addPasskey(passkey(), nonce(), true), 'added')
  t.strictSame(await store.takeNonce('nonce-digest'), nonce())
}
