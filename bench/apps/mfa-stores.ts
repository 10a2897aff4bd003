import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { FastifyInstance } from 'fastify'
import { MemoryStore } from '../../src/engine/stores/memory.js'
import { PostgresStore } from '../../src/engine/stores/postgres.js'
import { SqliteStore } from '../../src/engine/stores/sqlite.js'
import { PG_URL } from '../lib/config.js'
import { buildMfaHost } from './mfa-host.js'

/** The host app with the plugin on the memory store. */
export async function mfaOnMemory (): Promise<FastifyInstance> {
  return buildMfaHost(new MemoryStore())
}

/** The host app with the plugin on an SQLite file (WAL) in a temporary folder, removed on close. */
export async function mfaOnSqlite (): Promise<FastifyInstance> {
  const dir = await mkdtemp(join(tmpdir(), 'pkmfa-bench-'))
  return buildMfaHost(new SqliteStore({ filename: join(dir, 'passkeys.db') }), async () => rm(dir, { recursive: true, force: true }))
}

/** The host app with the plugin on PostgreSQL, in a schema of its own dropped on close. */
export async function mfaOnPostgres (): Promise<FastifyInstance> {
  const schema = `pkmfa_bench_${process.pid}`
  const pool = new pg.Pool({ connectionString: PG_URL })
  return buildMfaHost(new PostgresStore({ pool, schema }), async () => {
    await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await pool.end()
  })
}
