import t from 'tap'
import type { Test } from 'tap'
import { mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SqliteStore } from '../src/engine/stores/sqlite.js'
import { WalSync } from '../src/engine/stores/wal-sync.js'
import { nonce, passkey } from './helpers/store-contract.js'

/** An fsync the test holds: the file it syncs, and how to let it finish or fail. */
interface HeldSync { path: string, finish: () => void, fail: (error: Error) => void }

/** Holds every `FileHandle#datasync` until the test finishes it; returns the list of those started. */
async function holdSyncs (t: Test): Promise<HeldSync[]> {
  const held: HeldSync[] = []
  const probe = await open(process.execPath)
  const prototype = Object.getPrototypeOf(probe) as FileHandle
  await probe.close()
  const { datasync } = prototype
  t.teardown(() => { prototype.datasync = datasync })
  prototype.datasync = function (this: FileHandle) {
    const path = readlinkSync(`/proc/self/fd/${this.fd}`)
    return new Promise<void>((resolve, reject) => {
      held.push({ path, finish: () => { datasync.call(this).then(resolve, reject) }, fail: reject })
    })
  }
  return held
}

/** Whether `promise` has settled once pending I/O callbacks and microtasks have run. */
async function settled (promise: Promise<unknown>): Promise<boolean> {
  let done = false
  promise.then(() => { done = true }, () => { done = true })
  await new Promise((resolve) => setImmediate(resolve))
  await new Promise((resolve) => setImmediate(resolve))
  return done
}

async function fileStore (t: Test): Promise<{ store: SqliteStore, dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pkmfa-durability-'))
  const store = new SqliteStore({ filename: join(dir, 'passkeys.db') })
  t.teardown(async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })
  await store.init()
  return { store, dir }
}

const transaction = (key: string) => ({
  key, kind: 'authenticate' as const, externalId: 'u', passkeyDisplayName: null, firstPasskeyOnly: false, handshake: null, expiresAt: 9e12
})

t.test('takes, counters, passkey, revocation, recovery code, trusted-browser revocation and erasure writes resolve only after an fsync of the WAL; creating a transaction and starting its ceremony do not wait for one', async (t) => {
  const { store, dir } = await fileStore(t)
  const held = await holdSyncs(t)
  const browser = { id: 'b', key: 'k', externalId: 'u', name: 'Chrome', createdAt: 0, lastUsedAt: 0, expiresAt: 9e12 }
  const use = { id: passkey().id, previousCounter: passkey().counter, counter: passkey().counter + 1, backedUp: false, lastUsedAt: 5 }
  const calls: Array<[string, () => Promise<unknown>, boolean]> = [
    ['createTransaction', async () => store.createTransaction(transaction('t')), false],
    ['saveHandshake', async () => store.saveHandshake('t', { id: 'h', challenge: 'c', userHandle: null, expiresAt: 9e12 }), false],
    ['startAuthentication', async () => store.startAuthentication('t', 0, { id: 'h', challenge: 'c', userHandle: null, expiresAt: 9e12 }), false],
    ['takeTransaction', async () => store.takeTransaction('t'), true],
    ['takeTransaction of a spent key', async () => store.takeTransaction('t'), false],
    ['createTransaction', async () => store.createTransaction(transaction('t2')), false],
    ['takeTransactionWithPasskey', async () => store.takeTransactionWithPasskey('t2', 'c'), true],
    ['takeTransactionWithPasskey of a spent key', async () => store.takeTransactionWithPasskey('t2', 'c'), false],
    ['addPasskey', async () => store.addPasskey(passkey(), nonce({ key: 'n1' }), false), true],
    ['renamePasskey', async () => store.renamePasskey(passkey().externalId, passkey().id, 'renamed'), true],
    ['revoke', async () => store.revoke('session', 's', 2), true],
    ['recordPasskeyUse', async () => store.recordPasskeyUse(use, nonce({ key: 'n2' })), true],
    ['takeNonce', async () => store.takeNonce('n2'), true],
    ['takeNonce of a spent key', async () => store.takeNonce('n2'), false],
    ['addPasskey', async () => store.addPasskey(passkey({ id: 'p2', credentialId: 'c2' }), nonce({ key: 'n3' }), false), true],
    ['deletePasskey', async () => store.deletePasskey(passkey().externalId, passkey().id, false, null), true],
    ['deletePasskey revoking the user', async () => store.deletePasskey(passkey().externalId, 'p2', false, 9e12), true],
    ['replaceRecoveryCodes', async () => store.replaceRecoveryCodes('u', ['d1', 'd2']), true],
    ['takeRecoveryCode', async () => store.takeRecoveryCode('u', 'd1'), true],
    ['takeRecoveryCode of a spent code', async () => store.takeRecoveryCode('u', 'd1'), false],
    ['countRecoveryCodes', async () => store.countRecoveryCodes('u'), false],
    ['replaceRecoveryCodes with none', async () => store.replaceRecoveryCodes('u', []), true],
    ['addTrustedBrowser', async () => store.addTrustedBrowser(browser, null), false],
    ['useTrustedBrowser', async () => store.useTrustedBrowser(browser.key, 'u', 1), false],
    ['listTrustedBrowsers', async () => store.listTrustedBrowsers('u'), false],
    ['deleteTrustedBrowsers of one', async () => store.deleteTrustedBrowsers('u', browser.id), true],
    ['deleteTrustedBrowsers of all', async () => store.deleteTrustedBrowsers('u', null), true],
    ['eraseUser', async () => store.eraseUser('u', 'everything', 9e12), true],
    ['sweep', async () => store.sweep(Date.now()), false]
  ]
  for (const [name, call, durable] of calls) {
    const before = held.length
    const write = call()
    if (!durable) {
      t.equal(await settled(write), true, `${name} resolves without an fsync`)
      t.equal(held.length, before, `${name} starts no fsync`)
      continue
    }
    t.equal(await settled(write), false, `${name} waits for an fsync`)
    t.equal(held.length, before + 1, `${name} starts one fsync`)
    t.equal(held.at(-1)!.path, join(dir, 'passkeys.db-wal'), `${name} syncs the WAL file`)
    held.at(-1)!.finish()
    await write
    t.pass(`${name} resolves once it is synced`)
  }
})

