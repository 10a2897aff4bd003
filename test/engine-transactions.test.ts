import t from 'tap'
import type { Test } from 'tap'
import { authenticateFinishBody, flexPath, post, register, registerFinishBody } from './helpers/ceremonies.js'
import { buildEngineApp } from './helpers/engine-app.js'
import type { EngineApp } from './helpers/engine-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

async function registerStart (app: EngineApp['app'], transactionId: string) {
  return post(app, flexPath('register', 'start'), { transaction_id: transactionId })
}

function assertError (t: Test, response: { statusCode: number, json: () => any }, status: number, code: string, name: string): void {
  t.equal(response.statusCode, status, `${name}: status`)
  t.equal(response.json().code, code, `${name}: code`)
}

eachStore(t, async (t, store) => {
  const { app, engine, clock } = await buildEngineApp(t, { store })
  const newRegister = async () => engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'alice' })

  t.test('an unknown transaction', async (t) => {
    assertError(t, await registerStart(app, 'no-such-transaction'), 404, 'FST_PASSKEY_MFA_TRANSACTION_NOT_FOUND', 'start')
    const finish = await post(app, flexPath('register', 'finish'),
      registerFinishBody('no-such-transaction', 'x', new SoftwareAuthenticator().create(creationOptions())))
    assertError(t, finish, 404, 'FST_PASSKEY_MFA_TRANSACTION_NOT_FOUND', 'finish')
  })

  t.test('a transaction of the other kind', async (t) => {
    const authenticateId = await engine.createAuthenticateTransaction({ externalId: 'alice' })
    assertError(t, await registerStart(app, authenticateId), 400, 'FST_PASSKEY_MFA_TRANSACTION_KIND', 'register start')
    const registerId = await newRegister()
    const start = await post(app, flexPath('authenticate', 'start'), { transaction_id: registerId })
    assertError(t, start, 400, 'FST_PASSKEY_MFA_TRANSACTION_KIND', 'authenticate start')
  })

  t.test('an expired transaction', async (t) => {
    const transactionId = await newRegister()
    clock.advance(5 * 60_000)
    assertError(t, await registerStart(app, transactionId), 410, 'FST_PASSKEY_MFA_TRANSACTION_EXPIRED', 'start')
  })

  t.test('a finish after the ceremony timed out', async (t) => {
    const transactionId = await newRegister()
    const { handshake } = (await registerStart(app, transactionId)).json()
    const credential = new SoftwareAuthenticator().create(handshake.challenge.publicKey)
    clock.advance(2 * 60_000)
    const finish = await post(app, flexPath('register', 'finish'), registerFinishBody(transactionId, handshake.id, credential))
    assertError(t, finish, 410, 'FST_PASSKEY_MFA_HANDSHAKE_EXPIRED', 'finish')
    t.same(await engine.listPasskeys('alice'), [])
  })

  t.test('a replayed finish', async (t) => {
    const transactionId = await newRegister()
    const first = await register(app, new SoftwareAuthenticator(), transactionId)
    t.equal(first.finish.statusCode, 200)
    assertError(t, await post(app, flexPath('register', 'finish'), first.body), 404, 'FST_PASSKEY_MFA_TRANSACTION_NOT_FOUND', 'replay')
    t.equal((await engine.listPasskeys('alice')).length, 1)
  })

  t.test('a restart replaces the challenge; the old handshake is refused and spends the transaction', async (t) => {
    const authenticator = new SoftwareAuthenticator()
    await register(app, authenticator, await newRegister())
    const transactionId = await engine.createAuthenticateTransaction({ externalId: 'alice' })
    const startAuthentication = async () => (await post(app, flexPath('authenticate', 'start'), { transaction_id: transactionId })).json()
    const old = await startAuthentication()
    const current = await startAuthentication()
    t.not(old.handshake.challenge.publicKey.challenge, current.handshake.challenge.publicKey.challenge)
    const stale = authenticateFinishBody(transactionId, old.handshake.id, authenticator.get(old.handshake.challenge.publicKey))
    assertError(t, await post(app, flexPath('authenticate', 'finish'), stale), 400, 'FST_PASSKEY_MFA_HANDSHAKE_INVALID', 'old handshake')
    const fresh = authenticateFinishBody(transactionId, current.handshake.id, authenticator.get(current.handshake.challenge.publicKey))
    assertError(t, await post(app, flexPath('authenticate', 'finish'), fresh), 404, 'FST_PASSKEY_MFA_TRANSACTION_NOT_FOUND', 'after a failed finish')
  })

  t.test('a finish before any start', async (t) => {
    const transactionId = await newRegister()
    const finish = await post(app, flexPath('register', 'finish'),
      registerFinishBody(transactionId, 'x', new SoftwareAuthenticator().create(creationOptions())))
    assertError(t, finish, 400, 'FST_PASSKEY_MFA_HANDSHAKE_INVALID', 'finish')
  })
})

function creationOptions () {
  return {
    challenge: 'AAAA',
    rp: { id: 'localhost', name: 'x' },
    user: { id: 'AAAA', name: 'x', displayName: 'x' },
    pubKeyCredParams: [{ type: 'public-key' as const, alg: -7 }]
  }
}
