import t from 'tap'
import type { Test } from 'tap'
import { AttackScene } from './helpers/attack-scene.js'
import type { Member } from './helpers/attack-scene.js'
import { Browser } from './helpers/browser.js'
import { PREFIX, addUser, buildMfaApp, registerPasskey } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

// A stolen signed-in cookie (or an unattended browser) must not change the owner's factors: adding,
// renaming and removing passkeys need a passkey authentication of the last five minutes, and an
// enrollment is no such check (design invariant 13).

const STEP_UP = { status: 401, code: 'FST_PASSKEY_MFA_STEP_UP_REQUIRED' }
const FIVE_MINUTES = 5 * 60_000

/** The factor changes a cookie can attempt on its user's first passkey. */
function factorChanges (browser: Browser, passkeyId: string): Array<[string, () => ReturnType<Browser['get']>]> {
  return [
    ['add a passkey', async () => browser.post(`${PREFIX}/register`)],
    ['rename a passkey', async () => browser.request('PATCH', `${PREFIX}/passkeys/${passkeyId}`, { name: 'mine now' })],
    ['remove a passkey', async () => browser.request('DELETE', `${PREFIX}/passkeys/${passkeyId}`)]
  ]
}

/** The ID of the member's first passkey. */
async function firstPasskeyId (scene: AttackScene, member: Member): Promise<string> {
  return (await scene.store.listPasskeys(member.externalId))[0]!.id
}

/** Asserts that each factor change with `stolen` is refused with a step-up and changes nothing of the owner's. */
async function assertEveryChangeRefused (t: Test, scene: AttackScene, owner: Member, stolen: Browser): Promise<void> {
  const passkeyId = await firstPasskeyId(scene, owner)
  for (const [name, attack] of factorChanges(stolen, passkeyId)) {
    await t.test(name, async (t) => {
      const refusal = await scene.assertRefused(t, { sessions: [owner.browser, stolen], users: [owner.externalId] }, attack, STEP_UP)
      t.match(refusal.json().message, /passkey/i, 'the message says a passkey check is needed')
    })
  }
}

eachStore(t, async (t, store) => {
  const scene = await AttackScene.build(t, store)

  t.test('a cookie copied right after enrollment cannot change factors: a registration is no passkey check', async (t) => {
    const alice = await scene.member('alice')
    await assertEveryChangeRefused(t, scene, alice, alice.browser.clone())
    const sensitive = await alice.browser.get('/sensitive')
    t.equal(sensitive.statusCode, 401, 'nor pass requireRecentPasskey')
    t.equal(sensitive.json().code, STEP_UP.code)
  })

  t.test('a cookie whose passkey check is older than five minutes cannot change factors', async (t) => {
    const bob = await scene.member('bob')
    t.equal((await scene.authenticateAndVerify(bob.browser, bob.authenticator)).statusCode, 200, 'bob confirmed with his passkey')
    const stolen = bob.browser.clone()
    scene.mfa.clock.advance(FIVE_MINUTES + 1000)
    t.equal((await stolen.get('/protected')).statusCode, 200, 'the copy is signed in (and its idle timer touched, which any request would do)')
    await assertEveryChangeRefused(t, scene, bob, stolen)
  })

  t.test('with a fresh passkey check, every change passes; adding a passkey does not refresh the check', async (t) => {
    const carol = await scene.member('carol')
    t.equal((await scene.authenticateAndVerify(carol.browser, carol.authenticator)).statusCode, 200)
    scene.mfa.clock.advance(FIVE_MINUTES - 1000)
    t.equal((await scene.registerAndVerify(carol.browser)).statusCode, 200, 'adds a passkey')
    const passkeyId = await firstPasskeyId(scene, carol)
    const renamed = await carol.browser.request('PATCH', `${PREFIX}/passkeys/${passkeyId}`, { name: 'Laptop' })
    t.equal(renamed.json().name, 'Laptop', 'renames it')
    t.equal((await carol.browser.request('DELETE', `${PREFIX}/passkeys/${passkeyId}`)).statusCode, 204, 'removes it')

    scene.mfa.clock.advance(2000)
    await scene.assertRefused(t, { sessions: [carol.browser], users: [carol.externalId] }, async () => carol.browser.post(`${PREFIX}/register`), STEP_UP)
  })
})

t.test('policy optional: a signed-in user without passkeys adds a first one only within five minutes of the first factor', async (t) => {
  const mfa = await buildMfaApp(t, { policy: 'optional' })
  addUser(mfa, 'dave')
  const browser = new Browser(mfa.app)
  t.same((await browser.post('/login', { externalId: 'dave' })).json(), { next: 'done' })
  const stolen = browser.clone()
  mfa.clock.advance(FIVE_MINUTES + 1000)
  const refused = await stolen.post(`${PREFIX}/register`)
  t.same([refused.statusCode, refused.json().code], [401, 'FST_PASSKEY_MFA_REAUTHENTICATION_REQUIRED'], 'an old cookie cannot enroll its own passkey')
  t.match(refused.json().message, /sign in again/i)
  t.same(await mfa.engine.listPasskeys('dave'), [], 'nothing added')

  t.same((await browser.post('/login', { externalId: 'dave' })).json(), { next: 'done' }, 'after a new first factor')
  t.equal((await browser.post(`${PREFIX}/verify`, { nonce: await registerPasskey(mfa, browser, new SoftwareAuthenticator()) })).statusCode, 200, 'the first passkey is added')
})
