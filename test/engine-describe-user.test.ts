import t from 'tap'
import { PasskeyEngine } from '../src/engine/engine.js'
import { MemoryStore } from '../src/engine/stores/memory.js'
import { nonce, passkey } from './helpers/store-contract.js'

t.test('a passkey never used (a row from before registrations set its last use) gives no sign-in time', async (t) => {
  const store = new MemoryStore()
  const engine = new PasskeyEngine({ appId: 'a', rpId: 'localhost', rpName: 'Test', origins: ['http://localhost'], store, sweepIntervalMs: 0 })
  t.teardown(() => engine.close())
  await store.addPasskey(passkey({ lastUsedAt: null }), nonce(), false)
  const described = await engine.describeUser('alice')
  t.equal(described.passkeys.length, 1)
  t.equal(described.lastSignInAt, null)
  await store.addPasskey(passkey({ id: 'used', credentialId: 'used', lastUsedAt: 5 }), nonce({ key: 'used' }), false)
  t.same((await engine.describeUser('alice')).lastSignInAt, new Date(5))
})
