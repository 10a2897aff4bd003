import t from 'tap'
import { flexPath, post, register } from './helpers/ceremonies.js'
import { buildEngineApp } from './helpers/engine-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'

t.test('an authenticate start looks the same for users with and without passkeys', async (t) => {
  const { app, engine } = await buildEngineApp(t)
  await register(app, new SoftwareAuthenticator(), await engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'alice' }))

  const start = async (externalId: string) => {
    const transactionId = await engine.createAuthenticateTransaction({ externalId })
    const response = await post(app, flexPath('authenticate', 'start'), { transaction_id: transactionId })
    t.equal(response.statusCode, 200)
    return response.json().handshake.challenge.publicKey
  }
  const shape = (publicKey: any) => ({
    ...publicKey,
    challenge: typeof publicKey.challenge,
    allowCredentials: publicKey.allowCredentials.map((credential: any) => ({ ...credential, id: credential.id.length > 0 }))
  })

  const withPasskey = await start('alice')
  const without = await start('nobody')
  t.same(shape(without), shape(withPasskey), 'same fields, same types, one credential each')
  t.same((await start('nobody')).allowCredentials, without.allowCredentials, 'the decoy credential is stable')
  t.not(without.allowCredentials[0].id, (await start('somebody')).allowCredentials[0].id, 'and differs per user')
})
