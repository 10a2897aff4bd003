import t from 'tap'
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SqliteStore } from '../src/engine/stores/sqlite.js'
import { storeContract } from './helpers/store-contract.js'

const dir = mkdtempSync(join(tmpdir(), 'pkmfa-sqlite-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
let files = 0

t.test('in memory', async (t) => {
  storeContract(t, async () => new SqliteStore({ filename: ':memory:' }))
})

t.test('in a file', async (t) => {
  storeContract(t, async () => new SqliteStore({ filename: join(dir, `contract-${++files}.db`) }))
})

t.test('a reopened file keeps its passkeys, in WAL mode', async (t) => {
  const filename = join(dir, 'reopened.db')
  const record = {
    id: 'passkey-1',
    credentialId: 'Y3JlZGVudGlhbA',
    externalId: 'alice',
    userHandle: 'dXNlcg',
    publicKey: Uint8Array.from([0x00, 0x01, 0xfe, 0xff]),
    counter: 3,
    transports: ['usb'],
    aaguid: '00000000-0000-0000-0000-000000000000',
    backupEligible: false,
    backedUp: false,
    name: 'YubiKey',
    createdAt: 1_700_000_000_000,
    lastUsedAt: null
  }
  const nonce = {
    key: 'nonce', externalId: 'alice', kind: 'register', transactionId: 'tx', passkeyId: 'passkey-1', expiresAt: 1
  } as const

  const first = new SqliteStore({ filename })
  await first.init()
  t.equal(await first.addPasskey(record, nonce), true)
  await first.close()

  const reopened = new SqliteStore({ filename })
  t.teardown(() => reopened.close())
  await reopened.init()
  t.strictSame(await reopened.listPasskeys('alice'), [record])
  t.strictSame(await reopened.takeNonce('nonce'), nonce)

  const db = new Database(filename, { readonly: true })
  t.teardown(() => db.close())
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal')
})
