import type { Test } from 'tap'
import type { PasskeyStore, TrustedBrowserRecord } from '../../src/engine/store.js'
import { nonce, passkey } from './store-contract.js'

const NOW = 1_700_000_000_000
const DAY = 24 * 60 * 60_000

/** Alice's trusted browser `browser-1` (key `browser-key-1`), with `overrides`. */
export function trustedBrowser (overrides: Partial<TrustedBrowserRecord> = {}): TrustedBrowserRecord {
  return {
    id: 'browser-1',
    key: 'browser-key-1',
    externalId: 'alice',
    name: 'Chrome on Linux',
    createdAt: NOW,
    lastUsedAt: NOW,
    expiresAt: NOW + 30 * DAY,
    ...overrides
  }
}

/** Alice's second and third trusted browsers and one of Bob's. */
async function trustSome (store: PasskeyStore): Promise<void> {
  await store.addTrustedBrowser(trustedBrowser(), null)
  await store.addTrustedBrowser(trustedBrowser({ id: 'browser-2', key: 'browser-key-2', name: 'Safari on iPhone', createdAt: NOW + 1 }), null)
  await store.addTrustedBrowser(trustedBrowser({ id: 'bob-browser', key: 'bob-key', externalId: 'bob' }), null)
}

/** Gives alice and bob a passkey, recovery codes, a trusted browser, a transaction, a nonce and a user revocation each. */
export async function populate (store: PasskeyStore): Promise<void> {
  for (const externalId of ['alice', 'bob']) {
    await store.addPasskey(passkey({ id: `${externalId}-passkey`, credentialId: `${externalId}-credential`, externalId }),
      nonce({ key: `${externalId}-nonce`, externalId }), false)
    await store.revoke('user', externalId, NOW + DAY)
    await store.replaceRecoveryCodes(externalId, [`${externalId}-1`, `${externalId}-2`])
    await store.addTrustedBrowser(trustedBrowser({ id: `${externalId}-browser`, key: `${externalId}-key`, externalId }), null)
    await store.createTransaction({
      key: `${externalId}-tx`, kind: 'register', externalId, passkeyDisplayName: null, firstPasskeyOnly: false, handshake: null, expiresAt: NOW + 60_000
    })
  }
}

const ids = (browsers: TrustedBrowserRecord[]): string[] => browsers.map(({ id }) => id)

/**
 * The trusted-browser and erasure behaviour every {@link PasskeyStore} must have, as subtests of `t`;
 * `open` gives a fresh, initialized store closed in teardown.
 */
