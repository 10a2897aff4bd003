import t from 'tap'
import { authenticate, register } from './helpers/ceremonies.js'
import { buildEngineApp } from './helpers/engine-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'

t.test('the Passkey Flex server snippets run as written against the engine', async (t) => {
  const { app, engine } = await buildEngineApp(t)
  const passage = engine
  const authenticator = new SoftwareAuthenticator()

  const registerTransactionId = await passage.auth.createRegisterTransaction({
    externalId: 'user-1', passkeyDisplayName: 'ada@example.com'
  })
  const registration = await register(app, authenticator, registerTransactionId)
  t.equal(await passage.auth.verifyNonce(registration.nonce as string), 'user-1')

  const authenticateTransactionId = await passage.auth.createAuthenticateTransaction({ externalId: 'user-1' })
  const authentication = await authenticate(app, authenticator, authenticateTransactionId)
  t.equal(await passage.auth.verifyNonce(authentication.nonce as string), 'user-1')
})