t.test('group commit: a write committed while an fsync runs waits for the next one, which the writes of that moment share', async (t) => {
  const { store } = await fileStore(t)
  for (const key of ['a', 'b', 'c']) await store.createTransaction(transaction(key))
  const held = await holdSyncs(t)
  const first = store.takeTransaction('a')
  await settled(first)
  const second = store.takeTransaction('b')
  const third = store.takeTransaction('c')
  t.equal(held.length, 1, 'one fsync runs')
  held[0]!.finish()
  t.equal((await first)?.key, 'a', 'the write committed before it started resolves with it')
  t.equal(await settled(second), false, 'a write committed while it ran does not')
  t.equal(held.length, 2, 'the writes of that moment start one more fsync, together')
  held[1]!.finish()
  t.same(await Promise.all([second, third]).then((taken) => taken.map((row) => row?.key)), ['b', 'c'])
  t.equal(held.length, 2)
})

t.test('a write whose fsync fails rejects; the writes queued behind it wait for an fsync of their own', async (t) => {
  const { store } = await fileStore(t)
  for (const key of ['a', 'b']) await store.createTransaction(transaction(key))
  const held = await holdSyncs(t)
  const failed = store.takeTransaction('a')
  await settled(failed)
  const next = store.takeTransaction('b')
  held[0]!.fail(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }))
  await t.rejects(failed, { code: 'EIO' })
  t.equal(await settled(next), false)
  t.equal(held.length, 2)
  held[1]!.finish()
  t.equal((await next)?.key, 'b')
})

t.test('an in-memory database has no WAL and syncs nothing', async (t) => {
  const held = await holdSyncs(t)
  const store = new SqliteStore({ filename: ':memory:' })
  t.teardown(async () => store.close())
  await store.init()
  await store.createTransaction(transaction('a'))
  t.equal((await store.takeTransaction('a'))?.key, 'a')
  t.equal(held.length, 0)
})

t.test('WalSync closes the WAL file once the fsyncs under way have finished', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pkmfa-walsync-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'x.db-wal')
  writeFileSync(path, 'frames')
  const sync = await WalSync.open(path)
  const running = sync.sync()
  t.equal(sync.sync(), running, 'callers of one turn of the event loop share an fsync')
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve))
  const queued = sync.sync()
  t.not(queued, running)
  t.equal(sync.sync(), queued, 'callers during a running fsync share the next one')
  await sync.close()
  await t.resolves(Promise.all([running, queued]), 'with one queued')
  const alone = await WalSync.open(path)
  const only = alone.sync()
  await alone.close()
  await t.resolves(only, 'with one running')
  await (await WalSync.open(path)).close()
})
