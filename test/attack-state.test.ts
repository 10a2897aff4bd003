import t from 'tap'
import { AttackScene } from './helpers/attack-scene.js'
import { Browser } from './helpers/browser.js'
import { authenticate } from './helpers/ceremonies.js'
import { PREFIX, addUser, buildMfaApp, registerPasskey } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

// Moves the session cannot make. Guarded routes and `issueToken` in every state but authenticated
// are pinned on every store by mfa-guard-states; tampered and malformed cookies by
// mfa-session-cookie; saved cookies after logout by mfa-session-cookie and mfa-logout-everywhere.

const FORBIDDEN = { status: 403, code: 'FST_PASSKEY_MFA_REGISTRATION_FORBIDDEN' }

eachStore(t, async (t, store) => {
  const scene = await AttackScene.build(t, store)

  t.test('starting registration from the pending state', async (t) => {
    const alice = await scene.member('alice')
    const { browser, transactionId } = await scene.pending(alice.externalId)

    await scene.assertRefused(t, { sessions: [browser], users: [alice.externalId] }, async () => browser.post(`${PREFIX}/register`), FORBIDDEN)
    const { nonce } = await authenticate(scene.engineRoutes, alice.authenticator, transactionId)
    t.equal((await browser.post(`${PREFIX}/verify`, { nonce })).statusCode, 200, 'the pending authenticate transaction still completes')
  })

  t.test('stale copies of an enrolling session\'s cookie, once it enrolled', async (t) => {
    const bob = scene.newcomer('bob')
    const browser = await scene.loggedIn(bob)
    const firstFactor = browser.clone()
    const nonce = await registerPasskey(scene.mfa, browser, new SoftwareAuthenticator())
    const pending = browser.clone()
    t.equal((await browser.post(`${PREFIX}/verify`, { nonce })).statusCode, 200)

    for (const [name, stale] of [['first-factor', firstFactor], ['passkey-pending', pending]] as const) {
      await t.test(`a ${name} copy cannot enroll a second passkey`, async (t) => {
        await scene.assertRefused(t, { sessions: [browser, stale], users: [bob] }, async () => stale.post(`${PREFIX}/register`), FORBIDDEN)
        t.equal((await stale.get(`${PREFIX}/status`)).json().state, name, 'the copy is still no more than it was')
      })
    }
  })

  t.test('a forged cookie claiming the authenticated state', async (t) => {
    const alice = await scene.member('alice')
    const forger = await buildMfaApp(t, { sessionKey: Buffer.alloc(32, 1), policy: 'optional' })
    addUser(forger, alice.externalId)
    const forging = new Browser(forger.app)
    await forging.post('/login', { externalId: alice.externalId })
    const forged = forging.cookies.get('passkey_mfa') as string
    t.equal((await forging.get('/protected')).statusCode, 200, 'the forger\'s own app, with its own key, takes it for alice authenticated')
    const attacker = new Browser(scene.mfa.app)
    const targets = { sessions: [alice.browser], users: [alice.externalId] }
    const attacks = [
      ['GET /protected', async () => attacker.get('/protected'), { status: 401, code: 'FST_PASSKEY_MFA_NOT_AUTHENTICATED' }],
      ['GET /passkeys', async () => attacker.get(`${PREFIX}/passkeys`), { status: 401, code: 'FST_PASSKEY_MFA_NOT_AUTHENTICATED' }],
      ['POST /register', async () => attacker.post(`${PREFIX}/register`), { status: 401, code: 'FST_PASSKEY_MFA_STATE_INVALID' }]
    ] as const
    for (const [name, attack, expected] of attacks) {
      await t.test(name, async (t) => {
        attacker.cookies.set('passkey_mfa', forged)
        await scene.assertRefused(t, targets, attack, expected)
        t.notOk(attacker.cookies.has('passkey_mfa'), 'the forged cookie is cleared')
      })
    }
  })
})
