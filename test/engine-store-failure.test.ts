import t from 'tap'
import { flexPath, post, register } from './helpers/ceremonies.js'
import { buildEngineApp } from './helpers/engine-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { MemoryStore } from '../src/engine/stores/memory.js'

/** A memory store whose named methods throw while `failing` is set. */
class FlakyStore extends MemoryStore {
  failing = new Set<string>()
  constructor () {
    super()
    return new Proxy(this, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver)
        if (typeof property === 'string' && target.failing.has(property)) {
          return async () => { throw new Error('connection reset') }
        }
        return typeof value === 'function' ? value.bind(target) : value
      }
    })
  }
}

t.test('a failing store gives a coded 503 and issues nothing', async (t) => {
  const store = new FlakyStore()
  const { app, engine } = await buildEngineApp(t, { store })
  const authenticator = new SoftwareAuthenticator()

  store.failing.add('createTransaction')
  await t.rejects(engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'alice' }),
    { code: 'FST_PASSKEY_MFA_STORE_UNAVAILABLE', statusCode: 503 })
  store.failing.clear()

  const transactionId = await engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'alice' })
  const { handshake } = (await post(app, flexPath('register', 'start'), { transaction_id: transactionId })).json()
  const credential = authenticator.create(handshake.challenge.publicKey)
  store.failing.add('addPasskey')
  const finish = await post(app, flexPath('register', 'finish'), {
    transaction_id: transactionId,
    handshake_id: handshake.id,
    handshake_response: { ...credential, transports: credential.response.transports }
  })
  t.equal(finish.statusCode, 503)
  t.same(finish.json(), { statusCode: 503, code: 'FST_PASSKEY_MFA_STORE_UNAVAILABLE', error: 'The passkey store is unavailable, try again later', message: 'The passkey store is unavailable, try again later' })
  store.failing.clear()
  t.same(await engine.listPasskeys('alice'), [], 'no half-registered passkey')
})

t.test('a store that cannot initialise is retried on the next call', async (t) => {
  const store = new FlakyStore()
  const { engine, app } = await buildEngineApp(t, { store })
  store.failing.add('init')
  await t.rejects(engine.createAuthenticateTransaction({ externalId: 'alice' }), { code: 'FST_PASSKEY_MFA_STORE_UNAVAILABLE' })
  store.failing.clear()
  const transactionId = await engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'alice' })
  t.equal((await register(app, new SoftwareAuthenticator(), transactionId)).finish.statusCode, 200)
})
