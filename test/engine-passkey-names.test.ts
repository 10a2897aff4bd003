import t from 'tap'
import { flexPath, post, register, registerFinishBody } from './helpers/ceremonies.js'
import { buildEngineApp } from './helpers/engine-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'

const CHROME_ON_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
/** Apple's passkeys (iCloud Keychain), named `Apple Passwords` by the `aaguids` package. */
const APPLE_PASSWORDS = 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd'

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
  t.equal(await registerWith('bob', new SoftwareAuthenticator({ aaguid: APPLE_PASSWORDS }), CHROME_ON_LINUX), 'Apple Passwords', 'a known AAGUID wins')
  t.equal(await registerWith('carol', new SoftwareAuthenticator()), 'Passkey', 'neither known')
})

t.test('a rename refuses control, text-direction, invisible and separator characters, and says what is allowed', async (t) => {
  const { app, engine } = await buildEngineApp(t)
  const transactionId = await engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'alice' })
  t.equal((await register(app, new SoftwareAuthenticator(), transactionId)).finish.statusCode, 200)
  const [{ id }] = await engine.listPasskeys('alice')
  const refused = {
    code: 'FST_PASSKEY_MFA_PASSKEY_NAME_INVALID',
    statusCode: 400,
    message: 'A passkey name is 1 to 64 characters, without control, invisible or text-direction characters'
  }
  const classes: Record<string, string[]> = {
    'control characters': ['\u0000', '\u0007', '\n', '\u001b', '\u007f', '\u0085', '\u009b'],
    'text-direction marks, embeddings, overrides and isolates': [
      '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069', '\u200e', '\u200f', '\u061c'
    ],
    'zero-width and other invisible format characters': ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u2062', '\u{e0041}'],
    'line and paragraph separators': ['\u2028', '\u2029'],
    'lone surrogates': ['\ud800', '\udfff']
  }
  for (const [name, characters] of Object.entries(classes)) {
    t.test(name, async (t) => {
      for (const character of characters) {
        const code = character.codePointAt(0)!.toString(16).padStart(4, '0')
        await t.rejects(engine.renamePasskey('alice', id, `Lap${character}top`), refused, `U+${code} inside`)
        // Trimming takes the white-space ones (a line feed, U+FEFF, the separators) off the ends.
        if (character.trim() !== '') await t.rejects(engine.renamePasskey('alice', id, `Laptop${character}`), refused, `U+${code} at the end`)
      }
      t.equal((await engine.listPasskeys('alice'))[0].name, 'Passkey', 'the name did not change')
    })
  }
  t.test('what is allowed: letters of any script, marks, emoji, spaces and punctuation, up to 64', async (t) => {
    for (const name of ['Work laptop', 'Téléphone d’Élodie', 'ノートパソコン', 'हिन्दी फ़ोन', 'مفتاح الأمان', 'YubiKey 5C (backup) 🔑', 'x'.repeat(64)]) {
      t.equal((await engine.renamePasskey('alice', id, name)).name, name, name)
    }
  })
})
