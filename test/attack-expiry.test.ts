import t from 'tap'
import { AttackScene } from './helpers/attack-scene.js'
import { authenticateFinishBody, flexPath, post } from './helpers/ceremonies.js'
import { PREFIX, authenticatePasskey } from './helpers/mfa-app.js'
import type { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

// Late answers through the plugin's routes, with the engine's clock moved past each lifetime.
// An expired pending state (the passkey step's deadline) is pinned on every store by
// mfa-guard-states ('anonymous: the passkey step expired, its nonce in hand').

const MINUTE = 60_000
const CEREMONY_TIMEOUT_MS = 2 * MINUTE
const TRANSACTION_LIFETIME_MS = 5 * MINUTE
const NONCE_LIFETIME_MS = MINUTE

eachStore(t, async (t, store) => {
  const scene = await AttackScene.build(t, store)
  const { clock } = scene.mfa

  /** Starts the ceremony of `transactionId` and signs its challenge now; returns the finish body, to send later. */
  const signedNow = async (transactionId: string, authenticator: SoftwareAuthenticator): Promise<object> => {
    const { handshake } = (await post(scene.engineRoutes, flexPath('authenticate', 'start'), { transaction_id: transactionId })).json()
    return authenticateFinishBody(transactionId, handshake.id, authenticator.get(handshake.challenge.publicKey))
  }

  t.test('an assertion sent after its challenge expired', async (t) => {
    const alice = await scene.member('alice')
    const { browser, transactionId } = await scene.pending(alice.externalId)
    const late = await signedNow(transactionId, alice.authenticator)
    clock.advance(CEREMONY_TIMEOUT_MS)

    await scene.assertRefused(t, { sessions: [browser], users: [alice.externalId] },
      async () => post(scene.engineRoutes, flexPath('authenticate', 'finish'), late), { status: 410, code: 'FST_PASSKEY_MFA_HANDSHAKE_EXPIRED' })
    t.equal((await scene.authenticateAndVerify(browser, alice.authenticator)).statusCode, 200, 'a new passkey step in time still completes')
  })

  // In a sign-in the session's deadline (5 minutes after the first factor) passes before the
  // transaction's (5 minutes after it was created); a step-up check lets the transaction outlive it.
  t.test('an assertion sent after its transaction expired (step-up check)', async (t) => {
    const alice = await scene.member('alice')
    const { transactionId } = (await alice.browser.post(`${PREFIX}/authenticate`)).json()
    clock.advance(TRANSACTION_LIFETIME_MS - MINUTE)
    const late = await signedNow(transactionId, alice.authenticator)
    clock.advance(MINUTE)

    await scene.assertRefused(t, { sessions: [alice.browser], users: [alice.externalId] },
      async () => post(scene.engineRoutes, flexPath('authenticate', 'finish'), late), { status: 410, code: 'FST_PASSKEY_MFA_TRANSACTION_EXPIRED' })
    t.equal((await alice.browser.get('/sensitive')).statusCode, 401, 'no recent passkey check was recorded')
    t.equal((await scene.authenticateAndVerify(alice.browser, alice.authenticator)).statusCode, 200, 'a new step-up check still completes')
    t.equal((await alice.browser.get('/sensitive')).statusCode, 200)
  })

  t.test('a nonce redeemed after it expired', async (t) => {
    const alice = await scene.member('alice')
    const browser = await scene.loggedIn(alice.externalId)
    const nonce = await authenticatePasskey(scene.mfa, browser, alice.authenticator)
    clock.advance(NONCE_LIFETIME_MS)

    await scene.assertRefused(t, { sessions: [browser], users: [alice.externalId] },
      async () => browser.post(`${PREFIX}/verify`, { nonce }), { status: 410, code: 'FST_PASSKEY_MFA_NONCE_EXPIRED' })
    t.equal((await scene.authenticateAndVerify(browser, alice.authenticator)).statusCode, 200, 'a new passkey step in time still completes')
  })
})
