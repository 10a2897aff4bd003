/**
 * Writes of the PostgreSQL store killed or stalled half-way, on a real server: a failing nonce insert,
 * a backend terminated between the passkey row and its nonce (`pg_terminate_backend`), a write
 * stalled on the user's lock then given up on by the engine. Each must leave the passkey (or its
 * use) fully present or fully absent, and the ceremony answers 503 without a nonce.
 */
import pg from 'pg'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import type { Test } from 'tap'
import type { PasskeyStore } from '../src/engine/store.js'
import { ENGINE_STORE_UNAVAILABLE, ceremony, firstFactor, passkeySignsIn } from './helpers/fault-flows.js'
import { LATENESS_MS, STORE_TIMEOUT_MS } from './helpers/faulty-store.js'
import { PREFIX, buildMfaApp, signUp } from './helpers/mfa-app.js'
import type { MfaApp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { PG_URL, freshPostgresSchema, postgresReachable } from './helpers/stores.js'
import { answerWithin } from './helpers/timed.js'

const TIMEOUT_MS = STORE_TIMEOUT_MS.postgres

if (await postgresReachable(t)) {
  // Imported only when the server answers, so a skipped run does not count the file as uncovered.
  const { PostgresStore } = await import('../src/engine/stores/postgres.js')
  const admin = new pg.Client({ connectionString: PG_URL })
  await admin.connect()
  t.teardown(async () => admin.end())

  /**
   * An app on a PostgreSQL store in a fresh schema, whose connections carry the schema's name as
   * `application_name`, with `settings` (e.g. `statement_timeout`) added to its URL. Its user has a
   * name of its own too: the lock `addPasskey` takes is per user name, whatever the schema.
   */
  async function app (t: Test, settings: Record<string, string> = {}): Promise<{ mfa: MfaApp, store: PasskeyStore, schema: string, user: string }> {
    const schema = freshPostgresSchema(t)
    const url = new URL(PG_URL)
    for (const [name, value] of Object.entries({ ...settings, application_name: schema })) url.searchParams.set(name, value)
    const store = new PostgresStore({ connectionString: url.href, schema })
    await store.init()
    return { mfa: await buildMfaApp(t, { store, storeTimeoutMs: TIMEOUT_MS }), store, schema, user: `${schema}_user` }
  }

  /** Makes every nonce insert of `schema` run `body` (PL/pgSQL) first, until the returned function undoes it. */
  async function onNonceInsert (schema: string, body: string): Promise<() => Promise<void>> {
    await admin.query(`CREATE FUNCTION "${schema}".on_nonce_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN ${body}; RETURN NEW; END $$`)
    await admin.query(`CREATE TRIGGER on_nonce_insert BEFORE INSERT ON "${schema}".passkey_nonces FOR EACH ROW EXECUTE FUNCTION "${schema}".on_nonce_insert()`)
    return async () => { await admin.query(`DROP FUNCTION "${schema}".on_nonce_insert() CASCADE`) }
  }

  /** Terminates the store's backend sleeping in the nonce trigger of `schema`; true when there was one. */
  async function terminateSleeper (schema: string): Promise<boolean> {
    const { rows } = await admin.query(`
      SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
      WHERE wait_event = 'PgSleep' AND application_name = $1`, [schema])
    return rows.length === 1 && rows[0].terminated === true
  }

  /** Holds the lock `addPasskey` takes for `externalId` in `schema` until the returned function releases it. */
  async function holdUserLock (schema: string, externalId: string): Promise<() => Promise<void>> {
    const key = `hashtext('fastify-passkey-mfa:"' || $1 || '":passkeys:' || $2)`
    await admin.query(`SELECT pg_advisory_lock(${key})`, [schema, externalId])
    return async () => { await admin.query(`SELECT pg_advisory_unlock(${key})`, [schema, externalId]) }
  }

  /** The store's backends waiting for a lock the admin connection holds. */
  async function blockedByAdmin (schema: string): Promise<number> {
    return (await admin.query(
      'SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND pg_backend_pid() = ANY(pg_blocking_pids(pid))', [schema])).rowCount ?? 0
  }

  /** `send` answers a coded 503, in time. */
  async function unavailable (t: Test, send: () => Promise<{ json: () => unknown }>): Promise<void> {
    const { answer } = await answerWithin(TIMEOUT_MS + LATENESS_MS, send)
    t.same(answer?.json(), ENGINE_STORE_UNAVAILABLE)
  }

  t.test('a registration whose nonce insert fails inside the statement adds nothing', async (t) => {
    const { mfa, store, schema, user } = await app(t)
    const authenticator = new SoftwareAuthenticator()
    const browser = await firstFactor(mfa, user)
    const repair = await onNonceInsert(schema, "RAISE EXCEPTION 'injected: disk full'")
    await unavailable(t, async () => ceremony(mfa, browser, 'register', authenticator))
    await repair()

    t.same(await store.listPasskeys(user), [], 'no half-registered passkey')
    const { nonce } = (await ceremony(mfa, browser, 'register', authenticator)).json()
    t.equal((await browser.post(`${PREFIX}/verify`, { nonce })).json().state, 'authenticated', 'enrollment can be redone')
  })

  t.test('a registration whose backend is terminated between the passkey row and its nonce adds nothing, without crashing the process', async (t) => {
    const { mfa, store, schema, user } = await app(t)
    const authenticator = new SoftwareAuthenticator()
    const browser = await firstFactor(mfa, user)
    const repair = await onNonceInsert(schema, 'PERFORM pg_sleep(30)')
    await unavailable(t, async () => ceremony(mfa, browser, 'register', authenticator))
    t.ok(await terminateSleeper(schema), 'the write was stalled half-way, and its backend terminated')
    await repair()

    t.same(await store.listPasskeys(user), [], 'no half-registered passkey')
    t.match((await browser.get(`${PREFIX}/status`)).json(), { state: 'passkey-pending', next: 'enroll' })
    const { nonce } = (await ceremony(mfa, browser, 'register', authenticator)).json()
    t.equal((await browser.post(`${PREFIX}/verify`, { nonce })).json().state, 'authenticated', 'the pool recovered')
  })

  t.test('an authentication whose backend is terminated between the counter update and its nonce records nothing, without crashing the process', async (t) => {
    const { mfa, store, schema, user } = await app(t)
    const authenticator = new SoftwareAuthenticator({ signCount: 1 })
    await signUp(mfa, user, authenticator)
    const before = await store.listPasskeys(user)
    const browser = await firstFactor(mfa, user)
    const repair = await onNonceInsert(schema, 'PERFORM pg_sleep(30)')
    await unavailable(t, async () => ceremony(mfa, browser, 'authenticate', authenticator))
    t.ok(await terminateSleeper(schema), 'the write was stalled half-way, and its backend terminated')
    await repair()

    t.same(await store.listPasskeys(user), before, 'counter and last use unchanged')
    t.equal((await browser.get(`${PREFIX}/status`)).json().state, 'passkey-pending')
    await passkeySignsIn(t, mfa, browser, authenticator)
  })

  t.test('a registration given up on while it waits for the user\'s lock completes whole once the lock is free', async (t) => {
    const { mfa, store, schema, user } = await app(t)
    const authenticator = new SoftwareAuthenticator({ signCount: 1 })
    const browser = await firstFactor(mfa, user)
    const release = await holdUserLock(schema, user)
    await unavailable(t, async () => ceremony(mfa, browser, 'register', authenticator))
    t.equal(await blockedByAdmin(schema), 1, 'the abandoned write still waits')
    await release()
    let passkeys = await store.listPasskeys(user)
    for (let waited = 0; passkeys.length === 0 && waited < 5000; waited += 10) {
      await sleep(10)
      passkeys = await store.listPasskeys(user)
    }
    t.equal(passkeys.length, 1, 'the write committed after its answer was lost')
    t.equal(passkeys[0].credentialId, authenticator.credentials[0].idBase64url)
    await passkeySignsIn(t, mfa, browser, authenticator)
  })

  t.test('with statement_timeout, the server cancels a write the engine gave up on', async (t) => {
    const { mfa, store, schema, user } = await app(t, { statement_timeout: String(4 * TIMEOUT_MS) })
    const browser = await firstFactor(mfa, user)
    const release = await holdUserLock(schema, user)
    await unavailable(t, async () => ceremony(mfa, browser, 'register', new SoftwareAuthenticator()))
    while (await blockedByAdmin(schema) > 0) await sleep(10)
    await release()

    t.same(await store.listPasskeys(user), [], 'cancelled and rolled back, though the lock is free now')
  })
}
