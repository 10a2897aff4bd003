import t from 'tap'
import Database from 'better-sqlite3'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { SqliteStore } from '../src/engine/stores/sqlite.js'
import { failedAddWritesNothing, pollerSeesEveryRevocation, raceFirstPasskeys, storeContract } from './helpers/store-contract.js'

const dir = mkdtempSync(join(tmpdir(), 'pkmfa-sqlite-'))
t.teardown(() => rmSync(dir, { recursive: true, force: true }))
let files = 0

t.test('in memory', async (t) => {
  storeContract(t, async () => new SqliteStore({ filename: ':memory:' }))
})

t.test('in a file', async (t) => {
  storeContract(t, async () => new SqliteStore({ filename: join(dir, `contract-${++files}.db`) }))
})

t.test('two stores on one file add only one first passkey', async (t) => {
  const filename = join(dir, 'shared.db')
  const stores = [new SqliteStore({ filename }), new SqliteStore({ filename })]
  t.teardown(() => Promise.all(stores.map((store) => store.close())))
  for (const store of stores) await store.init()
  await raceFirstPasskeys(t, stores)
})

t.test('two stores on one file: a poller sees every revocation', async (t) => {
  const filename = join(dir, 'revocations.db')
  const stores = [new SqliteStore({ filename }), new SqliteStore({ filename })]
  t.teardown(() => Promise.all(stores.map((store) => store.close())))
  for (const store of stores) await store.init()
  await pollerSeesEveryRevocation(t, stores)
})

t.test('init moves the logouts of a former version\'s passkey_revoked_sessions into passkey_revocations', async (t) => {
  const filename = join(dir, 'former.db')
  const former = new Database(filename)
  former.exec(`
    CREATE TABLE passkey_revoked_sessions (session_id TEXT PRIMARY KEY, revoked_at INTEGER NOT NULL, expires_at INTEGER NOT NULL)
      STRICT, WITHOUT ROWID;
    CREATE INDEX passkey_revoked_sessions_revoked_at ON passkey_revoked_sessions (revoked_at);
    INSERT INTO passkey_revoked_sessions VALUES ('later', 2, 20), ('earlier', 1, 10);`)
  former.close()
  const moved = [{ kind: 'session', subject: 'earlier', expiresAt: 10 }, { kind: 'session', subject: 'later', expiresAt: 20 }]
  for (const run of ['first', 'second']) {
    const store = new SqliteStore({ filename })
    t.teardown(() => store.close())
    await store.init()
    t.strictSame((await store.listRevocations(0)).map(({ position, ...revocation }) => revocation), moved, `${run} init: in the order revoked`)
  }
  const db = new Database(filename, { readonly: true })
  t.teardown(() => db.close())
  t.equal(db.prepare("SELECT 1 FROM sqlite_master WHERE name LIKE 'passkey_revoked_sessions%'").get(), undefined, 'the table and its indexes are gone')
})

/**
 * A process that opens a store on the file, says `ready`, and once its stdin says go, adds one
 * `firstOnly` passkey for each of the users, then prints its answers (or error codes) as JSON.
 */
const RACER = `
const [storeModule, contractModule, filename, racer, users] = process.argv.slice(1)
const { SqliteStore } = await import(storeModule)
const { passkey, nonce } = await import(contractModule)
const store = new SqliteStore({ filename })
await store.init()
console.log('ready')
await new Promise((resolve) => process.stdin.once('data', resolve))
const answers = []
for (let user = 0; user < Number(users); user++) {
  const [id, externalId] = [racer + '-' + user, 'user-' + user]
  answers.push(await store.addPasskey(passkey({ id, credentialId: id, externalId }),
    nonce({ key: id, externalId, passkeyId: id }), true).catch((error) => error.code))
}
await store.close()
console.log(JSON.stringify(answers))
`

t.test('processes on one file wait for each other: one first passkey per user, no busy errors', async (t) => {
  const filename = join(dir, 'processes.db')
  const created = new SqliteStore({ filename })
  await created.init()
  await created.close()
  const users = 200
  const modules = [new URL('../src/engine/stores/sqlite.ts', import.meta.url), new URL('helpers/store-contract.ts', import.meta.url)]
  const racers = Array.from({ length: 4 }, (_, racer) => spawn(process.execPath,
    [...process.execArgv, '--input-type=module', '--eval', RACER, ...modules.map(String), filename, String(racer), String(users)],
    { stdio: ['pipe', 'pipe', 'inherit'] }))
  const exited = racers.map((racer) => once(racer, 'exit'))
  const lines = racers.map((racer) => createInterface({ input: racer.stdout })[Symbol.asyncIterator]())
  t.strictSame((await Promise.all(lines.map((line) => line.next()))).map(({ value }) => value), ['ready', 'ready', 'ready', 'ready'])
  for (const racer of racers) racer.stdin.end('go\n')
  const answers = await Promise.all(lines.map(async (line) => JSON.parse((await line.next()).value) as string[]))
  await Promise.all(exited)
  const perUser = new Set(Array.from({ length: users }, (_, user) => answers.map((racer) => racer[user]).sort().join()))
  t.strictSame(perUser, new Set(['added,not-first,not-first,not-first']))
})

t.test('a failed add writes nothing', async (t) => {
  const store = new SqliteStore({ filename: ':memory:' })
  t.teardown(() => store.close())
  await store.init()
  await failedAddWritesNothing(t, store)
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
    key: 'nonce', externalId: 'alice', kind: 'register', transactionKey: 'tx', passkeyId: 'passkey-1', expiresAt: 1
  } as const

  const first = new SqliteStore({ filename })
  await first.init()
  t.equal(await first.addPasskey(record, nonce, false), 'added')
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
