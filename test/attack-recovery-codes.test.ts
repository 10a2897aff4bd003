import t from 'tap'
import type { AuditEvent } from '../src/index.js'
import { AttackScene } from './helpers/attack-scene.js'
import type { Member } from './helpers/attack-scene.js'
import { Browser } from './helpers/browser.js'
import { PREFIX, buildMfaApp, registerPasskey, signUp, stepUp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

// Design invariant 15: recovery codes carry at least 80 bits, are stored as digests, shown once,
// single-use under concurrency, counted by the failure limits and audited.

const INVALID = { status: 401, code: 'FST_PASSKEY_MFA_RECOVERY_CODE_INVALID' }
const CODE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/

/** The codes of a new set, made in the member's browser after a fresh passkey check. */
async function codesOf (scene: AttackScene, member: Member): Promise<string[]> {
  await scene.authenticateAndVerify(member.browser, member.authenticator)
  return (await member.browser.post(`${PREFIX}/recovery-codes`)).json().codes
}

/** `POST /recovery` with `code` in `browser`. */
async function recover (browser: Browser, code: string): ReturnType<Browser['post']> {
  return browser.post(`${PREFIX}/recovery`, { code })
}

eachStore(t, async (t, store) => {
  const scene = await AttackScene.build(t, store)

  t.test('a new set needs a fresh passkey check, is answered once and uncacheable, and replaces the old one', async (t) => {
    const alice = await scene.member('alice')
    await scene.assertRefused(t, { sessions: [alice.browser], users: [alice.externalId] },
      async () => alice.browser.post(`${PREFIX}/recovery-codes`), { status: 401, code: 'FST_PASSKEY_MFA_STEP_UP_REQUIRED' })
    const first = await codesOf(scene, alice)
    t.equal(first.length, 10)
    t.equal(new Set(first).size, 10, 'ten different codes')
    for (const code of first) t.match(code, CODE)
    const again = await alice.browser.post(`${PREFIX}/recovery-codes`)
    t.equal(again.headers['cache-control'], 'no-store')
    const second = again.json().codes as string[]
    t.match((await alice.browser.get(`${PREFIX}/status`)).json(), { recoveryCodesLeft: 10, recovered: false })
    t.same(await scene.store.countRecoveryCodes(alice.externalId), 10)

    const pending = await scene.loggedIn(alice.externalId)
    await scene.assertRefused(t, { sessions: [pending], users: [alice.externalId] }, async () => recover(pending, first[0]!), INVALID)
    t.equal((await recover(pending, second[0]!)).statusCode, 200, 'a code of the new set works')
  })

  t.test('a code stands in for the passkey step: signed in without a passkey check, other sessions ended, the code used up', async (t) => {
    const bob = await scene.member('bob')
    const codes = await codesOf(scene, bob)
    const lost = await scene.loggedIn(bob.externalId)
    const issued = scene.mfa.issued.length
    const answer = await recover(lost, codes[3]!.toLowerCase().replaceAll('-', ' '))
    t.same(answer.json(), { state: 'authenticated', auth_token: `token-for-${bob.externalId}` }, 'typed in lower case with spaces')
    t.equal(scene.mfa.issued.length, issued + 1, 'issueToken called once')
    t.match((await lost.get(`${PREFIX}/status`)).json(), { state: 'authenticated', recovered: true, recoveryCodesLeft: 9 })
    t.same((await lost.get('/recovered')).json(), { recovered: true }, 'request.mfa.recovered tells the host')
    t.equal((await lost.get('/sensitive')).json().code, 'FST_PASSKEY_MFA_STEP_UP_REQUIRED', 'a recovery is no passkey check')
    const gone = await bob.browser.clone().get('/recovered')
    t.same([gone.statusCode, gone.json().code], [401, 'FST_PASSKEY_MFA_NOT_AUTHENTICATED'])
    const ended = await bob.browser.get('/protected')
    t.same([ended.statusCode, ended.json().code], [401, 'FST_PASSKEY_MFA_NOT_AUTHENTICATED'], 'the user\'s other sessions ended')

    const reused = await scene.loggedIn(bob.externalId)
    await scene.assertRefused(t, { sessions: [reused], users: [bob.externalId] }, async () => recover(reused, codes[3]!), INVALID)
  })

  t.test('a recovered session replaces the lost passkey: it may add one and remove the old one', async (t) => {
    const carol = await scene.member('carol')
    const codes = await codesOf(scene, carol)
    const browser = await scene.loggedIn(carol.externalId)
    t.equal((await recover(browser, codes[0]!)).statusCode, 200)
    const [lost] = await scene.store.listPasskeys(carol.externalId)
    t.equal((await browser.post(`${PREFIX}/verify`, { nonce: await registerPasskey(scene.mfa, browser, new SoftwareAuthenticator()) })).statusCode, 200, 'a new passkey')
    t.equal((await browser.request('DELETE', `${PREFIX}/passkeys/${lost!.id}`)).statusCode, 204, 'the lost one removed')
  })

  t.test('another user\'s code, a code in the wrong state, and malformed codes change nothing', async (t) => {
    const dave = await scene.member('dave')
    const erin = await scene.member('erin')
    const davesCodes = await codesOf(scene, dave)
    const { browser } = await scene.pending(erin.externalId)
    const targets = { sessions: [browser, dave.browser], users: [dave.externalId, erin.externalId] }
    await scene.assertRefused(t, targets, async () => recover(browser, davesCodes[0]!), INVALID)
    for (const malformed of ['x', 'AAAA-BBBB-CCCC-DDDU', '0000-0000-0000-0000']) {
      await scene.assertRefused(t, targets, async () => recover(browser, malformed), INVALID)
    }
    await scene.assertRefused(t, targets, async () => recover(dave.browser, davesCodes[0]!), { status: 401, code: 'FST_PASSKEY_MFA_STATE_INVALID' })
    t.equal(await scene.store.countRecoveryCodes(dave.externalId), 10, 'dave still has all ten')
  })

  t.test('a user the host deleted is refused before the code is spent or other sessions end (found by the fuzzer)', async (t) => {
    const gina = await scene.member('gina')
    const [code] = await codesOf(scene, gina)
    const browser = await scene.loggedIn(gina.externalId)
    const user = scene.mfa.users.get(gina.externalId)!
    scene.mfa.users.delete(gina.externalId)
    await scene.assertRefused(t, { sessions: [browser, gina.browser], users: [gina.externalId] },
      async () => recover(browser, code!), { status: 401, code: 'FST_PASSKEY_MFA_USER_NOT_FOUND' })
    t.equal(await scene.store.countRecoveryCodes(gina.externalId), 10, 'the code is not spent')
    scene.mfa.users.set(gina.externalId, user)
  })

  t.test('ten parallel redemptions of one code: exactly one succeeds', async (t) => {
    const frank = await scene.member('frank')
    const [code] = await codesOf(scene, frank)
    const browsers = await Promise.all(Array.from({ length: 10 }, async () => scene.loggedIn(frank.externalId)))
    const issued = scene.mfa.issued.length
    const answers = await Promise.all(browsers.map(async (browser) => recover(browser, code!)))
    t.equal(answers.filter((answer) => answer.statusCode === 200).length, 1, 'one success')
    // A loser finds the code spent, or, when the winner ended the user's other sessions before the
    // loser's session was read, no session left.
    const refusals = answers.filter((answer) => answer.statusCode !== 200).map((answer) => [answer.statusCode, answer.json().code])
    t.ok(refusals.every(([status, code]) => status === 401 && (code === INVALID.code || code === 'FST_PASSKEY_MFA_STATE_INVALID')), JSON.stringify(refusals))
    t.equal(scene.mfa.issued.length, issued + 1, 'one token')
    t.equal(await scene.store.countRecoveryCodes(frank.externalId), 9)
  })
})

t.test('wrong codes count as failed attempts: guessing runs into the account\'s limit; events tell what happened', async (t) => {
  const events: AuditEvent[] = []
  const mfa = await buildMfaApp(t, { limits: { failedAttemptsPerAccount: 3 }, revokeSessionsOnRecovery: false, onEvent: (event) => events.push(event) })
  const authenticator = new SoftwareAuthenticator()
  const owner = await signUp(mfa, 'alice', authenticator)
  await stepUp(mfa, owner, authenticator)
  const codes = (await owner.post(`${PREFIX}/recovery-codes`)).json().codes as string[]
  const guesser = new Browser(mfa.app)
  await guesser.post('/login', { externalId: 'alice' })
  const refusals: string[] = []
  for (let i = 0; i < 4; i++) refusals.push((await recover(guesser, 'AAAA-BBBB-CCCC-DDDD')).json().code)
  t.same(refusals, [...Array(3).fill(INVALID.code), 'FST_PASSKEY_MFA_RATE_LIMITED'], 'three guesses, then locked')
  const locked = await recover(guesser, codes[0]!)
  t.same([locked.statusCode, locked.json().code], [429, 'FST_PASSKEY_MFA_RATE_LIMITED'], 'even the right code waits for the lock to end')
  mfa.clock.advance(61_000)
  t.equal((await recover(guesser, codes[0]!)).statusCode, 200, 'after the lock the right code passes')
  t.equal((await owner.get('/protected')).statusCode, 200, 'with revokeSessionsOnRecovery: false, other sessions stay')
  t.same((await owner.get('/recovered')).json(), { recovered: false }, 'a passkey session is not recovered')
  await t.rejects(mfa.engine.redeemRecoveryCode('alice', 42 as unknown as string), { code: 'FST_PASSKEY_MFA_RECOVERY_CODE_INVALID' }, 'the engine refuses a code that is no string')
  t.match(events.filter((event) => event.type.startsWith('recovery')), [
    { type: 'recovery-codes-generated', externalId: 'alice', recoveryCodesLeft: 10 },
    { type: 'recovery-code-refused', externalId: 'alice', code: 'FST_PASSKEY_MFA_RECOVERY_CODE_INVALID' },
    { type: 'recovery-code-refused' },
    { type: 'recovery-code-refused' },
    { type: 'recovery-code-used', externalId: 'alice', recoveryCodesLeft: 9 }
  ])
  t.notOk(JSON.stringify(events).includes(codes[0]!), 'no event holds a code')
})
