import t from 'tap'
import type { Test } from 'tap'
import type { AuditEvent } from '../src/index.js'
import { digest } from '../src/engine/tokens.js'
import { AttackScene } from './helpers/attack-scene.js'
import type { Member } from './helpers/attack-scene.js'
import { Browser } from './helpers/browser.js'
import { PREFIX, authenticatePasskey, registerPasskey, stepUp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

// Design invariant 15: trusted-browser tokens are 256-bit, stored as digests, bound to one user,
// last at most 30 days, never stand in for the first factor, and are revoked with the user's
// sessions and by every factor change (invariant 13: trusting needs a passkey authentication).

const DAY = 24 * 60 * 60_000
const MAX_AGE = 30 * DAY
const TRUST_COOKIE = 'passkey_mfa_trusted'
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'

eachStore(t, async (t, store) => {
  const events: AuditEvent[] = []
  const scene = await AttackScene.build(t, store, { trustedBrowsers: { maxAgeMs: MAX_AGE }, onEvent: (event) => events.push(event) })
  const { mfa } = scene

  /** A passkey authentication in `browser` that trusts it; returns the verify answer. */
  async function trustIn (browser: Browser, member: Member): Promise<Awaited<ReturnType<Browser['post']>>> {
    const nonce = await authenticatePasskey(mfa, browser, member.authenticator)
    return browser.request('POST', `${PREFIX}/verify`, { nonce, trustBrowser: true }, { 'user-agent': CHROME })
  }

  /** A member and a browser of theirs that is trusted, signed out again (the trust cookie stays). */
  async function trustedMember (name: string): Promise<{ member: Member, browser: Browser }> {
    const member = await scene.member(name)
    const browser = await scene.loggedIn(member.externalId)
    const trusted = await trustIn(browser, member)
    if (trusted.statusCode !== 200) throw new Error(`trusting failed: ${trusted.body}`)
    await browser.post(`${PREFIX}/logout`)
    return { member, browser }
  }

  /** The first factor in `browser`: what comes next. */
  async function firstFactor (browser: Browser, externalId: string): Promise<string> {
    return (await browser.post('/login', { externalId })).json().next
  }

  t.test('a passkey authentication may trust the browser: an HttpOnly cookie with a 256-bit token, of which the store keeps the digest', async (t) => {
    const alice = await scene.member('alice')
    const browser = await scene.loggedIn(alice.externalId)
    const answer = await trustIn(browser, alice)
    t.same(answer.json(), { state: 'authenticated', auth_token: `token-for-${alice.externalId}` })
    const setCookie = [answer.headers['set-cookie']].flat().find((cookie) => cookie!.startsWith(`${TRUST_COOKIE}=`))!
    const token = browser.cookies.get(TRUST_COOKIE)!
    t.match(token, /^[\w-]{43}$/, '32 bytes, base64url')
    t.match(setCookie, /; Path=\/; .*HttpOnly; SameSite=Lax$/)
    t.notMatch(setCookie, /Domain=/i)
    const expires = Date.parse(/Expires=([^;]+)/.exec(setCookie)![1]!)
    t.ok(Math.abs(expires - (mfa.clock.now + MAX_AGE)) < 1000, 'expires with the trust, 30 days on')
    const [row] = await store.listTrustedBrowsers(alice.externalId)
    t.equal(row!.key, digest(token), 'stored under its digest')
    t.notOk(JSON.stringify(await store.listTrustedBrowsers(alice.externalId)).includes(token), 'the token itself is stored nowhere')
    t.equal(row!.name, 'Chrome on Linux', 'named after the browser')
    t.match(events.at(-1), { type: 'browser-trusted', externalId: alice.externalId, trustedBrowserId: row!.id })
    t.notOk(JSON.stringify(events).includes(token), 'no event carries the token')
  })

  t.test('on that browser, the user\'s next first factor signs in with no passkey check: step-up routes still ask for the passkey', async (t) => {
    const { member, browser } = await trustedMember('bob')
    const before = (await store.listTrustedBrowsers(member.externalId))[0]!
    mfa.clock.advance(DAY)
    t.equal(await firstFactor(browser, member.externalId), 'done')
    t.match((await browser.get(`${PREFIX}/status`)).json(), { state: 'authenticated', next: 'done' })
    t.same((await browser.get('/protected')).json(), { externalId: member.externalId })
    const sensitive = await browser.get('/sensitive')
    t.equal(sensitive.statusCode, 401)
    t.equal(sensitive.json().code, 'FST_PASSKEY_MFA_STEP_UP_REQUIRED', 'no passkey check')
    t.equal((await browser.post(`${PREFIX}/recovery-codes`)).json().code, 'FST_PASSKEY_MFA_STEP_UP_REQUIRED', 'no factor change without one')
    t.equal((await stepUp(mfa, browser, member.authenticator)).statusCode, 200, 'the step-up works')
    t.equal((await browser.get('/sensitive')).statusCode, 200)
    t.equal((await store.listTrustedBrowsers(member.externalId))[0]!.lastUsedAt, before.createdAt + DAY, 'its use is recorded')
    t.match(events.filter(({ type }) => type === 'trusted-browser-used').at(-1), { externalId: member.externalId, trustedBrowserId: before.id })
  })

  t.test('the trust cookie is never a substitute for the first factor', async (t) => {
    const { member, browser } = await trustedMember('carol')
    t.same([...browser.cookies.keys()], [TRUST_COOKIE], 'only the trust cookie is left')
    await scene.assertRefused(t, { sessions: [browser], users: [member.externalId] }, async () => browser.get('/protected'),
      { status: 401, code: 'FST_PASSKEY_MFA_NOT_AUTHENTICATED' })
    await scene.assertRefused(t, { sessions: [browser], users: [member.externalId] }, async () => browser.post(`${PREFIX}/authenticate`),
      { status: 401, code: 'FST_PASSKEY_MFA_STATE_INVALID' })
    t.match((await browser.get(`${PREFIX}/status`)).json(), { state: 'anonymous' })
  })

  t.test('user A\'s trust cookie does nothing for user B: B\'s first factor still needs B\'s passkey, and A\'s trust is not used', async (t) => {
    const { member: alice, browser } = await trustedMember('dave')
    const bob = await scene.member('erin')
    const before = await store.listTrustedBrowsers(alice.externalId)
    t.equal(await firstFactor(browser, bob.externalId), 'authenticate')
    await scene.assertRefused(t, { sessions: [browser], users: [bob.externalId] }, async () => browser.get('/protected'),
      { status: 401, code: 'FST_PASSKEY_MFA_NOT_AUTHENTICATED' })
    t.same(await store.listTrustedBrowsers(alice.externalId), before, 'A\'s trust unused, unchanged')
    t.equal(await firstFactor(browser, alice.externalId), 'done', 'and still works for A')
  })

  t.test('a stolen trust cookie with a forged, planted twice or another token shape skips nothing', async (t) => {
    const { member, browser } = await trustedMember('frank')
    const token = browser.cookies.get(TRUST_COOKIE)!
    const cases: Array<[string, string]> = [
      ['flipped', `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`],
      ['the digest', digest(token)],
      ['the trusted browser\'s ID', (await store.listTrustedBrowsers(member.externalId))[0]!.id],
      ['empty', ''],
      ['too long', `${token}A`]
    ]
    for (const [name, value] of cases) {
      const other = new Browser(mfa.app)
      other.cookies.set(TRUST_COOKIE, value)
      t.equal(await firstFactor(other, member.externalId), 'authenticate', name)
    }
    const planted = await mfa.app.inject({
      method: 'POST', url: '/login', payload: { externalId: member.externalId },
      headers: { cookie: `${TRUST_COOKIE}=${token}; ${TRUST_COOKIE}=${token}`, origin: 'http://localhost', 'sec-fetch-site': 'same-origin' }
    })
    t.equal(planted.json().next, 'authenticate', 'sent twice (one may be planted by a sibling site): ignored')
  })

  t.test('revoked with the user\'s sessions and by every factor change: the next first factor asks for the passkey again', async (t) => {
    const revocations: Array<[string, (member: Member, browser: Browser) => Promise<unknown>]> = [
      ['revoking it from another device', async (member) => {
        const [trusted] = (await member.browser.get(`${PREFIX}/trusted-browsers`)).json().trustedBrowsers
        return member.browser.request('DELETE', `${PREFIX}/trusted-browsers/${trusted.id}`)
      }],
      ['revoking all', async (member) => member.browser.request('DELETE', `${PREFIX}/trusted-browsers`)],
      ['signing out everywhere', async (member) => member.browser.post(`${PREFIX}/logout`, { everywhere: true })],
      ['app.mfa.revokeUserSessions', async (member) => mfa.app.mfa.revokeUserSessions(member.externalId)],
      ['adding a passkey', async (member) => {
        await stepUp(mfa, member.browser, member.authenticator)
        return member.browser.post(`${PREFIX}/verify`, { nonce: await registerPasskey(mfa, member.browser, new SoftwareAuthenticator()) })
      }],
      ['renaming a passkey', async (member) => {
        await stepUp(mfa, member.browser, member.authenticator)
        const [passkey] = (await member.browser.get(`${PREFIX}/passkeys`)).json().passkeys
        return member.browser.request('PATCH', `${PREFIX}/passkeys/${passkey.id}`, { name: 'Renamed' })
      }],
      ['new recovery codes', async (member) => {
        await stepUp(mfa, member.browser, member.authenticator)
        return member.browser.post(`${PREFIX}/recovery-codes`)
      }],
      ['a recovery-code sign-in', async (member) => {
        await stepUp(mfa, member.browser, member.authenticator)
        const { codes } = (await member.browser.post(`${PREFIX}/recovery-codes`)).json()
        const trusting = await scene.loggedIn(member.externalId)
        await trustIn(trusting, member) // trusted again after the new codes
        return (await scene.loggedIn(member.externalId)).post(`${PREFIX}/recovery`, { code: codes[0] })
      }],
      ['app.mfa.resetUser', async (member) => mfa.app.mfa.resetUser(member.externalId)]
    ]
    for (const [name, revoke] of revocations) {
      t.test(name, async (t) => {
        const member = await scene.member('gina')
        const browser = await scene.loggedIn(member.externalId)
        t.equal((await trustIn(browser, member)).statusCode, 200)
        await browser.post(`${PREFIX}/logout`)
        await revoke(member, browser)
        t.strictSame(await store.listTrustedBrowsers(member.externalId), [], 'no trust left')
        t.not(await firstFactor(browser, member.externalId), 'done', 'the passkey step again')
        t.equal((await browser.get('/protected')).statusCode, 401)
      })
    }
  })

  t.test('a trust ends after its lifetime', async (t) => {
    const { member, browser } = await trustedMember('hal')
    mfa.clock.advance(MAX_AGE)
    t.equal(await firstFactor(browser, member.externalId), 'authenticate')
  })

  t.test('trusting needs a passkey authentication: with a registration it is refused before the nonce is spent', async (t) => {
    const newcomer = scene.newcomer('ivy')
    const browser = await scene.loggedIn(newcomer)
    const nonce = await registerPasskey(mfa, browser, new SoftwareAuthenticator())
    const refused = await scene.assertRefused(t, { sessions: [browser], users: [newcomer] },
      async () => browser.post(`${PREFIX}/verify`, { nonce, trustBrowser: true }), { status: 400, code: 'FST_PASSKEY_MFA_BODY_INVALID' })
    t.match(refused.json().message, /needs a passkey authentication/)
    t.equal((await browser.post(`${PREFIX}/verify`, { nonce })).statusCode, 200, 'the nonce still completes the enrollment')
    t.strictSame(await store.listTrustedBrowsers(newcomer), [])
    t.notOk(browser.cookies.has(TRUST_COOKIE))
  })

  t.test('a signed-in session trusts its browser only with a passkey: a step-up with trustBrowser', async (t) => {
    const jack = await scene.member('jack')
    const stolen = jack.browser.clone()
    t.equal((await trustIn(jack.browser, jack)).statusCode, 200, 'the owner, with the passkey')
    t.ok(jack.browser.cookies.has(TRUST_COOKIE))
    t.notOk(stolen.cookies.has(TRUST_COOKIE), 'a thief with the session cookie has no way to a trust without the passkey')
    t.equal((await stolen.post(`${PREFIX}/verify`, { nonce: 'x'.repeat(43), trustBrowser: true })).statusCode, 401)
    t.equal((await store.listTrustedBrowsers(jack.externalId)).length, 1)
  })

  t.test('trusting again on the same browser replaces its trust', async (t) => {
    const { member, browser } = await trustedMember('kim')
    const [first] = await store.listTrustedBrowsers(member.externalId)
    await firstFactor(browser, member.externalId)
    t.equal((await trustIn(browser, member)).statusCode, 200)
    const browsers = await store.listTrustedBrowsers(member.externalId)
    t.equal(browsers.length, 1)
    t.not(browsers[0]!.id, first!.id)
  })

  t.test('the list shows the user\'s own, this browser marked; revoking this browser clears its cookie', async (t) => {
    const { member, browser } = await trustedMember('lee')
    const other = await scene.loggedIn(member.externalId)
    mfa.clock.advance(1000)
    await trustIn(other, member)
    await firstFactor(browser, member.externalId)
    const listed = (await browser.get(`${PREFIX}/trusted-browsers`))
    t.equal(listed.headers['cache-control'], 'no-store')
    const browsers = listed.json().trustedBrowsers
    t.equal(browsers.length, 2)
    t.same(browsers.map(({ current }: { current: boolean }) => current), [true, false])
    t.match(browsers[0], { name: 'Chrome on Linux', createdAt: String, lastUsedAt: String, expiresAt: String })
    const mine = await browser.request('DELETE', `${PREFIX}/trusted-browsers/${browsers[0].id}`)
    t.equal(mine.statusCode, 204)
    t.notOk(browser.cookies.has(TRUST_COOKIE), 'cookie cleared')
    t.ok(other.cookies.has(TRUST_COOKIE))
    const theirs = await browser.request('DELETE', `${PREFIX}/trusted-browsers/${browsers[1].id}`)
    t.equal(theirs.statusCode, 204)
    t.same((await browser.get(`${PREFIX}/trusted-browsers`)).json(), { trustedBrowsers: [] })
    t.match(events.at(-1), { type: 'trusted-browser-revoked', externalId: member.externalId, trustedBrowserId: browsers[1].id })
  })

  t.test('another user\'s trusted browser cannot be revoked, and nobody past the first factor only may list or revoke', async (t) => {
    const { member: owner } = await trustedMember('mo')
    const [trusted] = await store.listTrustedBrowsers(owner.externalId)
    const attacker = await scene.member('nia')
    const refuse = async (browser: Browser, request: () => Promise<Awaited<ReturnType<Browser['post']>>>, status: number, code: string): Promise<void> => {
      await scene.assertRefused(t, { sessions: [browser], users: [owner.externalId] }, request, { status, code })
      t.same(await store.listTrustedBrowsers(owner.externalId), [trusted], 'the owner\'s trust is intact')
    }
    await refuse(attacker.browser, async () => attacker.browser.request('DELETE', `${PREFIX}/trusted-browsers/${trusted!.id}`), 404, 'FST_PASSKEY_MFA_TRUSTED_BROWSER_NOT_FOUND')
    await refuse(attacker.browser, async () => attacker.browser.request('DELETE', `${PREFIX}/trusted-browsers/not-an-id`), 404, 'FST_PASSKEY_MFA_TRUSTED_BROWSER_NOT_FOUND')
    t.same((await attacker.browser.get(`${PREFIX}/trusted-browsers`)).json(), { trustedBrowsers: [] }, 'lists only the caller\'s')
    const pending = await scene.loggedIn(owner.externalId)
    await refuse(pending, async () => pending.get(`${PREFIX}/trusted-browsers`), 401, 'FST_PASSKEY_MFA_NOT_AUTHENTICATED')
    await refuse(pending, async () => pending.request('DELETE', `${PREFIX}/trusted-browsers/${trusted!.id}`), 401, 'FST_PASSKEY_MFA_NOT_AUTHENTICATED')
    await refuse(pending, async () => pending.request('DELETE', `${PREFIX}/trusted-browsers`), 401, 'FST_PASSKEY_MFA_NOT_AUTHENTICATED')
  })
})

t.test('with trusted browsers off, trustBrowser is refused before the nonce is spent, status says so, and no cookie is read', async (t: Test) => {
  const { MemoryStore } = await import('../src/engine/stores/memory.js')
  const scene = await AttackScene.build(t, new MemoryStore())
  const olga = await scene.member('olga')
  t.match((await olga.browser.get(`${PREFIX}/status`)).json(), { trustedBrowserLifetimeMs: null })
  const browser = await scene.loggedIn(olga.externalId)
  const nonce = await authenticatePasskey(scene.mfa, browser, olga.authenticator)
  const refused = await scene.assertRefused(t, { sessions: [browser], users: [olga.externalId] },
    async () => browser.post(`${PREFIX}/verify`, { nonce, trustBrowser: true }), { status: 400, code: 'FST_PASSKEY_MFA_BODY_INVALID' })
  t.match(refused.json().message, /trusted browsers are off/)
  t.equal((await browser.post(`${PREFIX}/verify`, { nonce })).statusCode, 200)
  t.same((await browser.get(`${PREFIX}/trusted-browsers`)).json(), { trustedBrowsers: [] })
  const stranger = new Browser(scene.mfa.app)
  stranger.cookies.set(TRUST_COOKIE, 'A'.repeat(43))
  t.equal((await stranger.post('/login', { externalId: olga.externalId })).json().next, 'authenticate')
  t.equal((await stranger.request('DELETE', `${PREFIX}/trusted-browsers`)).statusCode, 401)
})
