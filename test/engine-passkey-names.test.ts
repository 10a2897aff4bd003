import t from 'tap'
import { flexPath, post, registerFinishBody } from './helpers/ceremonies.js'
import { buildEngineApp } from './helpers/engine-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'

const CHROME_ON_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
const ICLOUD_KEYCHAIN = 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd'

t.test('a new passkey is named after its provider, else the registering browser, else "Passkey"', async (t) => {
  const { app, engine } = await buildEngineApp(t)
  const registerWith = async (externalId: string, authenticator: SoftwareAuthenticator, userAgent?: string): Promise<string> => {
    const transactionId = await engine.createRegisterTransaction({ externalId, passkeyDisplayName: externalId })
    const { handshake } = (await post(app, flexPath('register', 'start'), { transaction_id: transactionId, authenticator_attachment: 'any' })).json()
    const finish = await app.inject({
      method: 'POST',
      url: flexPath('register', 'finish'),
      headers: userAgent === undefined ? {} : { 'user-agent': userAgent },
      payload: registerFinishBody(transactionId, handshake.id, authenticator.create(handshake.challenge.publicKey))
    })
    t.equal(finish.statusCode, 200)
    const [passkey] = await engine.listPasskeys(externalId)
    return passkey.name
  }

  t.equal(await registerWith('alice', new SoftwareAuthenticator(), CHROME_ON_LINUX), 'Chrome on Linux', 'unknown AAGUID: the browser and system')
  t.equal(await registerWith('bob', new SoftwareAuthenticator({ aaguid: ICLOUD_KEYCHAIN }), CHROME_ON_LINUX), 'iCloud Keychain', 'a known AAGUID wins')
  t.equal(await registerWith('carol', new SoftwareAuthenticator()), 'Passkey', 'neither known')
})
