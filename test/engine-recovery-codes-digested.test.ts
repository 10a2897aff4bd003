import t from 'tap'
import { PasskeyEngine } from '../src/engine/engine.js'
import { canonicalRecoveryCode } from '../src/engine/recovery-code-format.js'
import { MemoryStore } from '../src/engine/stores/memory.js'
import { digest } from '../src/engine/tokens.js'

// Design invariant 15: recovery codes reach the store only as SHA-256 digests.

t.test('the store is handed the digests of the codes, never the codes', async (t) => {
  const store = new MemoryStore()
  const handed: unknown[] = []
  const replace = store.replaceRecoveryCodes.bind(store)
  const take = store.takeRecoveryCode.bind(store)
  store.replaceRecoveryCodes = async (externalId, digests) => { handed.push(...digests); return replace(externalId, digests) }
  store.takeRecoveryCode = async (externalId, value) => { handed.push(value); return take(externalId, value) }
  const engine = new PasskeyEngine({ appId: 'app', rpId: 'localhost', rpName: 'Test', origins: ['http://localhost:3000'], store, sweepIntervalMs: 0 })
  t.teardown(async () => engine.close())

  const codes = await engine.generateRecoveryCodes('alice')
  t.equal(await engine.redeemRecoveryCode('alice', codes[0]!.toLowerCase()), 9)
  const canonical = codes.map((code) => canonicalRecoveryCode(code)!)
  t.same(handed, [...canonical.map(digest), digest(canonical[0]!)], 'ten digests, then the digest of the code redeemed')
  const text = JSON.stringify(handed)
  t.notOk([...codes, ...canonical].some((code) => text.includes(code)), 'no code, in any form, reached the store')
})
