/**
 * `POST /sign-in` (option `passkeySignIn`), on every store: a passkey-first nonce starts a new
 * signed-in session from any state; nonces of transactions are refused there, and passkey-first
 * nonces at `POST /verify`; the address limit and the audit events apply.
 */
import t from 'tap'
import type { AuditEvent } from '../src/index.js'
import { MemoryStore } from '../src/engine/stores/memory.js'
import { AttackScene } from './helpers/attack-scene.js'
import { Browser } from './helpers/browser.js'
import { authenticateFinishBody, flexPath, post } from './helpers/ceremonies.js'
import { PREFIX, authenticatePasskey, buildMfaApp } from './helpers/mfa-app.js'
import type { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

/** A passkey-first ceremony over the plugin's engine routes; its nonce. */
async function discoverableNonce (scene: AttackScene, authenticator: SoftwareAuthenticator): Promise<string> {
  const { handshake } = (await post(scene.engineRoutes, flexPath('authenticate', 'start'), {})).json()
  const { transaction_id: _none, ...body } = authenticateFinishBody('', handshake.id, authenticator.get(handshake.challenge.publicKey)) as Record<string, unknown>
  const finish = await post(scene.engineRoutes, flexPath('authenticate', 'finish'), body)
  if (finish.statusCode !== 200) throw new Error(`the passkey-first finish failed: ${finish.body}`)
  return finish.json().nonce
}

eachStore(t, async (t, store) => {
  const events: AuditEvent[] = []
  const scene = await AttackScene.build(t, store, { passkeySignIn: true, onEvent: (event) => { events.push(event) } })

  t.test('a passkey alone signs in from any state, in a new session with a passkey check', async (t) => {
    const alice = await scene.member('alice')
    const bob = await scene.member('bob')
    const pending = (await scene.pending(alice.externalId)).browser
    for (const [name, browser] of [['anonymous', new Browser(scene.mfa.app)], ['past the first factor', pending], ['signed in as someone else', bob.browser]] as const) {
      const before = { ...Object.fromEntries(browser.cookies) }
      const stale = new Browser(scene.mfa.app)
      for (const [cookie, value] of Object.entries(before)) stale.cookies.set(cookie, value)
      events.length = 0
      const signedIn = await browser.post(`${PREFIX}/sign-in`, { nonce: await discoverableNonce(scene, alice.authenticator) })
      t.strictSame(signedIn.json(), { state: 'authenticated', auth_token: `token-for-${alice.externalId}` }, name)
      t.match((await browser.get(`${PREFIX}/status`)).json(), { state: 'authenticated', next: 'done', passkeySignIn: true })
      t.strictSame((await browser.get('/protected')).json(), { externalId: alice.externalId })
      t.equal((await browser.get('/sensitive')).statusCode, 200, 'the passkey counts as a passkey check')
      t.match(events.map(({ type }) => type), ['ceremony-succeeded', 'nonce-redeemed', 'passkey-sign-in'])
      if (name === 'signed in as someone else') t.equal((await stale.get('/protected')).statusCode, 401, 'the session it replaced is revoked')
    }
  })

  t.test('each kind of nonce is refused on the other route, and spent', async (t) => {
    const alice = await scene.member('alice')
    const { browser } = await scene.pending(alice.externalId)
    const transactionNonce = await authenticatePasskey(scene.mfa, browser, alice.authenticator)
    const stranger = new Browser(scene.mfa.app)
    await scene.assertRefused(t, { sessions: [stranger, browser], users: [alice.externalId] },
      async () => stranger.post(`${PREFIX}/sign-in`, { nonce: transactionNonce }), { status: 403, code: 'FST_PASSKEY_MFA_NONCE_MISMATCH' })
    t.equal((await browser.post(`${PREFIX}/verify`, { nonce: transactionNonce })).json().code, 'FST_PASSKEY_MFA_NONCE_INVALID', 'spent by the refusal')

    const { browser: waiting } = await scene.pending(alice.externalId)
    const discoverable = await discoverableNonce(scene, alice.authenticator)
    await scene.assertRefused(t, { sessions: [waiting], users: [alice.externalId] },
      async () => waiting.post(`${PREFIX}/verify`, { nonce: discoverable }), { status: 403, code: 'FST_PASSKEY_MFA_NONCE_MISMATCH' })
    t.equal((await waiting.post(`${PREFIX}/sign-in`, { nonce: discoverable })).json().code, 'FST_PASSKEY_MFA_NONCE_INVALID')
    t.match(events.at(-1), { type: 'nonce-refused', externalId: null, kind: 'authenticate', code: 'FST_PASSKEY_MFA_NONCE_INVALID' })
  })

  t.test('a user the host no longer knows is refused, with no token and the session unchanged', async (t) => {
    const gone = await scene.member('gone')
    const nonce = await discoverableNonce(scene, gone.authenticator)
    scene.mfa.users.delete(gone.externalId)
    const browser = new Browser(scene.mfa.app)
    await scene.assertRefused(t, { sessions: [browser], users: [gone.externalId] },
      async () => browser.post(`${PREFIX}/sign-in`, { nonce }), { status: 401, code: 'FST_PASSKEY_MFA_USER_NOT_FOUND' })
  })

  t.test('GET /passkeys and fastify.mfa.currentUserDetails give what the Signal API needs', async (t) => {
    const alice = await scene.member('alice')
    const listed = (await alice.browser.get(`${PREFIX}/passkeys`)).json()
    const { idBase64url, userHandle } = alice.authenticator.credentials[0]!
    t.match(listed, { rpId: 'localhost', user: { id: userHandle, name: `${alice.externalId}@example.com`, displayName: `${alice.externalId}@example.com` } })
    t.strictSame(listed.passkeys.map(({ credentialId }: { credentialId: string }) => credentialId), [idBase64url])
    t.strictSame(await scene.mfa.app.mfa.currentUserDetails(alice.externalId, 'Alice Liddell'),
      { rpId: 'localhost', userId: userHandle, name: 'Alice Liddell', displayName: 'Alice Liddell' })
    t.strictSame(await scene.mfa.app.mfa.currentUserDetails(scene.newcomer('nobody'), 'Nobody'),
      { rpId: 'localhost', userId: null, name: 'Nobody', displayName: 'Nobody' })
    await t.rejects(scene.mfa.app.mfa.currentUserDetails('', 'x'), { code: 'FST_PASSKEY_MFA_ARGUMENT_INVALID' })
  })
})

t.test('refused sign-ins count against the client address', async (t) => {
  const events: AuditEvent[] = []
  const mfa = await buildMfaApp(t, { store: new MemoryStore(), passkeySignIn: true, limits: { failedAttemptsPerAddress: 2 }, onEvent: (event) => { events.push(event) } })
  const browser = new Browser(mfa.app)
  const statuses = []
  for (let attempt = 0; attempt < 3; attempt++) statuses.push((await browser.post(`${PREFIX}/sign-in`, { nonce: `bogus-${attempt}` })).statusCode)
  t.strictSame(statuses, [401, 401, 429])
  t.match(events.filter((event) => event.type === 'locked-out'), [{ scope: 'address' }])
})

t.test('passkey sign-in is off by default', async (t) => {
  const mfa = await buildMfaApp(t)
  const browser = new Browser(mfa.app)
  t.equal((await browser.post(`${PREFIX}/sign-in`, { nonce: 'x' })).statusCode, 404, 'no route')
  t.equal((await browser.get(`${PREFIX}/status`)).json().passkeySignIn, false)
  const start = await mfa.app.inject({ method: 'POST', url: `${PREFIX}${flexPath('authenticate', 'start')}`, payload: {} })
  t.match(start.json(), { statusCode: 400, code: 'FST_PASSKEY_MFA_BODY_INVALID' }, 'no passkey-first ceremony either')
  await t.rejects(buildMfaApp(t, { passkeySignIn: 'yes' as unknown as boolean }), { code: 'FST_PASSKEY_MFA_OPTIONS_INVALID', message: /passkeySignIn must be a boolean/ })
})

t.test('with the abuse limits on, a passkey sign-in succeeds and clears the address\'s count', async (t) => {
  const scene = await AttackScene.build(t, new MemoryStore(), { passkeySignIn: true, limits: { failedAttemptsPerAddress: 2 } })
  const alice = await scene.member('alice')
  const browser = new Browser(scene.mfa.app)
  t.strictSame((await browser.post(`${PREFIX}/sign-in`, { nonce: await discoverableNonce(scene, alice.authenticator) })).json(),
    { state: 'authenticated', auth_token: `token-for-${alice.externalId}` })
})
