import t from 'tap'
import { PasskeyEngine } from '../src/engine/engine.js'
import type { EngineOptions } from '../src/engine/options.js'
import { MemoryStore } from '../src/engine/stores/memory.js'

const VALID: EngineOptions = {
  appId: 'app', rpId: 'example.com', rpName: 'Example', origins: ['https://example.com'], store: new MemoryStore()
}

t.test('valid options make an engine', async (t) => {
  const engines = [
    new PasskeyEngine(VALID),
    new PasskeyEngine({ ...VALID, origins: ['https://login.example.com', 'https://example.com:8443'], topOrigins: ['https://partner.test'] }),
    new PasskeyEngine({ ...VALID, rpId: 'localhost', origins: ['http://localhost:3000'], userVerification: 'preferred', attestation: 'direct', algorithms: ['ES256'], transactionLifetimeMs: 60_000, nonceLifetimeMs: 10_000, ceremonyTimeoutMs: 60_000, sweepIntervalMs: undefined })
  ]
  for (const engine of engines) t.equal(engine.appId, 'app')
  await Promise.all(engines.map(async (engine) => engine.close()))
})

t.test('invalid options fail at construction with a coded error', async (t) => {
  const cases: Array<[string, Partial<Record<keyof EngineOptions, unknown>>]> = [
    ['appId', { appId: '' }],
    ['appId', { appId: 'has/slash' }],
    ['rpId', { rpId: 'Example.COM' }],
    ['rpId', { rpId: '.example.com' }],
    ['rpName', { rpName: '' }],
    ['origins', { origins: [] }],
    ['origins', { origins: 'https://example.com' }],
    ['origins', { origins: ['https://example.com/'] }],
    ['origins', { origins: ['not a url'] }],
    ['origins', { origins: ['http://example.com'] }],
    ['origins', { origins: ['https://example.org'] }],
    ['origins', { origins: ['https://notexample.com'] }],
    ['topOrigins', { topOrigins: 'https://partner.test' }],
    ['topOrigins', { topOrigins: ['https://partner.test/path'] }],
    ['store', { store: {} }],
    ['store', { store: undefined }],
    ['userVerification', { userVerification: 'always' }],
    ['attestation', { attestation: 'enterprise' }],
    ['algorithms', { algorithms: [] }],
    ['algorithms', { algorithms: ['HS256'] }],
    ['transactionLifetimeMs', { transactionLifetimeMs: 5 * 60_000 + 1 }],
    ['nonceLifetimeMs', { nonceLifetimeMs: 120_000 }],
    ['nonceLifetimeMs', { nonceLifetimeMs: 0 }],
    ['ceremonyTimeoutMs', { ceremonyTimeoutMs: 2.5 }],
    ['ceremonyTimeoutMs', { transactionLifetimeMs: 60_000, ceremonyTimeoutMs: 120_000 }],
    ['sweepIntervalMs', { sweepIntervalMs: -1 }],
    ['now', { now: 5 }],
    ['logger', { logger: console.log }]
  ]
  for (const [name, change] of cases) {
    t.throws(() => new PasskeyEngine({ ...VALID, ...change } as EngineOptions),
      { code: 'FST_PASSKEY_MFA_OPTIONS_INVALID', message: new RegExp(name) }, `${name}: ${JSON.stringify(change)}`)
  }
})

t.test('transaction arguments are checked', async (t) => {
  const engine = new PasskeyEngine(VALID)
  t.teardown(async () => engine.close())
  const bad = [
    engine.createRegisterTransaction({ externalId: '', passkeyDisplayName: 'a' }),
    engine.createRegisterTransaction({ externalId: 'a', passkeyDisplayName: 'x'.repeat(257) }),
    engine.createAuthenticateTransaction({ externalId: 7 as unknown as string })
  ]
  for (const call of bad) await t.rejects(call, { code: 'FST_PASSKEY_MFA_ARGUMENT_INVALID' })
})
