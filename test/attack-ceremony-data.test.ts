import t from 'tap'
import type { Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { AttackScene } from './helpers/attack-scene.js'
import type { Refusal } from './helpers/attack-scene.js'
import type { Browser } from './helpers/browser.js'
import { authenticate, authenticateFinishBody, flexPath, post, register, registerFinishBody } from './helpers/ceremonies.js'
import { PREFIX } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import type { AssertionTweaks, RegistrationTweaks } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

// Forged ceremony data in a passkey step the attacker runs through the plugin's routes. The same
// forgeries (and more) are refused one level down, by the engine alone, in
// engine-authentication-rejections and engine-registration-rejections.

const ASSERTION_REJECTED = { status: 401, code: 'FST_PASSKEY_MFA_AUTHENTICATION_REJECTED' }
const ATTESTATION_REJECTED = { status: 400, code: 'FST_PASSKEY_MFA_REGISTRATION_REJECTED' }
const BODY_INVALID = { status: 400, code: 'FST_PASSKEY_MFA_BODY_INVALID' }

/** A credential whose ID is 1024 bytes, one over the WebAuthn maximum. */
const oversized = new SoftwareAuthenticator()
oversized.create({
  challenge: 'AAAA', rp: { id: 'localhost', name: 'x' }, user: { id: 'AAAA', name: 'x', displayName: 'x' },
  pubKeyCredParams: [{ type: 'public-key', alg: -7 }]
}, { credentialId: Buffer.alloc(1024, 1) })

const ASSERTIONS: Array<[string, AssertionTweaks, Refusal]> = [
  ['webauthn.create client data in an authenticate step', { type: 'webauthn.create' }, ASSERTION_REJECTED],
  ['an assertion over the RP ID hash of another domain', { rpId: 'evil.example' }, ASSERTION_REJECTED],
  ['an assertion without user verification, which is required', { userVerified: false }, ASSERTION_REJECTED],
  ['an assertion without user presence', { userPresent: false }, ASSERTION_REJECTED],
  ['an assertion with a credential ID over 1023 bytes', { credential: oversized.credentials[0] }, BODY_INVALID]
]

const ATTESTATIONS: Array<[string, RegistrationTweaks, Refusal]> = [
  ['webauthn.get client data in a register step', { type: 'webauthn.get' }, ATTESTATION_REJECTED],
  ['an attestation over the RP ID hash of another domain', { rpId: 'evil.example' }, ATTESTATION_REJECTED],
  ['an attestation without user verification, which is required', { userVerified: false }, ATTESTATION_REJECTED],
  ['an attestation without user presence', { userPresent: false }, ATTESTATION_REJECTED],
  ['an attestation with a credential ID over 1023 bytes', { credentialId: Buffer.alloc(1024, 2) }, BODY_INVALID]
]

eachStore(t, async (t, store) => {
  const scene = await AttackScene.build(t, store)

  for (const [name, tweaks, expected] of ASSERTIONS) {
    t.test(name, async (t) => {
      const alice = await scene.member('alice')
      const { browser, transactionId } = await scene.pending(alice.externalId)
      await scene.assertRefused(t, { sessions: [browser], users: [alice.externalId] },
        async () => (await authenticate(scene.engineRoutes, alice.authenticator, transactionId, tweaks)).finish, expected)
      t.equal((await scene.authenticateAndVerify(browser, alice.authenticator)).statusCode, 200, 'the genuine passkey step still completes')
    })
  }

  for (const [name, tweaks, expected] of ATTESTATIONS) {
    t.test(name, async (t) => {
      const bob = scene.newcomer('bob')
      const browser = await scene.loggedIn(bob)
      const { transactionId } = (await browser.post(`${PREFIX}/register`)).json()
      await scene.assertRefused(t, { sessions: [browser], users: [bob] },
        async () => (await register(scene.engineRoutes, new SoftwareAuthenticator(), transactionId, tweaks)).finish, expected)
      t.equal((await scene.registerAndVerify(browser)).statusCode, 200, 'the genuine enrollment still completes')
    })
  }

  t.test('the challenge of authenticate transaction A answered with transaction B', async (t) => {
    const alice = await scene.member('alice')
    const [a, b] = [await scene.pending(alice.externalId), await scene.pending(alice.externalId)]
    const [startA, startB] = await Promise.all([a, b].map(async ({ transactionId }) => startCeremony('authenticate', transactionId)))
    const assertion = alice.authenticator.get(startA.challenge.publicKey)

    await scene.assertRefused(t, { sessions: [a.browser, b.browser], users: [alice.externalId] },
      async () => post(scene.engineRoutes, flexPath('authenticate', 'finish'), authenticateFinishBody(b.transactionId, startB.id, assertion)),
      ASSERTION_REJECTED)
    await assertAnswerStillCompletes(t, a.browser,
      await post(scene.engineRoutes, flexPath('authenticate', 'finish'), authenticateFinishBody(a.transactionId, startA.id, assertion)))
  })

  t.test('the challenge of register transaction A answered with transaction B', async (t) => {
    const bob = scene.newcomer('bob')
    const [a, b] = [await scene.loggedIn(bob), await scene.loggedIn(bob)]
    const [idA, idB] = await Promise.all([a, b].map(async (browser) => (await browser.post(`${PREFIX}/register`)).json().transactionId as string))
    const [startA, startB] = await Promise.all([idA, idB].map(async (transactionId) => startCeremony('register', transactionId)))
    const attestation = new SoftwareAuthenticator().create(startA.challenge.publicKey)

    await scene.assertRefused(t, { sessions: [a, b], users: [bob] },
      async () => post(scene.engineRoutes, flexPath('register', 'finish'), registerFinishBody(idB, startB.id, attestation)),
      ATTESTATION_REJECTED)
    await assertAnswerStillCompletes(t, a,
      await post(scene.engineRoutes, flexPath('register', 'finish'), registerFinishBody(idA, startA.id, attestation)))
  })

  /** Starts the ceremony of `transactionId`; returns its handshake (ID and WebAuthn options). */
  async function startCeremony (ceremony: 'register' | 'authenticate', transactionId: string): Promise<{ id: string, challenge: { publicKey: any } }> {
    return (await post(scene.engineRoutes, flexPath(ceremony, 'start'), { transaction_id: transactionId })).json().handshake
  }

  /** The same answer, sent for the transaction it was made for, gives a nonce that completes `browser`'s step. */
  async function assertAnswerStillCompletes (t: Test, browser: Browser, finish: LightMyRequestResponse): Promise<void> {
    t.equal(finish.statusCode, 200, 'the answer is accepted for its own transaction')
    t.equal((await browser.post(`${PREFIX}/verify`, { nonce: finish.json().nonce })).statusCode, 200, 'and completes its session\'s step')
  }
})