export function lifecycleContract (t: Test, open: (t: Test) => Promise<PasskeyStore>): void {
  t.test('trusted browsers', async (t) => {
    t.test('round-trip, listed per user oldest first', async (t) => {
      const store = await open(t)
      t.strictSame(await store.listTrustedBrowsers('alice'), [], 'none yet')
      const second = trustedBrowser({ id: 'browser-2', key: 'browser-key-2', name: 'Safari on iPhone', createdAt: NOW + 1 })
      await store.addTrustedBrowser(second, null)
      await store.addTrustedBrowser(trustedBrowser(), null)
      await store.addTrustedBrowser(trustedBrowser({ id: 'bob-browser', key: 'bob-key', externalId: 'bob' }), null)
      t.strictSame(await store.listTrustedBrowsers('alice'), [trustedBrowser(), second])
    })

    t.test('browsers trusted in the same millisecond are listed by ID', async (t) => {
      const store = await open(t)
      for (const n of [2, 3, 1]) await store.addTrustedBrowser(trustedBrowser({ id: `browser-${n}`, key: `browser-key-${n}` }), null)
      t.strictSame(ids(await store.listTrustedBrowsers('alice')), ['browser-1', 'browser-2', 'browser-3'])
    })

    t.test('a use finds the browser only by its key, for its own user, before it expires, and records the time', async (t) => {
      const store = await open(t)
      await trustSome(store)
      t.equal(await store.useTrustedBrowser('browser-key-1', 'bob', NOW + 1), null, 'another user')
      t.equal(await store.useTrustedBrowser('bob-key', 'alice', NOW + 1), null, 'another user\'s key')
      t.equal(await store.useTrustedBrowser('unknown', 'alice', NOW + 1), null, 'unknown key')
      t.equal(await store.useTrustedBrowser('browser-1', 'alice', NOW + 1), null, 'an ID is no key')
      t.equal(await store.useTrustedBrowser('browser-key-1', 'alice', NOW + 30 * DAY), null, 'at its expiry')
      t.equal((await store.listTrustedBrowsers('alice'))[0]!.lastUsedAt, NOW, 'refused uses record nothing')
      t.strictSame(await store.useTrustedBrowser('browser-key-1', 'alice', NOW + DAY), trustedBrowser({ lastUsedAt: NOW + DAY }))
      t.equal((await store.listTrustedBrowsers('alice'))[0]!.lastUsedAt, NOW + DAY)
    })

    t.test('delete one by ID, only the user\'s own; delete all of a user', async (t) => {
      const store = await open(t)
      await trustSome(store)
      t.equal(await store.deleteTrustedBrowsers('bob', 'browser-1'), 0, 'not bob\'s')
      t.equal(await store.deleteTrustedBrowsers('alice', 'unknown'), 0)
      t.equal(await store.deleteTrustedBrowsers('alice', 'browser-1'), 1)
      t.equal(await store.useTrustedBrowser('browser-key-1', 'alice', NOW + 1), null, 'revoked')
      t.strictSame(ids(await store.listTrustedBrowsers('alice')), ['browser-2'])
      await store.addTrustedBrowser(trustedBrowser({ id: 'browser-3', key: 'browser-key-3' }), null)
      t.equal(await store.deleteTrustedBrowsers('alice', null), 2)
      t.strictSame(await store.listTrustedBrowsers('alice'), [])
      t.strictSame(ids(await store.listTrustedBrowsers('bob')), ['bob-browser'], 'bob keeps his')
    })

    t.test('an add replacing a key deletes the user\'s trust of that key in the same write, never another user\'s', async (t) => {
      const store = await open(t)
      await trustSome(store)
      await store.addTrustedBrowser(trustedBrowser({ id: 'browser-3', key: 'browser-key-3' }), 'browser-key-1')
      t.strictSame(ids(await store.listTrustedBrowsers('alice')), ['browser-3', 'browser-2'])
      await store.addTrustedBrowser(trustedBrowser({ id: 'browser-4', key: 'browser-key-4' }), 'bob-key')
      t.strictSame(ids(await store.listTrustedBrowsers('bob')), ['bob-browser'], 'bob\'s stays')
      await store.addTrustedBrowser(trustedBrowser({ id: 'browser-5', key: 'browser-key-5' }), 'unknown')
      t.equal((await store.listTrustedBrowsers('alice')).length, 4)
    })

    t.test('the sweep deletes expired ones', async (t) => {
      const store = await open(t)
      await trustSome(store)
      await store.addTrustedBrowser(trustedBrowser({ id: 'short', key: 'short-key', expiresAt: NOW + DAY }), null)
      t.equal(await store.sweep(NOW + DAY + 1), 1)
      t.strictSame(ids(await store.listTrustedBrowsers('alice')), ['browser-1', 'browser-2'])
    })

    t.test('a user revocation revokes the user\'s trusted browsers and transactions in flight; a session revocation does not', async (t) => {
      const store = await open(t)
      await trustSome(store)
      await store.createTransaction({ key: 'alice-tx', kind: 'register', externalId: 'alice', passkeyDisplayName: null, firstPasskeyOnly: false, handshake: null, expiresAt: NOW + 60_000 })
      await store.createTransaction({ key: 'bob-tx', kind: 'register', externalId: 'bob', passkeyDisplayName: null, firstPasskeyOnly: false, handshake: null, expiresAt: NOW + 60_000 })
      await store.revoke('session', 'alice', NOW + DAY)
      t.equal((await store.listTrustedBrowsers('alice')).length, 2, 'a logout keeps them')
      await store.revoke('user', 'alice', NOW + DAY)
      t.strictSame(await store.listTrustedBrowsers('alice'), [])
      t.equal(await store.getTransaction('alice-tx'), null, 'alice\'s transaction is gone')
      t.not(await store.getTransaction('bob-tx'), null, 'bob\'s stays')
      t.equal((await store.listTrustedBrowsers('bob')).length, 1)
    })

    t.test('every factor change of the user revokes them: adding, renaming, deleting a passkey, replacing the codes', async (t) => {
      const changes: Array<[string, (store: PasskeyStore) => Promise<unknown>]> = [
        ['add', async (store) => store.addPasskey(passkey({ id: 'passkey-2', credentialId: 'second' }), nonce({ key: 'second' }), false)],
        ['rename', async (store) => store.renamePasskey('alice', 'passkey-1', 'Laptop')],
        ['delete', async (store) => store.deletePasskey('alice', 'passkey-1', false, null)],
        ['delete, revoking sessions', async (store) => store.deletePasskey('alice', 'passkey-1', false, NOW + DAY)],
        ['replace codes', async (store) => store.replaceRecoveryCodes('alice', ['d1'])]
      ]
      for (const [name, change] of changes) {
        const store = await open(t)
        await store.addPasskey(passkey(), nonce(), false)
        await trustSome(store)
        await change(store)
        t.strictSame(await store.listTrustedBrowsers('alice'), [], name)
        t.equal((await store.listTrustedBrowsers('bob')).length, 1, `${name}: bob keeps his`)
      }
    })

    t.test('refused factor changes keep them: a rename or delete of a passkey not the user\'s, a credential taken', async (t) => {
      const store = await open(t)
      await store.addPasskey(passkey(), nonce(), false)
      await trustSome(store)
      t.equal(await store.renamePasskey('bob', 'passkey-1', 'Mine'), null)
      t.strictSame(await store.deletePasskey('bob', 'passkey-1', false, NOW + DAY), { deleted: false, reason: 'not-found' })
      t.strictSame(await store.deletePasskey('alice', 'passkey-1', true, NOW + DAY), { deleted: false, reason: 'last' })
      t.equal(await store.addPasskey(passkey({ id: 'copy' }), nonce({ key: 'copy' }), false), 'credential-taken')
      t.equal(await store.addPasskey(passkey({ id: 'second', credentialId: 'second' }), nonce({ key: 'second' }), true), 'not-first')
      t.equal((await store.listTrustedBrowsers('alice')).length, 2)
    })
  })

  t.test('erasing a user', async (t) => {
    /** What the store shows of `externalId` through its methods (the erasure tests of each store also count the rows of every table). */
    async function visible (store: PasskeyStore, externalId: string) {
      return {
        passkeys: (await store.listPasskeys(externalId)).length,
        codes: await store.countRecoveryCodes(externalId),
        browsers: (await store.listTrustedBrowsers(externalId)).length,
        transaction: await store.getTransaction(`${externalId}-tx`) !== null,
        userRevocations: (await store.listRevocations(0)).filter(({ kind, subject }) => kind === 'user' && subject === externalId).length
      }
    }

    t.test('factors: passkeys, codes, trusted browsers, transactions and nonces go; a new user revocation is recorded; bob keeps all', async (t) => {
      const store = await open(t)
      await populate(store)
      const before = await store.userRevokedAt('alice')
      const position = await store.eraseUser('alice', 'factors', NOW + 2 * DAY)
      t.ok(position > before)
      t.equal(await store.userRevokedAt('alice'), position)
      t.strictSame(await visible(store, 'alice'), { passkeys: 0, codes: 0, browsers: 0, transaction: false, userRevocations: 2 })
      t.equal(await store.takeNonce('alice-nonce'), null)
      t.strictSame(await visible(store, 'bob'), { passkeys: 1, codes: 2, browsers: 1, transaction: true, userRevocations: 1 })
      t.not(await store.takeNonce('bob-nonce'), null)
      t.equal(await store.addPasskey(passkey({ id: 'again', credentialId: 'alice-credential' }), nonce({ key: 'again' }), true), 'added',
        'alice enrolls anew, her old credential ID free again')
    })

    t.test('everything: only the new user revocation names her, and the sweep takes it when it expires', async (t) => {
      const store = await open(t)
      await populate(store)
      const position = await store.eraseUser('alice', 'everything', NOW + 2 * DAY)
      t.strictSame(await visible(store, 'alice'), { passkeys: 0, codes: 0, browsers: 0, transaction: false, userRevocations: 1 })
      t.equal(await store.userRevokedAt('alice'), position)
      t.strictSame(await visible(store, 'bob'), { passkeys: 1, codes: 2, browsers: 1, transaction: true, userRevocations: 1 })
      await store.sweep(NOW + 2 * DAY + 1)
      t.equal(await store.userRevokedAt('alice'), 0)
    })

    t.test('a user with nothing stored gets the revocation only', async (t) => {
      const store = await open(t)
      const position = await store.eraseUser('carol', 'everything', NOW + DAY)
      t.strictSame(await store.listRevocations(0), [{ position, kind: 'user', subject: 'carol', expiresAt: NOW + DAY }])
    })

    t.test('parallel with an enrollment: the passkey is either erased or added after, never half', async (t) => {
      const store = await open(t)
      const [added] = await Promise.all([
        store.addPasskey(passkey(), nonce(), true),
        store.eraseUser('alice', 'factors', NOW + DAY)
      ])
      t.equal(added, 'added')
      t.ok((await store.listPasskeys('alice')).length <= 1)
    })
  })
}
