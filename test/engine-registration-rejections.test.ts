import t from 'tap'
import { flexPath, post, register } from './helpers/ceremonies.js'
import { buildEngineApp } from './helpers/engine-app.js'
import { passkeySnapshot } from './helpers/snapshot.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import type { RegistrationTweaks } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

const REJECTED = { status: 400, code: 'FST_PASSKEY_MFA_REGISTRATION_REJECTED' }

eachStore(t, async (t, store) => {
  const { app, engine } = await buildEngineApp(t, { store })
  const other = new SoftwareAuthenticator()
  const otherId = await engine.createRegisterTransaction({ externalId: 'bob', passkeyDisplayName: 'bob' })
  t.equal((await register(app, other, otherId)).finish.statusCode, 200)

  const cases: Array<[string, RegistrationTweaks, { status: number, code: string }]> = [
    ['a challenge of another ceremony', { challenge: Buffer.alloc(32, 7).toString('base64url') }, REJECTED],
    ['another origin', { origin: 'https://evil.example' }, REJECTED],
    ['an assertion type', { type: 'webauthn.get' }, REJECTED],
    ['the RP ID hash of another domain', { rpId: 'evil.example' }, REJECTED],
    ['no user verification', { userVerified: false }, REJECTED],
    ['no user presence', { userPresent: false }, REJECTED],
    ['a cross-origin ceremony', { crossOrigin: true, topOrigin: 'https://evil.example' }, REJECTED],
    ['a credential ID registered to another user', { credentialId: other.credentials[0].id }, { status: 409, code: 'FST_PASSKEY_MFA_CREDENTIAL_EXISTS' }],
    ['a credential ID over 1023 bytes', { credentialId: Buffer.alloc(1024, 1) }, { status: 400, code: 'FST_PASSKEY_MFA_BODY_INVALID' }]
  ]
  for (const [name, tweaks, expected] of cases) {
    const before = await passkeySnapshot(store, 'alice', 'bob')
    const transactionId = await engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'alice' })
    const { finish } = await register(app, new SoftwareAuthenticator(), transactionId, tweaks)
    t.equal(finish.statusCode, expected.status, `${name}: status`)
    t.equal(finish.json().code, expected.code, `${name}: code`)
    t.notOk(finish.json().nonce, `${name}: no nonce`)
    t.same(await passkeySnapshot(store, 'alice', 'bob'), before, `${name}: nothing stored`)
  }

  t.test('a response whose ID differs from the attested credential ID', async (t) => {
    const transactionId = await engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'alice' })
    const start = await post(app, flexPath('register', 'start'), { transaction_id: transactionId })
    const { handshake } = start.json()
    const credential = new SoftwareAuthenticator().create(handshake.challenge.publicKey)
    const forged = Buffer.alloc(16, 9).toString('base64url')
    const finish = await post(app, flexPath('register', 'finish'), {
      transaction_id: transactionId,
      handshake_id: handshake.id,
      handshake_response: { ...credential, id: forged, rawId: forged }
    })
    t.equal(finish.statusCode, 400)
    t.equal(finish.json().code, 'FST_PASSKEY_MFA_REGISTRATION_REJECTED')
    t.same(await engine.listPasskeys('alice'), [])
  })

  t.test('a first-passkey-only transaction is refused once the user has a passkey', async (t) => {
    const enrollment = await engine.createRegisterTransaction({ externalId: 'bob', passkeyDisplayName: 'bob', firstPasskeyOnly: true })
    const before = await passkeySnapshot(store, 'bob')
    const { finish } = await register(app, new SoftwareAuthenticator(), enrollment)
    t.equal(finish.statusCode, 403)
    t.equal(finish.json().code, 'FST_PASSKEY_MFA_REGISTRATION_FORBIDDEN')
    t.same(await passkeySnapshot(store, 'bob'), before, 'nothing stored')
    const first = await engine.createRegisterTransaction({ externalId: 'carol', passkeyDisplayName: 'carol', firstPasskeyOnly: true })
    t.equal((await register(app, new SoftwareAuthenticator(), first)).finish.statusCode, 200, 'a first passkey is fine')
  })
})
