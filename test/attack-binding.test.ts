import t from 'tap'
import { AttackScene } from './helpers/attack-scene.js'
import { PREFIX, authenticatePasskey, registerPasskey } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

// Invariant 2 on every store: a genuine nonce, redeemed by a session it was not issued for. Each
// claim checked on its own, restarted transactions and the nonce being spent by a refusal are
// pinned on the memory store by mfa-nonce-binding.

const MISMATCH = { status: 403, code: 'FST_PASSKEY_MFA_NONCE_MISMATCH' }

eachStore(t, async (t, store) => {
  const scene = await AttackScene.build(t, store)

  t.test('user A\'s nonce in user B\'s session', async (t) => {
    const alice = await scene.member('alice')
    const bob = await scene.member('bob')
    const aliceNonce = await authenticatePasskey(scene.mfa, await scene.loggedIn(alice.externalId), alice.authenticator)
    const { browser: bobSession } = await scene.pending(bob.externalId)

    await scene.assertRefused(t, { sessions: [bobSession], users: [alice.externalId, bob.externalId] },
      async () => bobSession.post(`${PREFIX}/verify`, { nonce: aliceNonce }), MISMATCH)
    t.same((await scene.authenticateAndVerify(bobSession, bob.authenticator)).json(), { state: 'authenticated', auth_token: `token-for-${bob.externalId}` },
      'bob\'s own passkey step still completes, with bob\'s token')
  })

  t.test('a nonce from one session of the same user in another session', async (t) => {
    const alice = await scene.member('alice')
    const first = await scene.loggedIn(alice.externalId)
    const nonce = await authenticatePasskey(scene.mfa, first, alice.authenticator)
    const { browser: second } = await scene.pending(alice.externalId)

    await scene.assertRefused(t, { sessions: [first, second], users: [alice.externalId] },
      async () => second.post(`${PREFIX}/verify`, { nonce }), MISMATCH)
    t.equal((await scene.authenticateAndVerify(second, alice.authenticator)).statusCode, 200, 'the second session\'s own step still completes')
  })

  t.test('a register nonce at the authenticate step', async (t) => {
    const alice = await scene.confirmedMember('alice')
    const registerNonce = await registerPasskey(scene.mfa, alice.browser, new SoftwareAuthenticator())
    const { browser: waiting } = await scene.pending(alice.externalId)

    await scene.assertRefused(t, { sessions: [alice.browser, waiting], users: [alice.externalId] },
      async () => waiting.post(`${PREFIX}/verify`, { nonce: registerNonce }), MISMATCH)
    t.equal((await scene.authenticateAndVerify(waiting, alice.authenticator)).statusCode, 200, 'the genuine passkey step still completes')
  })
})
