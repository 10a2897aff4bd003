import t from 'tap'
import type { Test } from 'tap'
import Database from 'better-sqlite3'
import pg from 'pg'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PasskeyStore } from '../src/engine/store.js'
import { PostgresStore } from '../src/engine/stores/postgres.js'
import { SqliteStore } from '../src/engine/stores/sqlite.js'
import { populate } from './helpers/store-contract-lifecycle.js'
import { freshPostgresSchema, PG_URL, postgresReachable } from './helpers/stores.js'

// Erasure counted in the database itself: every table, every row, whatever the store's methods
// show. A row is about a user when any of its columns holds the user's external ID.

const NOW = 1_700_000_000_000
const DAY = 24 * 60 * 60_000

/** Per table: [rows about alice, rows about bob, all rows]. */
type Census = Record<string, [number, number, number]>

function census (rows: Record<string, unknown[]>): Census {
  const about = (row: unknown, externalId: string): boolean =>
    Object.values(row as object).some((value) => typeof value === 'string' && value.includes(externalId))
  return Object.fromEntries(Object.entries(rows).map(([table, all]) =>
    [table, [all.filter((row) => about(row, 'alice')).length, all.filter((row) => about(row, 'bob')).length, all.length]]))
}

async function eraseAndCount (t: Test, store: PasskeyStore, rows: () => Promise<Record<string, unknown[]>>): Promise<void> {
  await store.init()
  await populate(store)
  const before = census(await rows())
  t.strictSame(Object.keys(before).sort(), [
    'passkey_nonces', 'passkey_recovery_codes', 'passkey_revocations', 'passkey_transactions', 'passkey_trusted_browsers', 'passkeys'
  ], 'every table of the store is counted')
  for (const [table, [alice, bob]] of Object.entries(before)) {
    t.ok(alice > 0 && alice === bob, `${table}: ${alice} rows about alice and bob each before`)
  }
  await store.eraseUser('alice', 'everything', NOW + DAY)
  const after = census(await rows())
  for (const [table, [alice, bob, all]] of Object.entries(after)) {
    t.equal(alice, table === 'passkey_revocations' ? 1 : 0, `${table}: rows about alice after`)
    t.equal(bob, before[table]![1], `${table}: bob's rows kept`)
    t.equal(all, alice + bob, `${table}: no other row`)
  }
  await store.sweep(NOW + DAY + 1)
  t.equal((await rows()).passkey_revocations!.filter((row) => JSON.stringify(row).includes('alice')).length, 0,
    'the revocation ending her sessions goes once they would have expired')
}

t.test('SQLite: after erasing everything (deleteUser) no row of any table is about the user but the revocation ending her sessions', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pkmfa-erase-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const filename = join(dir, 'erase.db')
  const store = new SqliteStore({ filename })
  t.teardown(() => store.close())
  const db = new Database(filename, { readonly: true })
  t.teardown(() => db.close())
  await eraseAndCount(t, store, async () => {
    const tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all()
    return Object.fromEntries(tables.map((table) => [table, db.prepare(`SELECT * FROM "${table}"`).all()]))
  })
})

t.test('PostgreSQL: after erasing everything (deleteUser) no row of any table is about the user but the revocation ending her sessions', async (t) => {
  if (!await postgresReachable(t)) return
  const schema = freshPostgresSchema(t)
  const store = new PostgresStore({ connectionString: PG_URL, schema })
  t.teardown(() => store.close())
  const client = new pg.Client({ connectionString: PG_URL })
  await client.connect()
  t.teardown(() => client.end())
  await eraseAndCount(t, store, async () => {
    const { rows: tables } = await client.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema])
    const rows: Record<string, unknown[]> = {}
    for (const { table_name: table } of tables) rows[table] = (await client.query(`SELECT * FROM "${schema}"."${table}"`)).rows
    return rows
  })
})
