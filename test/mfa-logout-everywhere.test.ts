import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import type { Test } from 'tap'
import type { PasskeyStore } from '../src/engine/store.js'
import { SqliteStore } from '../src/engine/stores/sqlite.js'
import { ORIGIN } from './helpers/engine-app.js'
import { PREFIX, addUser, buildMfaApp, signIn, signUp } from './helpers/mfa-app.js'
import type { MfaApp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { PG_URL, freshPostgresSchema, postgresReachable } from './helpers/stores.js'

const COOKIE = 'passkey_mfa'
const SYNC_MS = 20
/** The longest the test waits for another instance to learn of a logout (many sync intervals). */
const WAIT_MS = 5_000

/** Two stores of one kind on the same data: what two app instances of one deployment have. */
type SharedStores = (t: Test) => Promise<[PasskeyStore, PasskeyStore] | null>

/** Two SQLite stores on one file in a temporary directory (removed in teardown). */
const sqliteFile: SharedStores = async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'passkey-mfa-logout-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const filename = join(dir, 'passkeys.db')
  return [new SqliteStore({ filename }), new SqliteStore({ filename })]
}

/** Two PostgreSQL stores on one fresh schema (dropped in teardown), or `null` when PostgreSQL is unreachable. */
const postgresSchema: SharedStores = async (t) => {
  if (!await postgresReachable(t)) return null
  const schema = freshPostgresSchema(t)
  const { PostgresStore } = await import('../src/engine/stores/postgres.js')
  return [new PostgresStore({ connectionString: PG_URL, schema }), new PostgresStore({ connectionString: PG_URL, schema })]
}

/** `GET /protected` on `mfa` with exactly this session cookie. */
async function protectedStatus (mfa: MfaApp, cookie: string): Promise<number> {
  const response = await mfa.app.inject({ method: 'GET', url: '/protected', headers: { cookie: `${COOKIE}=${cookie}`, origin: ORIGIN } })
  return response.statusCode
}

/** Polls `GET /protected` until it answers `expected` or `WAIT_MS` passed; returns the last status. */
async function waitForStatus (mfa: MfaApp, cookie: string, expected: number): Promise<number> {
  const until = Date.now() + WAIT_MS
  let status = await protectedStatus(mfa, cookie)
  while (status !== expected && Date.now() < until) {
    await sleep(SYNC_MS / 2)
    status = await protectedStatus(mfa, cookie)
  }
  return status
}

for (const [kind, sharedStores] of [['sqlite file', sqliteFile], ['postgres schema', postgresSchema]] as const) {
  t.test(kind, async (t) => {
    t.test('a logout on one instance ends the session on another within the sync interval', async (t) => {
      const stores = await sharedStores(t)
      if (stores === null) return
      const a = await buildMfaApp(t, { store: stores[0], revocationSyncMs: SYNC_MS })
      const b = await buildMfaApp(t, { store: stores[1], revocationSyncMs: SYNC_MS })
      const authenticator = new SoftwareAuthenticator()
      const browser = await signUp(a, 'alice', authenticator)
      const other = await signIn(a, 'alice', authenticator)
      const cookie = browser.cookies.get(COOKIE) ?? ''
      const otherCookie = other.cookies.get(COOKIE) ?? ''
      t.equal(await protectedStatus(b, cookie), 200, 'instance B accepts the session of instance A')

      t.same((await browser.post(`${PREFIX}/logout`)).json(), { state: 'anonymous' })
      t.equal(await protectedStatus(a, cookie), 401, 'instance A refuses the saved cookie at once')
      t.equal(await waitForStatus(b, cookie, 401), 401, `instance B refuses the saved cookie within ${WAIT_MS} ms`)
      await sleep(SYNC_MS * 3)
      t.equal(await protectedStatus(b, cookie), 401, 'and keeps refusing it after further syncs')
      t.equal(await protectedStatus(b, otherCookie), 200, 'another session of the same user is not affected')
    })

    t.test('a new first factor on one instance ends the replaced session on another', async (t) => {
      const stores = await sharedStores(t)
      if (stores === null) return
      const a = await buildMfaApp(t, { store: stores[0], revocationSyncMs: SYNC_MS })
      const b = await buildMfaApp(t, { store: stores[1], revocationSyncMs: SYNC_MS })
      const browser = await signUp(a, 'alice', new SoftwareAuthenticator())
      const saved = browser.cookies.get(COOKIE) ?? ''
      t.equal(await protectedStatus(b, saved), 200)
      t.same((await browser.post('/login', { externalId: 'alice' })).json(), { next: 'authenticate' })
      t.equal(await waitForStatus(b, saved, 401), 401, 'instance B refuses the replaced session')
    })

    for (const skewMs of [120_000, -120_000]) {
      t.test(`with clocks ${Math.abs(skewMs / 60_000)} minutes apart (${skewMs > 0 ? 'B ahead' : 'B behind'}), a logout on either is refused on the other`, async (t) => {
        const stores = await sharedStores(t)
        if (stores === null) return
        const a = await buildMfaApp(t, { store: stores[0], revocationSyncMs: SYNC_MS })
        const b = await buildMfaApp(t, { store: stores[1], revocationSyncMs: SYNC_MS })
        b.clock.advance(skewMs)
        const authenticator = new SoftwareAuthenticator()
        await signUp(a, 'alice', authenticator)
        addUser(b, 'alice')
        for (const [name, here, there] of [['A', a, b], ['B', b, a]] as const) {
          const browser = await signIn(here, 'alice', authenticator)
          const cookie = browser.cookies.get(COOKIE) ?? ''
          t.equal(await protectedStatus(there, cookie), 200, `the other instance accepts a session made on ${name}`)
          await browser.post(`${PREFIX}/logout`)
          t.equal(await waitForStatus(there, cookie, 401), 401, `a logout on ${name} is refused on the other instance`)
        }
      })
    }

    t.test('an instance started after the logout refuses the cookie from its first request', async (t) => {
      const stores = await sharedStores(t)
      if (stores === null) return
      const a = await buildMfaApp(t, { store: stores[0], revocationSyncMs: SYNC_MS })
      const browser = await signUp(a, 'alice', new SoftwareAuthenticator())
      const saved = browser.cookies.get(COOKIE) ?? ''
      await browser.post(`${PREFIX}/logout`)
      const late = await buildMfaApp(t, { store: stores[1], revocationSyncMs: 60_000 })
      t.equal(await protectedStatus(late, saved), 401, 'no sync interval needs to pass: the first sync runs at start')
    })
  })
}
