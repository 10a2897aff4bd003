/**
 * The two-request passkey step (`POST /authenticate` or `/register` answers the WebAuthn options,
 * `POST /verify { transactionId, response }` finishes it with no nonce), on every store, attacked as
 * the nonce path is: another session's transaction, an answer of the other kind, another user's
 * passkey, replays, parallel posts, and the address limit.
 */
import t from 'tap'
import type { Test } from 'tap'
import type { AuditEvent, NonceRecord, PasskeyStore, PasskeyUse } from '../src/index.js'
import { MemoryStore } from '../src/engine/stores/memory.js'
import { AttackScene } from './helpers/attack-scene.js'
import type { Browser } from './helpers/browser.js'
import { PREFIX } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

const MISMATCH = { status: 403, code: 'FST_PASSKEY_MFA_TRANSACTION_MISMATCH' }
const REJECTED = { status: 401, code: 'FST_PASSKEY_MFA_AUTHENTICATION_REJECTED' }

/** `POST /authenticate` in `browser`: the transaction ID and the options. */
async function begin (browser: Browser, kind: 'authenticate' | 'register' = 'authenticate', body?: object): Promise<{ transactionId: string, options: any }> {
  const answer = await browser.post(`${PREFIX}/${kind}`, body)
  if (answer.statusCode !== 200) throw new Error(`POST /${kind}: ${answer.body}`)
  return answer.json()
}

/** The nonces the engine asked `store` to write with passkey uses and adds, from now on. */
function watchNonces (t: Test, store: PasskeyStore): Array<NonceRecord | null> {
  const nonces: Array<NonceRecord | null> = []
  const { recordPasskeyUse, addPasskey } = store
  store.recordPasskeyUse = async (use: PasskeyUse, nonce: NonceRecord | null) => { nonces.push(nonce); return recordPasskeyUse.call(store, use, nonce) }
  store.addPasskey = async (passkey, nonce, firstOnly) => { nonces.push(nonce); return addPasskey.call(store, passkey, nonce, firstOnly) }
  t.teardown(() => { Object.assign(store, { recordPasskeyUse, addPasskey }) })
  return nonces
}

