import t from 'tap'
import { AttackScene } from './helpers/attack-scene.js'
import { flexPath, post, registerFinishBody } from './helpers/ceremonies.js'
import { PREFIX } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

// PostgreSQL cannot store a NUL character: a passkey ID, a passkey name or a transport holding one
// reached the store and came back as `503 FST_PASSKEY_MFA_STORE_UNAVAILABLE`, while memory and SQLite
// stored it. Such input is now refused the same way on every store, before it reaches one.

const PASSKEY_NOT_FOUND = { status: 404, code: 'FST_PASSKEY_MFA_PASSKEY_NOT_FOUND' }

eachStore(t, async (t, store) => {
  const scene = await AttackScene.build(t, store)
  const { engine } = scene.mfa

  t.test('a passkey ID with a NUL is an unknown passkey', async (t) => {
    const alice = await scene.confirmedMember('alice')
    const targets = { sessions: [alice.browser], users: [alice.externalId] }
    await scene.assertRefused(t, targets, async () => alice.browser.request('PATCH', `${PREFIX}/passkeys/%00`, { name: 'Laptop' }), PASSKEY_NOT_FOUND)
    await scene.assertRefused(t, targets, async () => alice.browser.request('DELETE', `${PREFIX}/passkeys/a%00b`), PASSKEY_NOT_FOUND)
    await t.rejects(engine.revokePasskey(alice.externalId, '\u0000'), { code: PASSKEY_NOT_FOUND.code }, 'also through the engine')
  })

  t.test('a passkey name with a control character is an invalid name', async (t) => {
    const alice = await scene.confirmedMember('alice')
    const [{ id }] = await engine.listPasskeys(alice.externalId)
    await scene.assertRefused(t, { sessions: [alice.browser], users: [alice.externalId] },
      async () => alice.browser.request('PATCH', `${PREFIX}/passkeys/${id}`, { name: 'Lap\u0000top' }),
      { status: 400, code: 'FST_PASSKEY_MFA_PASSKEY_NAME_INVALID' })
    await t.rejects(engine.renamePasskey(alice.externalId, id, 'Lap\ntop'), { code: 'FST_PASSKEY_MFA_PASSKEY_NAME_INVALID' }, 'also through the engine')
    t.equal((await alice.browser.request('PATCH', `${PREFIX}/passkeys/${id}`, { name: 'Laptop' })).statusCode, 200, 'a plain name is fine')
  })

  t.test('a transport with a NUL is an invalid registration body', async (t) => {
    const bob = scene.newcomer('bob')
    const browser = await scene.loggedIn(bob)
    const { transactionId } = (await browser.post(`${PREFIX}/register`)).json()
    const { handshake } = (await post(scene.engineRoutes, flexPath('register', 'start'), { transaction_id: transactionId })).json()
    const attestation = new SoftwareAuthenticator().create(handshake.challenge.publicKey)
    const body = registerFinishBody(transactionId, handshake.id, { ...attestation, response: { ...attestation.response, transports: ['internal\u0000'] } })

    await scene.assertRefused(t, { sessions: [browser], users: [bob] },
      async () => post(scene.engineRoutes, flexPath('register', 'finish'), body), { status: 400, code: 'FST_PASSKEY_MFA_BODY_INVALID' })
    const genuine = await post(scene.engineRoutes, flexPath('register', 'finish'), registerFinishBody(transactionId, handshake.id, attestation))
    t.equal((await browser.post(`${PREFIX}/verify`, { nonce: genuine.json().nonce })).statusCode, 200, 'the genuine answer still enrolls')
  })
})
