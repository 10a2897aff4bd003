import t from 'tap'
import type { Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { AttackScene } from './helpers/attack-scene.js'
import type { Member, Refusal } from './helpers/attack-scene.js'
import type { Browser } from './helpers/browser.js'
import { authenticateFinishBody, flexPath, post } from './helpers/ceremonies.js'
import { PREFIX, authenticatePasskey, signUp } from './helpers/mfa-app.js'
import { passkeySnapshot } from './helpers/snapshot.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

// Hostile request bodies, IDs and cookies at the plugin's routes. The engine routes' schema
// checks (missing fields, wrong types, 64 KiB, form data) are pinned by engine-routes-input.

const BODY_INVALID = { status: 400, code: 'FST_PASSKEY_MFA_BODY_INVALID' }
const BODY_TOO_LARGE = { status: 413, code: 'FST_PASSKEY_MFA_BODY_TOO_LARGE' }

/** A passkey step in flight: alice's pending session and its nonce, and the signed, unsent finish body of another ceremony of hers. */
interface PendingStep {
  alice: Member
  browser: Browser
  nonce: string
  finish: object
}

/** `json` (a JSON object's text) with `member` (`"key":value`) spliced in as its first member. */
function withMember (json: string, member: string): string {
  return `{${member},${json.slice(1)}`
}

eachStore(t, async (t, store) => {
  const scene = await AttackScene.build(t, store)

  /** A new member alice with a {@link PendingStep}. */
  async function pendingStep (): Promise<PendingStep> {
    const alice = await scene.member('alice')
    const browser = await scene.loggedIn(alice.externalId)
    const nonce = await authenticatePasskey(scene.mfa, browser, alice.authenticator)
    const { transactionId } = await scene.pending(alice.externalId)
    const { handshake } = (await post(scene.engineRoutes, flexPath('authenticate', 'start'), { transaction_id: transactionId })).json()
    const finish = authenticateFinishBody(transactionId, handshake.id, alice.authenticator.get(handshake.challenge.publicKey))
    return { alice, browser, nonce, finish }
  }

  /** POSTs raw JSON text to the ceremony finish. */
  const sendFinish = async (json: string) => scene.mfa.app.inject({
    method: 'POST', url: `${PREFIX}${flexPath('authenticate', 'finish')}`, payload: json, headers: { 'content-type': 'application/json' }
  })
  /** POSTs raw JSON text to `/verify` from `browser`. */
  const sendVerify = async (browser: Browser, json: string) => browser.request('POST', `${PREFIX}/verify`, json, { 'content-type': 'application/json' })

  /** The nonce and the unsent finish body of the step survived the attacks: both still complete. */
  async function assertStepSurvived (t: Test, { browser, nonce, finish }: PendingStep): Promise<void> {
    t.equal((await post(scene.engineRoutes, flexPath('authenticate', 'finish'), finish)).statusCode, 200, 'the genuine ceremony answer still finishes')
    t.equal((await browser.post(`${PREFIX}/verify`, { nonce })).statusCode, 200, 'the genuine nonce still completes the step')
  }

  t.test('oversized bodies', async (t) => {
    const step = await pendingStep()
    const targets = { sessions: [step.browser], users: [step.alice.externalId] }
    const attacks: Array<[string, () => Promise<LightMyRequestResponse>]> = [
      ['POST /verify, over 1 MiB', async () => step.browser.post(`${PREFIX}/verify`, { nonce: step.nonce, pad: 'x'.repeat(1 << 20) })],
      ['the ceremony finish, over 64 KiB', async () => post(scene.engineRoutes, flexPath('authenticate', 'finish'), { ...step.finish, pad: 'x'.repeat(64 << 10) })]
    ]
    for (const [name, attack] of attacks) await t.test(name, async (t) => scene.assertRefused(t, targets, attack, BODY_TOO_LARGE))
    await assertStepSurvived(t, step)
  })

  for (const [key, poison] of [['__proto__', '"__proto__":{"admin":true}'], ['constructor', '"constructor":{"prototype":{"admin":true}}']]) {
    t.test(`${key} keys in request bodies`, async (t) => {
      const step = await pendingStep()
      const [passkey] = await scene.mfa.engine.listPasskeys(step.alice.externalId)
      const finish = JSON.stringify(step.finish)
      const targets = { sessions: [step.browser, step.alice.browser], users: [step.alice.externalId] }
      const attacks: Array<[string, () => Promise<LightMyRequestResponse>]> = [
        ['POST /verify', async () => sendVerify(step.browser, withMember(JSON.stringify({ nonce: step.nonce }), poison))],
        ['the ceremony finish', async () => sendFinish(withMember(finish, poison))],
        ['the ceremony finish, nested in the WebAuthn response', async () => sendFinish(finish.replace('"response":{', `"response":{${poison},`))],
        ['PATCH /passkeys/:id', async () => step.alice.browser.request('PATCH', `${PREFIX}/passkeys/${passkey.id}`, withMember('{"name":"Mine"}', poison), { 'content-type': 'application/json' })]
      ]
      for (const [name, attack] of attacks) await t.test(name, async (t) => scene.assertRefused(t, targets, attack, BODY_INVALID))
      await assertStepSurvived(t, step)
    })
  }

  t.test('a nonce, transaction ID or passkey ID spelled __proto__ or constructor', async (t) => {
    const alice = await scene.confirmedMember('alice')
    const { browser } = await scene.pending(alice.externalId)
    const targets = { sessions: [browser, alice.browser], users: [alice.externalId] }
    for (const key of ['__proto__', 'constructor']) {
      const attacks: Array<[string, () => Promise<LightMyRequestResponse>, Refusal]> = [
        ['POST /verify', async () => browser.post(`${PREFIX}/verify`, { nonce: key }), { status: 401, code: 'FST_PASSKEY_MFA_NONCE_INVALID' }],
        ['the ceremony start', async () => post(scene.engineRoutes, flexPath('authenticate', 'start'), { transaction_id: key }), { status: 404, code: 'FST_PASSKEY_MFA_TRANSACTION_NOT_FOUND' }],
        ['PATCH /passkeys/:id', async () => alice.browser.request('PATCH', `${PREFIX}/passkeys/${key}`, { name: 'Mine' }), { status: 404, code: 'FST_PASSKEY_MFA_PASSKEY_NOT_FOUND' }],
        ['DELETE /passkeys/:id', async () => alice.browser.request('DELETE', `${PREFIX}/passkeys/${key}`), { status: 404, code: 'FST_PASSKEY_MFA_PASSKEY_NOT_FOUND' }]
      ]
      for (const [name, attack, expected] of attacks) await t.test(`${key}: ${name}`, async (t) => scene.assertRefused(t, targets, attack, expected))
    }
    t.equal((await scene.authenticateAndVerify(browser, alice.authenticator)).statusCode, 200, 'the genuine passkey step still completes')
  })

  t.test('users named __proto__ and constructor are ordinary users', async (t) => {
    const alice = await scene.member('alice')
    const before = await passkeySnapshot(store, alice.externalId)
    for (const externalId of ['__proto__', 'constructor']) {
      const browser = await signUp(scene.mfa, externalId, new SoftwareAuthenticator())
      t.same((await browser.get('/protected')).json(), { externalId }, `${externalId} signed up and passes the guard as itself`)
      t.equal((await browser.get(`${PREFIX}/passkeys`)).json().passkeys.length, 1, `${externalId} sees its one passkey`)
    }
    t.same(await passkeySnapshot(store, alice.externalId), before, 'alice\'s passkeys did not change')
    t.same((await alice.browser.get('/protected')).json(), { externalId: alice.externalId }, 'alice is still herself')
  })

  t.test('cookies named __proto__ and constructor beside the session cookie', async (t) => {
    const alice = await scene.member('alice')
    const session = `passkey_mfa=${alice.browser.cookies.get('passkey_mfa') as string}`
    const guarded = async (cookie: string) => scene.mfa.app.inject({ method: 'GET', url: '/protected', headers: { cookie } })
    t.same((await guarded(`__proto__=x; constructor=y; ${session}`)).json(), { externalId: alice.externalId }, 'the session is read as it is')
    const alone = await guarded('__proto__=passkey_mfa; constructor=passkey_mfa')
    t.equal(alone.statusCode, 401)
    t.equal(alone.json().code, 'FST_PASSKEY_MFA_NOT_AUTHENTICATED', 'without the session cookie, no session')
  })
})
