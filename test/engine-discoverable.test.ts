/**
 * Passkey-first sign-in in the engine, on every store (invariant 16): an authentication start
 * without a transaction, finished by any user's discoverable passkey that the user verified, with
 * the user handle stored for it; its nonce names that user and no transaction.
 */
import t from 'tap'
import type { Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import Fastify from 'fastify'
import { engineRoutes } from '../src/engine/routes.js'
import { authenticateFinishBody, flexPath, post, register } from './helpers/ceremonies.js'
import { buildEngineApp } from './helpers/engine-app.js'
import type { EngineApp } from './helpers/engine-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import type { AssertionTweaks } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

/** A passkey-first ceremony over the engine routes: the start, and the finish body answered by `authenticator`. */
async function discover (app: EngineApp['app'], authenticator: SoftwareAuthenticator, tweaks?: AssertionTweaks) {
  const start = await post(app, flexPath('authenticate', 'start'), {})
  const { handshake } = start.json()
  const { transaction_id: _none, ...body } = authenticateFinishBody('', handshake.id, authenticator.get(handshake.challenge.publicKey, tweaks)) as Record<string, unknown>
  return { start, body, finish: async (): Promise<LightMyRequestResponse> => post(app, flexPath('authenticate', 'finish'), body) }
}

function assertCode (t: Test, response: LightMyRequestResponse, status: number, code: string): void {
  t.equal(response.statusCode, status, code)
  t.equal(response.json().code, code)
  t.notOk('nonce' in response.json(), 'no nonce')
}

eachStore(t, async (t, store) => {
  // `preferred` user verification: a passkey-first sign-in requires it all the same.
  const { app, engine, clock } = await buildEngineApp(t, { store, userVerification: 'preferred' })
  const enroll = async (externalId: string): Promise<SoftwareAuthenticator> => {
    const authenticator = new SoftwareAuthenticator()
    const { nonce } = await register(app, authenticator, await engine.createRegisterTransaction({ externalId, passkeyDisplayName: externalId }))
    await engine.verifyNonce(nonce as string)
    return authenticator
  }
  const alice = await enroll('alice')
  const bob = await enroll('bob')

  t.test('a start without a transaction allows any credential and requires user verification; the finish names the passkey\'s user', async (t) => {
    const ceremony = await discover(app, bob)
    t.equal(ceremony.start.statusCode, 200)
    const { handshake, ...rest } = ceremony.start.json()
    t.strictSame(rest, {}, 'no transaction_id')
    t.match(handshake.challenge.publicKey, { allowCredentials: [], userVerification: 'required', rpId: 'localhost' })
    t.ok(handshake.id.length >= 43, 'a 256-bit handshake ID: the ceremony\'s only handle')
    const finish = await ceremony.finish()
    t.equal(finish.statusCode, 200)
    const [passkey] = await engine.listPasskeys('bob')
    t.strictSame(await engine.redeemNonce(finish.json().nonce, { discoverable: true }), { externalId: 'bob', kind: 'authenticate', passkeyId: passkey!.id })
    t.ok((await engine.listPasskeys('bob'))[0]!.lastUsedAt, 'the use is recorded')
  })

  t.test('verifyNonce gives the passkey\'s user, as Passage\'s did', async (t) => {
    const finish = await (await discover(app, alice)).finish()
    t.equal(await engine.verifyNonce(finish.json().nonce), 'alice')
  })

  t.test('a missing or wrong user handle, and an unverified user, are rejected; the handshake is spent', async (t) => {
    for (const [name, tweaks] of [
      ['no user handle', { userHandle: null }],
      ['another user\'s handle', { userHandle: bob.credentials[0]!.userHandle }],
      ['a made-up handle', { userHandle: 'bm90LWEtdXNlcg' }],
      ['no user verification', { userVerified: false }]
    ] as Array<[string, AssertionTweaks]>) {
      const ceremony = await discover(app, alice, tweaks)
      assertCode(t, await ceremony.finish(), 401, 'FST_PASSKEY_MFA_AUTHENTICATION_REJECTED')
      assertCode(t, await ceremony.finish(), 400, 'FST_PASSKEY_MFA_HANDSHAKE_INVALID')
      t.comment(name)
    }
  })

  t.test('an unknown credential has its own code, for the Signal API', async (t) => {
    const stranger = new SoftwareAuthenticator()
    await register(app, stranger, await engine.createRegisterTransaction({ externalId: 'carol', passkeyDisplayName: 'carol' }))
    const [carols] = await engine.listPasskeys('carol')
    await engine.revokePasskey('carol', carols!.id)
    const finish = await (await discover(app, stranger)).finish()
    assertCode(t, finish, 401, 'FST_PASSKEY_MFA_CREDENTIAL_UNKNOWN')
    t.equal(finish.json().message, 'This passkey is not registered here')
  })

  t.test('a replay, and 10 parallel finishes of one handshake: one nonce', async (t) => {
    const ceremony = await discover(app, alice)
    const finishes = await Promise.all(Array.from({ length: 10 }, async () => ceremony.finish()))
    t.strictSame(finishes.map((finish) => finish.statusCode).sort(), [200, ...Array(9).fill(400)])
    assertCode(t, await ceremony.finish(), 400, 'FST_PASSKEY_MFA_HANDSHAKE_INVALID')
  })

  t.test('an expired handshake, and a handshake ID used as a transaction', async (t) => {
    const late = await discover(app, alice)
    clock.advance(2 * 60_000)
    assertCode(t, await late.finish(), 410, 'FST_PASSKEY_MFA_HANDSHAKE_EXPIRED')

    const { handshake } = (await post(app, flexPath('authenticate', 'start'), {})).json()
    assertCode(t, await post(app, flexPath('authenticate', 'start'), { transaction_id: handshake.id }), 404, 'FST_PASSKEY_MFA_TRANSACTION_NOT_FOUND')
    assertCode(t, await post(app, flexPath('register', 'start'), { transaction_id: handshake.id }), 404, 'FST_PASSKEY_MFA_TRANSACTION_NOT_FOUND')
    const asTransaction = authenticateFinishBody(handshake.id, handshake.id, alice.get(handshake.challenge.publicKey))
    assertCode(t, await post(app, flexPath('authenticate', 'finish'), asTransaction), 404, 'FST_PASSKEY_MFA_TRANSACTION_NOT_FOUND')
    await t.rejects(engine.completeAuthentication({ transactionId: handshake.id, externalId: 'alice', response: alice.get(handshake.challenge.publicKey) }),
      { code: 'FST_PASSKEY_MFA_TRANSACTION_NOT_FOUND' })
  })

  t.test('a transaction\'s nonce is no passkey-first one', async (t) => {
    const transactionId = await engine.createAuthenticateTransaction({ externalId: 'alice' })
    const start = await post(app, flexPath('authenticate', 'start'), { transaction_id: transactionId })
    const { handshake } = start.json()
    const { nonce } = (await post(app, flexPath('authenticate', 'finish'), authenticateFinishBody(transactionId, handshake.id, alice.get(handshake.challenge.publicKey)))).json()
    await t.rejects(engine.redeemNonce(nonce, { discoverable: true }), { code: 'FST_PASSKEY_MFA_NONCE_MISMATCH' })
  })
})

t.test('engine routes with passkey sign-in off refuse a start without a transaction', async (t) => {
  const { engine } = await buildEngineApp(t)
  const app = Fastify()
  await app.register(engineRoutes, { engine, passkeySignIn: false })
  t.teardown(async () => app.close())
  const refused = await post(app, flexPath('authenticate', 'start'), {})
  t.equal(refused.statusCode, 400)
  t.match(refused.json(), { code: 'FST_PASSKEY_MFA_BODY_INVALID', message: 'Invalid request: transaction_id is required: passkey sign-in is off' })
})
