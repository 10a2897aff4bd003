import t from 'tap'
import { authenticatorIcons, authenticatorName } from '../src/engine/authenticator-metadata.js'
import { register } from './helpers/ceremonies.js'
import { buildEngineApp } from './helpers/engine-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'

const GOOGLE_PASSWORD_MANAGER = 'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4'
const ONE_PASSWORD = 'bada5566-a7aa-401f-bd96-45619a55120d'
const YUBIKEY_5 = 'cb69481e-8ff7-4039-93ec-0a2729a154a8'
const ZERO = '00000000-0000-0000-0000-000000000000'

t.test('provider names come from the aaguids package, case-insensitively; unknown and all-zero AAGUIDs have none', async (t) => {
  t.equal(authenticatorName(GOOGLE_PASSWORD_MANAGER), 'Google Password Manager')
  t.equal(authenticatorName(GOOGLE_PASSWORD_MANAGER.toUpperCase()), 'Google Password Manager')
  t.equal(authenticatorName(ONE_PASSWORD), '1Password')
  t.equal(authenticatorName(YUBIKEY_5), 'YubiKey 5 Series')
  t.equal(authenticatorName(ZERO), null)
  t.equal(authenticatorName('01020304-0506-0708-090a-0b0c0d0e0f10'), null)
  t.equal(authenticatorName('constructor'), null, 'no object property passes for a provider')
})

t.test('a known provider has a generated badge per theme: its initial on a colour of its AAGUID', async (t) => {
  const google = authenticatorIcons(GOOGLE_PASSWORD_MANAGER)!
  t.match(google.light.svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="64" height="64"[^]*&#71;<\/text><\/svg>$/, 'G, as a character reference')
  t.match(authenticatorIcons(ONE_PASSWORD)!.dark.svg, /&#49;<\/text>/, '1Password: 1')
  t.match(google.light.svg, /fill="#ffffff"/, 'a white letter on light pages')
  t.match(google.dark.svg, /fill="#111111"/, 'a dark letter on dark pages')
  t.not(google.light.digest, google.dark.digest)
  t.match(google.light.digest, /^[0-9a-f]{16}$/)
  t.same(authenticatorIcons(GOOGLE_PASSWORD_MANAGER.toUpperCase()), google, 'the same badge whatever the AAGUID\'s case')
  const hue = (svg: string): string => /hsl\((\d+) /.exec(svg)![1]
  t.not(hue(google.light.svg), hue(authenticatorIcons(YUBIKEY_5)!.light.svg), 'another provider, another colour')
  t.equal(authenticatorIcons(ZERO), null, 'an unknown provider has none')
})

t.test('a passkey is named after its provider from the package, and listed with it', async (t) => {
  const { app, engine } = await buildEngineApp(t)
  const transactionId = await engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'alice' })
  t.equal((await register(app, new SoftwareAuthenticator({ aaguid: YUBIKEY_5 }), transactionId)).finish.statusCode, 200)
  t.match(await engine.listPasskeys('alice'), [{ name: 'YubiKey 5 Series', authenticatorName: 'YubiKey 5 Series', aaguid: YUBIKEY_5 }])
})
