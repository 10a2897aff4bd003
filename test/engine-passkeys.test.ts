import t from 'tap'
import { register } from './helpers/ceremonies.js'
import { buildEngineApp } from './helpers/engine-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

const GOOGLE_PASSWORD_MANAGER = 'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4'

eachStore(t, async (t, store) => {
  const { app, engine, clock } = await buildEngineApp(t, { store })
  const enroll = async (externalId: string, authenticator: SoftwareAuthenticator) => {
    const transactionId = await engine.createRegisterTransaction({ externalId, passkeyDisplayName: externalId })
    t.equal((await register(app, authenticator, transactionId)).finish.statusCode, 200)
    clock.advance(1000)
  }
  await enroll('alice', new SoftwareAuthenticator({ aaguid: GOOGLE_PASSWORD_MANAGER }))
  await enroll('alice', new SoftwareAuthenticator({ backupEligible: false, transports: ['usb'] }))
  await enroll('bob', new SoftwareAuthenticator())

  const [first, second] = await engine.listPasskeys('alice')
  t.match(first, {
    name: 'Google Password Manager',
    authenticatorName: 'Google Password Manager',
    aaguid: GOOGLE_PASSWORD_MANAGER,
    backupEligible: true,
    lastUsedAt: first.createdAt
  })
  t.match(second, { name: 'Passkey', authenticatorName: null, transports: ['usb'], backupEligible: false, backedUp: false })
  t.ok(first.createdAt < second.createdAt, 'oldest first')
  t.notOk('publicKey' in first, 'no key material')

  t.test('rename', async (t) => {
    t.match(await engine.renamePasskey('alice', first.id, '  Work laptop '), { id: first.id, name: 'Work laptop' })
    t.equal((await engine.listPasskeys('alice'))[0].name, 'Work laptop')
    for (const name of ['', '   ', 'x'.repeat(65), 7 as unknown as string]) {
      await t.rejects(engine.renamePasskey('alice', first.id, name), { code: 'FST_PASSKEY_MFA_PASSKEY_NAME_INVALID', statusCode: 400 })
    }
    await t.rejects(engine.renamePasskey('bob', first.id, 'mine now'), { code: 'FST_PASSKEY_MFA_PASSKEY_NOT_FOUND', statusCode: 404 })
    t.equal((await engine.listPasskeys('alice'))[0].name, 'Work laptop', 'another user cannot rename it')
  })

  t.test('revoke', async (t) => {
    await t.rejects(engine.revokePasskey('bob', second.id), { code: 'FST_PASSKEY_MFA_PASSKEY_NOT_FOUND' })
    t.equal((await engine.listPasskeys('alice')).length, 2, 'another user cannot revoke it')
    await engine.revokePasskey('alice', second.id)
    t.same((await engine.listPasskeys('alice')).map((passkey) => passkey.id), [first.id])
    await t.rejects(engine.revokePasskey('alice', second.id), { code: 'FST_PASSKEY_MFA_PASSKEY_NOT_FOUND' })
  })
})
