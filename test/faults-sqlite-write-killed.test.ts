/**
 * A write killed inside the SQLite store's transaction: another connection to the database file
 * makes the nonce insert fail after the passkey row was written (or its counter updated). The
 * transaction must roll the whole write back: 503, no passkey, no counter change, no nonce.
 */
import Database from 'better-sqlite3'
import { join } from 'node:path'
import t from 'tap'
import type { Test } from 'tap'
import { SqliteStore } from '../src/engine/stores/sqlite.js'
import { ENGINE_STORE_UNAVAILABLE, ceremony, firstFactor, passkeySignsIn } from './helpers/fault-flows.js'
import { PREFIX, buildMfaApp, signUp } from './helpers/mfa-app.js'
import type { MfaApp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'

/** An app on an SQLite file, and a second connection to the file that can break the nonce insert. */
async function appWithSaboteur (t: Test): Promise<{ mfa: MfaApp, store: SqliteStore, breakNonceInsert: (broken: boolean) => void }> {
  const filename = join(t.testdir(), 'passkeys.db')
  const store = new SqliteStore({ filename })
  const mfa = await buildMfaApp(t, { store })
  const saboteur = new Database(filename)
  t.teardown(() => saboteur.close())
  return {
    mfa,
    store,
    breakNonceInsert (broken) {
      saboteur.exec(broken
        ? "CREATE TRIGGER break_nonce_insert BEFORE INSERT ON passkey_nonces BEGIN SELECT RAISE(ABORT, 'injected: disk I/O error'); END"
        : 'DROP TRIGGER break_nonce_insert')
    }
  }
}

t.test('a registration killed between its passkey and its nonce adds nothing', async (t) => {
  const { mfa, store, breakNonceInsert } = await appWithSaboteur(t)
  const authenticator = new SoftwareAuthenticator()
  const browser = await firstFactor(mfa, 'alice')
  breakNonceInsert(true)
  t.same((await ceremony(mfa, browser, 'register', authenticator)).json(), ENGINE_STORE_UNAVAILABLE)
  breakNonceInsert(false)

  t.same(await store.listPasskeys('alice'), [], 'no half-registered passkey')
  t.match((await browser.get(`${PREFIX}/status`)).json(), { state: 'passkey-pending', next: 'enroll' })
  const { nonce } = (await ceremony(mfa, browser, 'register', authenticator)).json()
  t.equal((await browser.post(`${PREFIX}/verify`, { nonce })).json().state, 'authenticated', 'enrollment can be redone')
})

t.test('an authentication killed between its counter update and its nonce records nothing', async (t) => {
  const { mfa, store, breakNonceInsert } = await appWithSaboteur(t)
  const authenticator = new SoftwareAuthenticator({ signCount: 1 })
  await signUp(mfa, 'alice', authenticator)
  const before = await store.listPasskeys('alice')
  const browser = await firstFactor(mfa, 'alice')
  breakNonceInsert(true)
  t.same((await ceremony(mfa, browser, 'authenticate', authenticator)).json(), ENGINE_STORE_UNAVAILABLE)
  breakNonceInsert(false)

  t.same(await store.listPasskeys('alice'), before, 'counter and last use unchanged')
  t.equal((await browser.get(`${PREFIX}/status`)).json().state, 'passkey-pending')
  await passkeySignsIn(t, mfa, browser, authenticator)
})
