import t from 'tap'
import type { PasskeyStore } from '../src/engine/store.js'
import { MemoryStore } from '../src/engine/stores/memory.js'
import { digest } from '../src/engine/tokens.js'
import { authenticate, register } from './helpers/ceremonies.js'
import { buildEngineApp } from './helpers/engine-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'

/** `inner`, recording every argument passed to its methods, as JSON. */
function recordingArguments (inner: PasskeyStore): { store: PasskeyStore, passed: string[] } {
  const passed: string[] = []
  const store = new Proxy(inner, {
    get: (target, name) => {
      const method = Reflect.get(target, name) as unknown
      if (typeof method !== 'function') return method
      return (...args: unknown[]) => {
        passed.push(JSON.stringify(args))
        return method.apply(target, args) as unknown
      }
    }
  })
  return { store, passed }
}

t.test('no transaction ID or nonce reaches the store in the clear, through a register and an authenticate ceremony', async (t) => {
  const { store, passed } = recordingArguments(new MemoryStore())
  const { app, engine } = await buildEngineApp(t, { store })
  const authenticator = new SoftwareAuthenticator()
  const registerId = await engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'alice' })
  const registration = await register(app, authenticator, registerId)
  const authenticateId = await engine.createAuthenticateTransaction({ externalId: 'alice' })
  const authentication = await authenticate(app, authenticator, authenticateId)
  const nonces = [registration.nonce as string, authentication.nonce as string]
  for (const nonce of nonces) t.equal(await engine.verifyNonce(nonce), 'alice')

  const secrets = {
    'register transaction ID': registerId,
    'authenticate transaction ID': authenticateId,
    'register nonce': nonces[0]!,
    'authenticate nonce': nonces[1]!
  }
  for (const [name, secret] of Object.entries(secrets)) {
    t.notOk(passed.some((values) => values.includes(secret)), `the ${name} is never passed to the store`)
  }
  const nonceRecords = passed.filter((values) => values.includes('"transactionKey"'))
  t.equal(nonceRecords.length, 2, 'the two nonce records were written')
  t.ok(nonceRecords[0]!.includes(digest(registerId)), 'the register nonce names its transaction by its digest')
  t.ok(nonceRecords[1]!.includes(digest(authenticateId)), 'and so does the authenticate nonce')
})
