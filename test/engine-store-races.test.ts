import t from 'tap'
import { authenticate, flexPath, post, register } from './helpers/ceremonies.js'
import { buildEngineApp } from './helpers/engine-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import type { PasskeyRecord, TakenTransaction, TransactionRecord } from '../src/engine/store.js'
import { MemoryStore } from '../src/engine/stores/memory.js'

t.test('a counter that moved between the read and the write refuses the assertion', async (t) => {
  /** Reads the passkey as it was before another assertion raised its counter. */
  class StaleReadStore extends MemoryStore {
    override async takeTransactionWithPasskey (key: string, credentialId: string): Promise<TakenTransaction | null> {
      const taken = await super.takeTransactionWithPasskey(key, credentialId)
      return taken === null ? null : { ...taken, passkey: { ...taken.passkey!, counter: taken.passkey!.counter - 1 } }
    }
  }
  const { app, engine } = await buildEngineApp(t, { store: new StaleReadStore() })
  const authenticator = new SoftwareAuthenticator({ signCount: 5 })
  await register(app, authenticator, await engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'alice' }))
  const before = await engine.listPasskeys('alice')
  const { finish } = await authenticate(app, authenticator, await engine.createAuthenticateTransaction({ externalId: 'alice' }))
  t.equal(finish.statusCode, 401)
  t.equal(finish.json().code, 'FST_PASSKEY_MFA_AUTHENTICATION_REJECTED')
  t.same(await engine.listPasskeys('alice'), before)
})

t.test('a transaction finished while its registration was starting is not found', async (t) => {
  /** Lets the transaction be consumed between the start's read and its write. */
  class RacingStore extends MemoryStore {
    override async getTransaction (key: string): Promise<TransactionRecord | null> {
      const transaction = await super.getTransaction(key)
      await this.takeTransaction(key)
      return transaction
    }
  }
  const { app, engine } = await buildEngineApp(t, { store: new RacingStore() })
  const transactionId = await engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'alice' })
  const start = await post(app, flexPath('register', 'start'), { transaction_id: transactionId })
  t.equal(start.statusCode, 404)
  t.equal(start.json().code, 'FST_PASSKEY_MFA_TRANSACTION_NOT_FOUND')
})

t.test('a sign-in start the store refused, on a transaction that looks live when asked why, is not found', async (t) => {
  /** Refuses every start, as for a transaction consumed and (impossibly) recreated under the same key. */
  class RefusingStore extends MemoryStore {
    override async startAuthentication (): Promise<null> {
      return null
    }
  }
  const { app, engine } = await buildEngineApp(t, { store: new RefusingStore() })
  const transactionId = await engine.createAuthenticateTransaction({ externalId: 'alice' })
  const start = await post(app, flexPath('authenticate', 'start'), { transaction_id: transactionId })
  t.equal(start.statusCode, 404)
  t.equal(start.json().code, 'FST_PASSKEY_MFA_TRANSACTION_NOT_FOUND')
})

t.test('an unexpected failure is a generic 500 that reveals nothing', async (t) => {
  class BrokenStore extends MemoryStore {
    override async listPasskeys (): Promise<PasskeyRecord[]> {
      return null as unknown as PasskeyRecord[]
    }
  }
  const { app, engine } = await buildEngineApp(t, { store: new BrokenStore() })
  const transactionId = await engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'alice' })
  const start = await post(app, flexPath('register', 'start'), { transaction_id: transactionId })
  t.equal(start.statusCode, 500)
  t.same(start.json(), { statusCode: 500, code: 'FST_PASSKEY_MFA_INTERNAL', error: 'Internal error', message: 'Internal error' })
})
