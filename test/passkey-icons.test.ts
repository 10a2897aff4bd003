import t from 'tap'
import { authenticatorIcons } from '../src/engine/authenticator-metadata.js'
import { Browser } from './helpers/browser.js'
import { buildMfaApp, PREFIX, registerPasskey, signUp, stepUp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'

const GOOGLE_PASSWORD_MANAGER = 'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4'
const ZERO = '00000000-0000-0000-0000-000000000000'

t.test('GET /passkeys gives each passkey its provider\'s icon URLs, served by the plugin and cached for good', async (t) => {
  const mfa = await buildMfaApp(t)
  const google = new SoftwareAuthenticator({ aaguid: GOOGLE_PASSWORD_MANAGER })
  const browser = await signUp(mfa, 'alice', google)
  t.equal((await stepUp(mfa, browser, google)).statusCode, 200)
  t.equal((await browser.post(`${PREFIX}/verify`, { nonce: await registerPasskey(mfa, browser, new SoftwareAuthenticator()) })).statusCode, 200)

  const { passkeys } = (await browser.get(`${PREFIX}/passkeys`)).json() as { passkeys: Array<{ id: string, aaguid: string, icon: { light: string, dark: string } | null }> }
  const known = passkeys.find((passkey) => passkey.aaguid === GOOGLE_PASSWORD_MANAGER)!
  const { light, dark } = authenticatorIcons(GOOGLE_PASSWORD_MANAGER)!
  t.match(known, {
    authenticatorName: 'Google Password Manager',
    icon: {
      light: `${PREFIX}/authenticator-icons/${GOOGLE_PASSWORD_MANAGER}/light.svg?v=${light.digest}`,
      dark: `${PREFIX}/authenticator-icons/${GOOGLE_PASSWORD_MANAGER}/dark.svg?v=${dark.digest}`
    }
  })
  t.match(passkeys.find((passkey) => passkey.aaguid === ZERO), { authenticatorName: null, icon: null }, 'an unknown provider has none')
  const renamed = await browser.request('PATCH', `${PREFIX}/passkeys/${known.id}`, { name: 'Phone' })
  t.same(renamed.json().icon, known.icon, 'a renamed passkey keeps its icon')
  const iconUrl = known.icon!.dark

  const icon = await new Browser(mfa.app).get(iconUrl)
  t.equal(icon.statusCode, 200, 'any browser may load an icon, signed in or not')
  t.equal(icon.body, dark.svg)
  t.match(icon.headers, {
    'content-type': 'image/svg+xml',
    'cache-control': 'public, max-age=31536000, immutable',
    etag: `"${dark.digest}"`,
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'x-content-type-options': 'nosniff'
  })
  t.notOk('set-cookie' in icon.headers, 'no cookie, so shared caches may keep it')
  const upper = await mfa.app.inject(`${PREFIX}/authenticator-icons/${GOOGLE_PASSWORD_MANAGER.toUpperCase()}/light.svg`)
  t.equal(upper.body, light.svg, 'the AAGUID in any case, without the version')

  const revalidated = await mfa.app.inject({ url: iconUrl, headers: { 'if-none-match': `"${dark.digest}"` } })
  t.equal(revalidated.statusCode, 304, 'an unchanged icon is not sent again')
  t.equal(revalidated.body, '')
  t.equal(revalidated.headers.etag, `"${dark.digest}"`)
  t.equal((await mfa.app.inject({ url: iconUrl, headers: { 'if-none-match': '"stale"' } })).statusCode, 200, 'a changed one is')
})

t.test('an unknown provider has no icon (404), and a malformed request is a 400, never a 500', async (t) => {
  const mfa = await buildMfaApp(t)
  const unknown = await mfa.app.inject(`${PREFIX}/authenticator-icons/${ZERO}/light.svg`)
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().code, 'FST_PASSKEY_MFA_AUTHENTICATOR_ICON_NOT_FOUND')
  t.equal(unknown.headers['cache-control'], 'no-store', 'a refusal is not cached')
  const malformed = [
    `/authenticator-icons/not-an-aaguid/light.svg`,
    `/authenticator-icons/${GOOGLE_PASSWORD_MANAGER}x/light.svg`,
    `/authenticator-icons/${GOOGLE_PASSWORD_MANAGER}/blue.svg`,
    `/authenticator-icons/${GOOGLE_PASSWORD_MANAGER}/light.svg?v=NOT-HEX`
  ]
  for (const path of malformed) {
    const answer = await mfa.app.inject(`${PREFIX}${path}`)
    t.equal(answer.statusCode, 400, path)
    t.equal(answer.json().code, 'FST_PASSKEY_MFA_BODY_INVALID', path)
  }
  const noExtension = await mfa.app.inject(`${PREFIX}/authenticator-icons/${GOOGLE_PASSWORD_MANAGER}/light`)
  t.equal(noExtension.statusCode, 404)
  t.equal(noExtension.json().code, 'FST_PASSKEY_MFA_ROUTE_NOT_FOUND')
})
