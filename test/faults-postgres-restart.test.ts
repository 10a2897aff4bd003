/**
 * Regression: a PostgresStore that opened its own pool crashed the process when the server closed
 * its idle connections (a restart, a failover, `idle_session_timeout`): the pool emitted `error` with
 * no listener. The pool must drop those connections quietly and open new ones on the next call.
 */
import pg from 'pg'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { firstFactor, passkeySignsIn } from './helpers/fault-flows.js'
import { buildMfaApp, signUp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { PG_URL, freshPostgresSchema, postgresReachable } from './helpers/stores.js'

if (await postgresReachable(t)) {
  // Imported only when the server answers, so a skipped run does not count the file as uncovered.
  const { PostgresStore } = await import('../src/engine/stores/postgres.js')

  t.test('idle connections closed by the server do not crash the process, and the next sign-in reconnects', async (t) => {
    const applicationName = `pkmfa_restart_${randomBytes(4).toString('hex')}`
    const url = new URL(PG_URL)
    url.searchParams.set('application_name', applicationName)
    const store = new PostgresStore({ connectionString: url.href, schema: freshPostgresSchema(t) })
    const mfa = await buildMfaApp(t, { store })
    const authenticator = new SoftwareAuthenticator()
    await signUp(mfa, 'alice', authenticator)

    const admin = new pg.Client({ connectionString: PG_URL })
    await admin.connect()
    t.teardown(async () => admin.end())
    const { rowCount } = await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [applicationName])
    t.ok(rowCount !== null && rowCount > 0, 'the store\'s connections were closed by the server')
    while ((await admin.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', [applicationName])).rowCount !== 0) await sleep(10)
    await sleep(50)

    await passkeySignsIn(t, mfa, await firstFactor(mfa, 'alice'), authenticator)
  })
}
