import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import type { AuditEvent } from '../src/index.js'
import { MemoryStore } from '../src/engine/stores/memory.js'
import { Browser } from './helpers/browser.js'
import { PREFIX, buildMfaApp, signUp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'

// Design invariant 14: a revocation sync that keeps failing makes guards answer 503, never lets a
// revoked session through; it is logged and audited, and the plugin recovers once a sync succeeds.

t.test('while revocations cannot be loaded, sessions get 503; anonymous requests do not; a good sync restores them', async (t) => {
  const store = new MemoryStore()
  const events: AuditEvent[] = []
  const mfa = await buildMfaApp(t, { store, revocationSyncMs: 10, revocationMaxStalenessMs: 100, onEvent: (event) => events.push(event) })
  const browser = await signUp(mfa, 'alice', new SoftwareAuthenticator())
  t.equal((await browser.get('/protected')).statusCode, 200)

  const listRevocations = store.listRevocations.bind(store)
  store.listRevocations = async () => { throw new Error('connection refused') }
  await sleep(300)
  for (const url of ['/protected', `${PREFIX}/status`, `${PREFIX}/passkeys`]) {
    const refused = await browser.get(url)
    t.same([refused.statusCode, refused.json().code], [503, 'FST_PASSKEY_MFA_STORE_UNAVAILABLE'], `GET ${url} with a session: 503`)
  }
  t.equal(browser.cookies.has('passkey_mfa'), true, 'the cookie is kept, to pass again once in sync')
  t.equal((await new Browser(mfa.app).get(`${PREFIX}/status`)).statusCode, 200, 'an anonymous request is answered')
  t.match(events.filter((event) => event.type.startsWith('revocation-sync')), [{ type: 'revocation-sync-stale', externalId: null, address: null }])

  store.listRevocations = listRevocations
  await sleep(100)
  t.equal((await browser.get('/protected')).statusCode, 200, 'signed in again once a sync succeeded')
  t.match(events.filter((event) => event.type.startsWith('revocation-sync')).map((event) => event.type), ['revocation-sync-stale', 'revocation-sync-recovered'])
})
