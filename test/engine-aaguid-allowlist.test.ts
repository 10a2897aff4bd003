import t from 'tap'
import { PasskeyEngine } from '../src/engine/engine.js'
import { MemoryStore } from '../src/engine/stores/memory.js'
import { register } from './helpers/ceremonies.js'
import { APP_ID, ORIGIN, RP_ID, buildEngineApp } from './helpers/engine-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

const YUBIKEY_5 = 'cb69481e-8ff7-4039-93ec-0a2729a154a8'
const GOOGLE_PASSWORD_MANAGER = 'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4'

eachStore(t, async (t, store) => {
  const { app, engine } = await buildEngineApp(t, { store, allowedAaguids: [YUBIKEY_5.toUpperCase()] })

  t.test('a registration from an AAGUID off the list is refused, and nothing is stored', async (t) => {
    for (const aaguid of [GOOGLE_PASSWORD_MANAGER, '00000000-0000-0000-0000-000000000000']) {
      const transactionId = await engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'alice' })
      const { finish } = await register(app, new SoftwareAuthenticator({ aaguid }), transactionId)
      t.equal(finish.statusCode, 403, aaguid)
      t.equal(finish.json().code, 'FST_PASSKEY_MFA_AUTHENTICATOR_NOT_ALLOWED', aaguid)
    }
    t.same(await engine.listPasskeys('alice'), [], 'no passkey was stored')
  })

  t.test('a registration from a listed AAGUID (any case) goes through', async (t) => {
    const transactionId = await engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'alice' })
    const { finish, nonce } = await register(app, new SoftwareAuthenticator({ aaguid: YUBIKEY_5 }), transactionId)
    t.equal(finish.statusCode, 200)
    t.equal(await engine.verifyNonce(nonce!), 'alice')
    t.match(await engine.listPasskeys('alice'), [{ aaguid: YUBIKEY_5 }])
  })
})

t.test('allowedAaguids must list AAGUIDs', async (t) => {
  const options = { appId: APP_ID, rpId: RP_ID, rpName: 'Test', origins: [ORIGIN], store: new MemoryStore(), sweepIntervalMs: 0 }
  for (const allowedAaguids of [[], ['yubikey'], [YUBIKEY_5, 7], 'cb69481e-8ff7-4039-93ec-0a2729a154a8']) {
    t.throws(() => new PasskeyEngine({ ...options, allowedAaguids: allowedAaguids as string[] }),
      { code: 'FST_PASSKEY_MFA_OPTIONS_INVALID', message: /allowedAaguids must list at least one AAGUID/ }, JSON.stringify(allowedAaguids))
  }
})
