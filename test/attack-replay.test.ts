import t from 'tap'
import { AttackScene } from './helpers/attack-scene.js'
import { authenticate, flexPath, post, register } from './helpers/ceremonies.js'
import { PREFIX, authenticatePasskey } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

// Replays through the plugin's routes. The engine's own checks are pinned one level down by
// engine-transactions ('a replayed finish') and engine-nonces ('a nonce is single-use').

const TRANSACTION_NOT_FOUND = { status: 404, code: 'FST_PASSKEY_MFA_TRANSACTION_NOT_FOUND' }

/** A captured finish body aimed at another transaction and handshake. */
function reaimed (captured: object, transactionId: string, handshakeId: string): object {
  return { ...captured, transaction_id: transactionId, handshake_id: handshakeId }
}

eachStore(t, async (t, store) => {
  const scene = await AttackScene.build(t, store)

  t.test('a captured assertion replayed after the sign-in it completed', async (t) => {
    const alice = await scene.member('alice')
    const victim = await scene.pending(alice.externalId)
    const captured = await authenticate(scene.engineRoutes, alice.authenticator, victim.transactionId)
    t.equal((await victim.browser.post(`${PREFIX}/verify`, { nonce: captured.nonce })).statusCode, 200)

    await scene.assertRefused(t, { sessions: [victim.browser], users: [alice.externalId] },
      async () => post(scene.engineRoutes, flexPath('authenticate', 'finish'), captured.body), TRANSACTION_NOT_FOUND)
    t.equal((await scene.authenticateAndVerify(await scene.loggedIn(alice.externalId), alice.authenticator)).statusCode, 200,
      'alice still signs in')
  })

  t.test('a captured assertion replayed into the attacker\'s own transaction for the same user', async (t) => {
    const alice = await scene.member('alice')
    const victim = await scene.pending(alice.externalId)
    const captured = await authenticate(scene.engineRoutes, alice.authenticator, victim.transactionId)
    const attacker = await scene.pending(alice.externalId)
    const { handshake } = (await post(scene.engineRoutes, flexPath('authenticate', 'start'), { transaction_id: attacker.transactionId })).json()

    await scene.assertRefused(t, { sessions: [victim.browser, attacker.browser], users: [alice.externalId] },
      async () => post(scene.engineRoutes, flexPath('authenticate', 'finish'), reaimed(captured.body, attacker.transactionId, handshake.id)),
      { status: 401, code: 'FST_PASSKEY_MFA_AUTHENTICATION_REJECTED' })
    t.equal((await victim.browser.post(`${PREFIX}/verify`, { nonce: captured.nonce })).statusCode, 200, 'the victim\'s own step still completes')
  })

  t.test('a captured attestation replayed after the enrollment it completed', async (t) => {
    const bob = scene.newcomer('bob')
    const victim = await scene.loggedIn(bob)
    const { transactionId } = (await victim.post(`${PREFIX}/register`)).json()
    const authenticator = new SoftwareAuthenticator()
    const captured = await register(scene.engineRoutes, authenticator, transactionId)
    t.equal((await victim.post(`${PREFIX}/verify`, { nonce: captured.nonce })).statusCode, 200)

    await scene.assertRefused(t, { sessions: [victim], users: [bob] },
      async () => post(scene.engineRoutes, flexPath('register', 'finish'), captured.body), TRANSACTION_NOT_FOUND)
    await scene.authenticateAndVerify(victim, authenticator)
    t.equal((await scene.registerAndVerify(victim)).statusCode, 200, 'bob, signed in, still adds a passkey')
  })

  t.test('a captured attestation replayed into the attacker\'s own enrollment', async (t) => {
    const bob = scene.newcomer('bob')
    const victim = await scene.loggedIn(bob)
    const { transactionId } = (await victim.post(`${PREFIX}/register`)).json()
    const captured = await register(scene.engineRoutes, new SoftwareAuthenticator(), transactionId)
    const mallory = scene.newcomer('mallory')
    const attacker = await scene.loggedIn(mallory)
    const own = (await attacker.post(`${PREFIX}/register`)).json().transactionId
    const { handshake } = (await post(scene.engineRoutes, flexPath('register', 'start'), { transaction_id: own })).json()

    await scene.assertRefused(t, { sessions: [victim, attacker], users: [bob, mallory] },
      async () => post(scene.engineRoutes, flexPath('register', 'finish'), reaimed(captured.body, own, handshake.id)),
      { status: 400, code: 'FST_PASSKEY_MFA_REGISTRATION_REJECTED' })
    t.equal((await victim.post(`${PREFIX}/verify`, { nonce: captured.nonce })).statusCode, 200, 'bob\'s own enrollment still completes')
  })

  t.test('a redeemed nonce replayed from a saved copy of the pending cookie', async (t) => {
    const alice = await scene.member('alice')
    const victim = await scene.loggedIn(alice.externalId)
    const nonce = await authenticatePasskey(scene.mfa, victim, alice.authenticator)
    const saved = victim.clone()
    t.equal((await victim.post(`${PREFIX}/verify`, { nonce })).statusCode, 200)

    await scene.assertRefused(t, { sessions: [victim, saved], users: [alice.externalId] },
      async () => saved.post(`${PREFIX}/verify`, { nonce }), { status: 401, code: 'FST_PASSKEY_MFA_NONCE_INVALID' })
    t.equal((await saved.get('/protected')).statusCode, 401, 'the saved copy stays locked out')
  })
})
