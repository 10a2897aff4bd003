import t from 'tap'
import { authenticate, register } from './helpers/ceremonies.js'
import { buildEngineApp } from './helpers/engine-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import type { Algorithm } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

const CASES: Array<{ algorithm: Algorithm, attestation: 'none' | 'packed' }> = [
  { algorithm: 'ES256', attestation: 'none' },
  { algorithm: 'RS256', attestation: 'packed' },
  { algorithm: 'EdDSA', attestation: 'none' }
]

eachStore(t, async (t, store) => {
  const { app, engine, clock } = await buildEngineApp(t, { store })
  for (const { algorithm, attestation } of CASES) {
    const externalId = `user-${algorithm}`
    const authenticator = new SoftwareAuthenticator({ algorithm, attestation, signCount: 5 })

    const registerId = await engine.createRegisterTransaction({ externalId, passkeyDisplayName: `${algorithm}@example.com` })
    const registration = await register(app, authenticator, registerId)
    t.equal(registration.start.statusCode, 200)
    t.equal(registration.start.json().transaction_id, registerId)
    t.equal(registration.finish.statusCode, 200, `${algorithm} registers`)
    const registered = await engine.redeemNonce(registration.nonce as string, { transactionId: registerId, kind: 'register' })
    const [passkey] = await engine.listPasskeys(externalId)
    t.strictSame(registered, { externalId, kind: 'register', passkeyId: passkey.id })
    t.match(passkey, { name: 'Passkey', transports: ['internal', 'hybrid'], backupEligible: true, backedUp: true })
    t.same(passkey.lastUsedAt, passkey.createdAt, 'its registration is its last use')

    clock.advance(1000)
    const authenticateId = await engine.createAuthenticateTransaction({ externalId })
    const authentication = await authenticate(app, authenticator, authenticateId)
    t.equal(authentication.finish.statusCode, 200, `${algorithm} authenticates`)
    t.same(await engine.redeemNonce(authentication.nonce as string, { transactionId: authenticateId, kind: 'authenticate', externalId }),
      { externalId, kind: 'authenticate', passkeyId: passkey.id })
    const [used] = await engine.listPasskeys(externalId)
    t.same(used.lastUsedAt, new Date(clock.now), 'the use is recorded')
  }
})
