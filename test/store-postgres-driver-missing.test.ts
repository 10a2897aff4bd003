import t from 'tap'
import { mkdtempSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { loadPg } from '../src/engine/stores/load-pg.js'
import { PostgresStore } from '../src/index.js'

t.test('without the pg package, loading the driver fails with a coded options error naming the package', async (t) => {
  // A require from a folder with no node_modules above it finds no `pg`, as in an app that did not install it.
  const elsewhere = createRequire(join(mkdtempSync(join(tmpdir(), 'no-pg-')), 'app.js'))
  t.throws(() => elsewhere.resolve('pg'))
  t.throws(() => loadPg(elsewhere), {
    code: 'FST_PASSKEY_MFA_OPTIONS_INVALID',
    statusCode: 500,
    message: 'Invalid passkey MFA options: PostgresStore needs the pg package: npm install pg'
  })
})

t.test('with pg installed, the driver loads lazily and is the same module the app imports', async (t) => {
  t.equal(loadPg(), pg)
  const store = new PostgresStore({ connectionString: 'postgres://127.0.0.1:5432/test' })
  await store.close()
})
