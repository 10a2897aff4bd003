import pg from 'pg'
import { randomBytes } from 'node:crypto'
import type { Test } from 'tap'
import type { PasskeyStore } from '../../src/engine/store.js'
import { MemoryStore } from '../../src/engine/stores/memory.js'
import { SqliteStore } from '../../src/engine/stores/sqlite.js'

/** The PostgreSQL server the tests use (`PG_URL` overrides it). */
export const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** The stores every store-dependent behaviour is tested on. */
export const STORE_KINDS = ['memory', 'sqlite', 'postgres'] as const
export type StoreKind = typeof STORE_KINDS[number]

/**
 * Whether PostgreSQL answers. When it does not, a test outside CI is skipped with the reason, and
 * in CI (`CI` set) it fails.
 */
export async function postgresReachable (t: Test): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.end()
    return true
  } catch (error) {
    serviceUnreachable(t, `PostgreSQL unreachable at ${PG_URL}: ${(error as Error).message}`)
    return false
  }
}

/** Outside CI, prints why a test that needs a service skips; in CI (`CI` set), fails with the reason. */
export function serviceUnreachable (t: Test, reason: string): void {
  if (process.env.CI !== undefined) t.fail(reason)
  else t.comment(`skipped: ${reason}`)
}

/** A fresh PostgreSQL schema name, dropped in teardown (the stores on it create it). */
export function freshPostgresSchema (t: Test): string {
  const schema = `pkmfa_test_${process.pid}_${randomBytes(4).toString('hex')}`
  t.teardown(async () => {
    const client = new pg.Client({ connectionString: PG_URL })
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await client.end()
  })
  return schema
}

/**
 * A fresh, empty store of `kind` (PostgreSQL: in a schema of its own, dropped in teardown), or
 * `null` when PostgreSQL is unreachable outside CI. The caller closes it (the engine does).
 */
export async function freshStore (t: Test, kind: StoreKind): Promise<PasskeyStore | null> {
  if (kind === 'memory') return new MemoryStore()
  if (kind === 'sqlite') return new SqliteStore({ filename: ':memory:' })
  if (!await postgresReachable(t)) return null
  const { PostgresStore } = await import('../../src/engine/stores/postgres.js')
  return new PostgresStore({ connectionString: PG_URL, schema: freshPostgresSchema(t) })
}

/** Runs `body` as one subtest per store kind, each with a fresh store. */
export function eachStore (t: Test, body: (t: Test, store: PasskeyStore, kind: StoreKind) => Promise<void>): void {
  for (const kind of STORE_KINDS) {
    t.test(kind, async (t) => {
      const store = await freshStore(t, kind)
      if (store !== null) await body(t, store, kind)
    })
  }
}