eachStore(t, async (t, store) => {
  const events: AuditEvent[] = []
  const scene = await AttackScene.build(t, store, { onEvent: (event) => { events.push(event) } })
  const eventsOf = (externalId: string): string[] => events.filter((event) => event.externalId === externalId).map(({ type }) => type)

  t.test('a sign-in in two requests: the options, then the assertion, and no nonce written', async (t) => {
    const alice = await scene.member('alice')
    const [passkey] = (await alice.browser.get(`${PREFIX}/passkeys`)).json().passkeys
    events.length = 0
    const browser = await scene.loggedIn(alice.externalId)
    const nonces = watchNonces(t, store)
    const { transactionId, options } = await begin(browser)
    t.match(options, { challenge: String, userVerification: 'required', allowCredentials: [{ id: alice.authenticator.credentials[0]!.idBase64url }] })
    const verified = await browser.post(`${PREFIX}/verify`, { transactionId, response: alice.authenticator.get(options) })
    t.strictSame(verified.json(), { state: 'authenticated', auth_token: `token-for-${alice.externalId}` })
    t.match((await browser.get(`${PREFIX}/status`)).json(), { state: 'authenticated', next: 'done' })
    t.strictSame(nonces, [null], 'the passkey use was recorded without a nonce')
    t.strictSame(eventsOf(alice.externalId), ['first-factor-completed', 'transaction-created', 'ceremony-succeeded'])
    t.match(events.at(-1), { type: 'ceremony-succeeded', kind: 'authenticate', passkeyId: passkey.id })
  })

  t.test('enrollment and a second passkey in two requests each; the user handle stays the same', async (t) => {
    const externalId = scene.newcomer('carol')
    const browser = await scene.loggedIn(externalId)
    const first = new SoftwareAuthenticator()
    const nonces = watchNonces(t, store)
    const enrollment = await begin(browser, 'register', { authenticatorAttachment: 'cross-platform' })
    t.match(enrollment.options, { authenticatorSelection: { authenticatorAttachment: 'cross-platform' }, excludeCredentials: [] })
    const enrolled = await browser.post(`${PREFIX}/verify`, { transactionId: enrollment.transactionId, response: first.create(enrollment.options) })
    t.strictSame(enrolled.json(), { state: 'authenticated', auth_token: `token-for-${externalId}` })
    t.match(events.filter((event) => event.externalId === externalId).map(({ type }) => type), ['first-factor-completed', 'transaction-created', 'ceremony-succeeded', 'passkey-added'])

    const stepUp = await begin(browser)
    t.strictSame((await browser.post(`${PREFIX}/verify`, { transactionId: stepUp.transactionId, response: first.get(stepUp.options) })).json(),
      { state: 'authenticated' }, 'a step-up issues no token')
    const adding = await begin(browser, 'register')
    t.equal(adding.options.authenticatorSelection.authenticatorAttachment, undefined, 'any authenticator by default')
    t.strictSame(adding.options.excludeCredentials.map(({ id }: { id: string }) => id), [first.credentials[0]!.idBase64url])
    t.equal(adding.options.user.id, enrollment.options.user.id, 'the user handle of the first passkey')
    const added = await browser.post(`${PREFIX}/verify`, { transactionId: adding.transactionId, response: new SoftwareAuthenticator().create(adding.options) })
    t.strictSame(added.json(), { state: 'authenticated' })
    t.equal((await browser.get(`${PREFIX}/passkeys`)).json().passkeys.length, 2)
    t.strictSame(nonces, [null, null, null], 'no nonce written')

    const noBody = await (await scene.loggedIn(scene.newcomer('gina'))).request('POST', `${PREFIX}/register`)
    t.equal(noBody.statusCode, 200, 'a registration without a body (no Content-Type) takes any authenticator')
    t.equal(noBody.json().options.authenticatorSelection.authenticatorAttachment, undefined)
  })

  t.test('another session\'s transaction and answer are refused, and not spent', async (t) => {
    const alice = await scene.member('alice')
    const bob = await scene.member('bob')
    const aliceSession = await scene.loggedIn(alice.externalId)
    await begin(aliceSession)
    const bobSession = await scene.loggedIn(bob.externalId)
    const bobs = await begin(bobSession)
    const body = { transactionId: bobs.transactionId, response: bob.authenticator.get(bobs.options) }
    await scene.assertRefused(t, { sessions: [aliceSession, bobSession], users: [alice.externalId, bob.externalId] },
      async () => aliceSession.post(`${PREFIX}/verify`, body), MISMATCH)
    t.strictSame((await bobSession.post(`${PREFIX}/verify`, body)).json(), { state: 'authenticated', auth_token: `token-for-${bob.externalId}` },
      'bob\'s step still completes')
  })

  t.test('an answer of the other kind is refused before anything is spent', async (t) => {
    const alice = await scene.member('alice')
    const browser = await scene.loggedIn(alice.externalId)
    const { transactionId, options } = await begin(browser)
    const elsewhere = await scene.loggedIn(scene.newcomer('erin'))
    const registration = new SoftwareAuthenticator().create((await begin(elsewhere, 'register')).options)
    const refused = await scene.assertRefused(t, { sessions: [browser], users: [alice.externalId] },
      async () => browser.post(`${PREFIX}/verify`, { transactionId, response: registration }), { status: 400, code: 'FST_PASSKEY_MFA_BODY_INVALID' })
    t.equal(refused.json().message, 'Invalid request: response must answer an authentication')
    t.equal((await browser.post(`${PREFIX}/verify`, { transactionId, response: alice.authenticator.get(options) })).statusCode, 200, 'the transaction was not spent')

    const newcomer = await scene.loggedIn(scene.newcomer('dave'))
    const enrollment = await begin(newcomer, 'register')
    const assertion = alice.authenticator.get({ ...options, allowCredentials: [] })
    const wrongKind = await newcomer.post(`${PREFIX}/verify`, { transactionId: enrollment.transactionId, response: assertion })
    t.match(wrongKind.json(), { statusCode: 400, message: 'Invalid request: response must answer a registration' })
    t.equal((await newcomer.post(`${PREFIX}/verify`, { transactionId: enrollment.transactionId, response: new SoftwareAuthenticator().create(enrollment.options) })).statusCode, 200)
  })

  t.test('a thief with the first-factor cookie and his own passkey is rejected, and the transaction is spent', async (t) => {
    const alice = await scene.member('alice')
    const mallory = await scene.member('mallory')
    const stolen = await scene.loggedIn(alice.externalId)
    const { transactionId, options } = await begin(stolen)
    events.length = 0
    await scene.assertRefused(t, { sessions: [stolen], users: [alice.externalId, mallory.externalId] },
      async () => stolen.post(`${PREFIX}/verify`, { transactionId, response: mallory.authenticator.get({ ...options, allowCredentials: [] }) }), REJECTED)
    t.match(events, [{ type: 'ceremony-failed', kind: 'authenticate', externalId: alice.externalId, code: REJECTED.code, reason: 'credential' }])
    const late = await stolen.post(`${PREFIX}/verify`, { transactionId, response: alice.authenticator.get(options) })
    t.match(late.json(), { statusCode: 404, code: 'FST_PASSKEY_MFA_TRANSACTION_NOT_FOUND' }, 'spent by the refusal')
  })

  t.test('replays: after success, into a new transaction, and another user\'s signature', async (t) => {
    const alice = await scene.member('alice')
    const browser = await scene.loggedIn(alice.externalId)
    const first = await begin(browser)
    const body = { transactionId: first.transactionId, response: alice.authenticator.get(first.options) }
    t.equal((await browser.post(`${PREFIX}/verify`, body)).statusCode, 200)
    t.match((await browser.post(`${PREFIX}/verify`, body)).json(), { statusCode: 401, code: 'FST_PASSKEY_MFA_STATE_INVALID' }, 'no transaction is pending any more')

    const second = await begin(browser)
    await scene.assertRefused(t, { sessions: [browser], users: [alice.externalId] },
      async () => browser.post(`${PREFIX}/verify`, body), MISMATCH)
    await scene.assertRefused(t, { sessions: [browser], users: [alice.externalId] },
      async () => browser.post(`${PREFIX}/verify`, { ...body, transactionId: second.transactionId }), REJECTED)
  })

  t.test('10 parallel posts of one answer: one completes, one token', async (t) => {
    const alice = await scene.member('alice')
    const browser = await scene.loggedIn(alice.externalId)
    const { transactionId, options } = await begin(browser)
    const body = { transactionId, response: alice.authenticator.get(options) }
    const issued = scene.mfa.issued.length
    const answers = await Promise.all(Array.from({ length: 10 }, async () => browser.post(`${PREFIX}/verify`, body)))
    t.strictSame(answers.map((answer) => answer.statusCode).sort(), [200, ...Array(9).fill(404)])
    t.equal(scene.mfa.issued.length, issued + 1, 'one token issued')
  })
})

