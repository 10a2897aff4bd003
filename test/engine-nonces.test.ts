import t from 'tap'
import { authenticate, register } from './helpers/ceremonies.js'
import { buildEngineApp } from './helpers/engine-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

eachStore(t, async (t, store) => {
  const { app, engine, clock } = await buildEngineApp(t, { store })
  const authenticator = new SoftwareAuthenticator()
  const registerId = await engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'alice' })
  const registration = await register(app, authenticator, registerId)
  t.equal(registration.finish.statusCode, 200)
  t.equal(registration.finish.headers['cache-control'], 'no-store')
  t.match(await engine.redeemNonce(registration.nonce as string, { transactionId: registerId }), { kind: 'register', externalId: 'alice' })

  const nonceFor = async (externalId = 'alice') => {
    const transactionId = await engine.createAuthenticateTransaction({ externalId })
    const { nonce } = await authenticate(app, authenticator, transactionId)
    return { nonce: nonce as string, transactionId }
  }

  t.test('a nonce is single-use', async (t) => {
    const { nonce } = await nonceFor()
    t.equal(await engine.verifyNonce(nonce), 'alice')
    await t.rejects(engine.verifyNonce(nonce), { code: 'FST_PASSKEY_MFA_NONCE_INVALID', statusCode: 401 })
  })

  t.test('a nonce past its lifetime is refused', async (t) => {
    const { nonce } = await nonceFor()
    clock.advance(60_000)
    await t.rejects(engine.verifyNonce(nonce), { code: 'FST_PASSKEY_MFA_NONCE_EXPIRED', statusCode: 410 })
  })

  t.test('a nonce of another transaction, kind or user is refused, and spent', async (t) => {
    const expectations = [
      { transactionId: registerId },
      { kind: 'register' as const },
      { externalId: 'bob' }
    ]
    for (const expected of expectations) {
      const { nonce } = await nonceFor()
      await t.rejects(engine.redeemNonce(nonce, expected), { code: 'FST_PASSKEY_MFA_NONCE_MISMATCH', statusCode: 403 })
      await t.rejects(engine.verifyNonce(nonce), { code: 'FST_PASSKEY_MFA_NONCE_INVALID' }, 'spent')
    }
  })

  t.test('garbage is refused as an unknown nonce', async (t) => {
    for (const nonce of ['', 'x'.repeat(257), 'not-a-nonce', 42 as unknown as string]) {
      await t.rejects(engine.verifyNonce(nonce), { code: 'FST_PASSKEY_MFA_NONCE_INVALID' })
    }
  })
})
