import t from 'tap'
import { authenticateFinishBody, flexPath, post, register, registerFinishBody } from './helpers/ceremonies.js'
import { buildEngineApp } from './helpers/engine-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

const PARALLEL = 10

eachStore(t, async (t, store) => {
  const { app, engine } = await buildEngineApp(t, { store })

  t.test(`${PARALLEL} parallel finishes of one registration handshake store one passkey`, async (t) => {
    const transactionId = await engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'alice' })
    const { handshake } = (await post(app, flexPath('register', 'start'), { transaction_id: transactionId })).json()
    const authenticator = new SoftwareAuthenticator()
    const bodies = Array.from({ length: PARALLEL }, () =>
      registerFinishBody(transactionId, handshake.id, authenticator.create(handshake.challenge.publicKey, { credentialId: Buffer.alloc(16, 1) })))
    const finishes = await Promise.all(bodies.map(async (body) => post(app, flexPath('register', 'finish'), body)))
    t.equal(finishes.filter((finish) => finish.statusCode === 200).length, 1)
    t.equal((await engine.listPasskeys('alice')).length, 1)
  })

  t.test(`${PARALLEL} parallel finishes of one authentication handshake give one nonce`, async (t) => {
    const authenticator = new SoftwareAuthenticator({ signCount: 1 })
    await register(app, authenticator, await engine.createRegisterTransaction({ externalId: 'bob', passkeyDisplayName: 'bob' }))
    const transactionId = await engine.createAuthenticateTransaction({ externalId: 'bob' })
    const { handshake } = (await post(app, flexPath('authenticate', 'start'), { transaction_id: transactionId })).json()
    const body = authenticateFinishBody(transactionId, handshake.id, authenticator.get(handshake.challenge.publicKey))
    const finishes = await Promise.all(Array.from({ length: PARALLEL }, async () => post(app, flexPath('authenticate', 'finish'), body)))
    t.equal(finishes.filter((finish) => finish.statusCode === 200).length, 1)
  })

  t.test(`${PARALLEL} parallel redemptions of one nonce: exactly one succeeds`, async (t) => {
    const authenticator = new SoftwareAuthenticator()
    const { nonce } = await register(app, authenticator, await engine.createRegisterTransaction({ externalId: 'carol', passkeyDisplayName: 'carol' }))
    const results = await Promise.allSettled(Array.from({ length: PARALLEL }, async () => engine.verifyNonce(nonce as string)))
    t.same(results.filter((result) => result.status === 'fulfilled').map((result) => result.value), ['carol'])
  })
})