t.test('failed answers count against the client address', async (t) => {
  const events: AuditEvent[] = []
  const scene = await AttackScene.build(t, new MemoryStore(), {
    limits: { failedAttemptsPerAddress: 2 }, onEvent: (event) => { events.push(event) }
  })
  const alice = await scene.member('alice')
  const mallory = await scene.member('mallory')
  const statuses = []
  for (let attempt = 0; attempt < 3; attempt++) {
    const stolen = await scene.loggedIn(alice.externalId)
    const { transactionId, options } = await begin(stolen)
    statuses.push((await stolen.post(`${PREFIX}/verify`, { transactionId, response: mallory.authenticator.get({ ...options, allowCredentials: [] }) })).statusCode)
  }
  t.strictSame(statuses, [401, 401, 429])
  t.match(events.filter((event) => event.type === 'locked-out'), [{ scope: 'address' }])
})

t.test('with the abuse limits on, the two-request step completes', async (t) => {
  const scene = await AttackScene.build(t, new MemoryStore(), { limits: { failedAttemptsPerAddress: 2 } })
  const alice = await scene.member('alice')
  const browser = await scene.loggedIn(alice.externalId)
  const { transactionId, options } = await begin(browser)
  t.strictSame((await browser.post(`${PREFIX}/verify`, { transactionId, response: alice.authenticator.get(options) })).json(),
    { state: 'authenticated', auth_token: `token-for-${alice.externalId}` })
})
