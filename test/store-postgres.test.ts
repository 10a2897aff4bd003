import t from 'tap'
import pg from 'pg'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { PasskeyStore } from '../src/engine/store.js'
import {
  failedAddWritesNothing, nonce, passkey, passkeyOf, pollerSeesEveryRevocation, raceFirstPasskeys, storeContract
} from './helpers/store-contract.js'

const url = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const unreachable = await probe(url)

if (unreachable !== null) {
  const reason = `PostgreSQL unreachable at ${redacted(url)}: ${unreachable}`
  if (process.env.CI) t.fail(reason)
  else t.plan(0, reason)
} else {
  // Imported only when the server answers, so a skipped run does not count the file as uncovered.
  const { PostgresStore } = await import('../src/engine/stores/postgres.js')
  const schema = `pkmfa_test_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Pool({ connectionString: url })
  t.teardown(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await admin.end()
  })

  /** A store on the shared schema, emptied. */
  async function emptied (store: PasskeyStore): Promise<PasskeyStore> {
    await store.init()
    const { rows } = await admin.query('SELECT tablename FROM pg_tables WHERE schemaname = $1', [schema])
    await admin.query(`TRUNCATE ${rows.map(({ tablename }) => `"${schema}"."${tablename}"`).join(', ')}`)
    return store
  }

  storeContract(t, async () => await emptied(new PostgresStore({ connectionString: url, schema })))

  t.test('two stores (two pools) on one schema add only one first passkey', async (t) => {
    const stores = [new PostgresStore({ connectionString: url, schema }), new PostgresStore({ connectionString: url, schema })]
    t.teardown(() => Promise.all(stores.map((store) => store.close())))
    for (const store of stores) await emptied(store)
    await raceFirstPasskeys(t, stores)
  })

  t.test('two stores (two pools) on one schema: a poller sees every revocation', async (t) => {
    const stores = [new PostgresStore({ connectionString: url, schema }), new PostgresStore({ connectionString: url, schema })]
    t.teardown(() => Promise.all(stores.map((store) => store.close())))
    for (const store of stores) await emptied(store)
    await pollerSeesEveryRevocation(t, stores)
  })

  t.test('init moves the logouts of a former version\'s passkey_revoked_sessions into passkey_revocations, once', async (t) => {
    const former = `${schema}_former`
    t.teardown(() => admin.query(`DROP SCHEMA IF EXISTS "${former}" CASCADE`))
    await admin.query(`
      CREATE SCHEMA "${former}";
      CREATE TABLE "${former}".passkey_revoked_sessions (session_id TEXT PRIMARY KEY, revoked_at BIGINT NOT NULL, expires_at BIGINT NOT NULL);
      CREATE INDEX passkey_revoked_sessions_revoked_at ON "${former}".passkey_revoked_sessions (revoked_at);
      INSERT INTO "${former}".passkey_revoked_sessions VALUES ('later', 2, 20), ('earlier', 1, 10);`)
    const stores = Array.from({ length: 3 }, () => new PostgresStore({ connectionString: url, schema: former }))
    t.teardown(() => Promise.all(stores.map((store) => store.close())))
    await Promise.all(stores.map((store) => store.init()))
    await stores[0]!.init()
    const moved = [{ kind: 'session', subject: 'earlier', expiresAt: 10 }, { kind: 'session', subject: 'later', expiresAt: 20 }]
    t.strictSame((await stores[0]!.listRevocations(0)).map(({ position, ...revocation }) => revocation), moved, 'in the order revoked')
    const { rows } = await admin.query("SELECT relname FROM pg_class WHERE relname LIKE 'passkey_revoked_sessions%' AND relnamespace = $1::regnamespace",
      [former])
    t.strictSame(rows, [], 'the table and its indexes are gone')
  })

  t.test('a credential ID inserted by a concurrent transaction: taken once it commits, free once it rolls back', async (t) => {
    const store = await emptied(new PostgresStore({ connectionString: url, schema }))
    t.teardown(() => store.close())
    const other = await admin.connect()
    t.teardown(() => other.release())
    for (const [end, answer] of [['COMMIT', 'credential-taken'], ['ROLLBACK', 'added']] as const) {
      await other.query('BEGIN')
      await other.query(`INSERT INTO "${schema}".passkeys VALUES ($1, $1, 'bob', 'aA', '\\x00', 0, '{}', '', false, false, '', 0)`,
        [end])
      const adding = store.addPasskey(passkey({ id: `alice-${end}`, credentialId: end }), nonce({ key: end }), false)
      const waiting = `SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%"${schema}".passkeys%'`
      while ((await admin.query(waiting)).rowCount === 0) await sleep(10)
      await other.query(end)
      t.equal(await adding, answer, end)
      t.equal((await passkeyOf(store, end))?.externalId, end === 'COMMIT' ? 'bob' : 'alice', `${end}: the credential's owner`)
      t.equal((await store.takeNonce(end)) !== null, answer === 'added', `${end}: the nonce is stored only when added`)
    }
  })

  t.test('a failed add rolls back and releases its connection', async (t) => {
    const pool = new pg.Pool({ connectionString: url, max: 1 })
    t.teardown(() => pool.end())
    await failedAddWritesNothing(t, await emptied(new PostgresStore({ pool, schema })))
  })

  t.test('concurrent init of a new schema succeeds everywhere', async (t) => {
    const fresh = `${schema}_init`
    t.teardown(() => admin.query(`DROP SCHEMA IF EXISTS "${fresh}" CASCADE`))
    const stores = Array.from({ length: 4 }, () => new PostgresStore({ connectionString: url, schema: fresh }))
    t.teardown(() => Promise.all(stores.map((store) => store.close())))
    const results = await Promise.allSettled(stores.map((store) => store.init()))
    t.strictSame(results.map((result) => result.status), ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled'])
    t.strictSame(await stores[0]!.listPasskeys('none'), [])
  })

  t.test('a borrowed pool stays open after close', async (t) => {
    const pool = new pg.Pool({ connectionString: url })
    t.teardown(() => pool.end())
    const store = new PostgresStore({ pool, schema })
    await store.init()
    await store.close()
    t.strictSame((await pool.query('SELECT 1 AS one')).rows, [{ one: 1 }])
  })

  t.test('an owned pool ends on close', async (t) => {
    const store = new PostgresStore({ connectionString: url, schema })
    await store.init()
    await store.close()
    await t.rejects(store.listPasskeys('none'))
  })

  t.test('the constructor takes exactly one of pool and connectionString', async (t) => {
    const pool = new pg.Pool({ connectionString: url })
    t.teardown(() => pool.end())
    t.throws(() => new PostgresStore({} as never), TypeError)
    t.throws(() => new PostgresStore({ pool, connectionString: url } as never), TypeError)
  })

  t.test('the constructor refuses a schema that is not a plain identifier', async (t) => {
    for (const bad of ['', '1st', 'my-schema', 'a"; DROP SCHEMA public; --', 'ünïcode']) {
      t.throws(() => new PostgresStore({ connectionString: url, schema: bad }), TypeError, bad)
    }
    t.doesNotThrow(() => new PostgresStore({ connectionString: url, schema: '_Passkeys_2' }))
  })
}

/** Why the server at `url` does not answer, or `null` when it does. */
async function probe (url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.end()
    return null
  } catch (error) {
    return (error as Error).message
  }
}

function redacted (url: string): string {
  const parsed = new URL(url)
  parsed.password = ''
  return parsed.href
}
