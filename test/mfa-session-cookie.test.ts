import fastifySecureSession from '@fastify/secure-session'
import sodium from 'sodium-native'
import Fastify from 'fastify'
import type { LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import t from 'tap'
import { Browser } from './helpers/browser.js'
import { authenticate } from './helpers/ceremonies.js'
import { ORIGIN } from './helpers/engine-app.js'
import { PREFIX, SESSION_KEY, addUser, authenticatePasskey, buildMfaApp, signIn, signUp } from './helpers/mfa-app.js'
import type { MfaApp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { storedSession } from '../src/schemas/session.js'
import { fromStored } from '../src/mfa/stored-session.js'

const COOKIE = 'passkey_mfa'
const OTHER_KEY = Buffer.alloc(32, 9)
const MINUTE = 60_000
const ANONYMOUS_STATUS = { state: 'anonymous', next: 'first-factor', hasPasskeys: false, pendingUntil: null, recoveryCodesLeft: null, recovered: false, trustedBrowserLifetimeMs: null, passkeySignIn: false }

/** The `Set-Cookie` header of the session cookie in `response`, if any. */
function setCookieOf (response: LightMyRequestResponse): string | undefined {
  return [response.headers['set-cookie'] ?? []].flat().find((header) => header.startsWith(`${COOKIE}=`))
}

/** The value a response sets the session cookie to (as it travels), if any. */
function cookieValueOf (response: LightMyRequestResponse): string | undefined {
  return setCookieOf(response)?.slice(COOKIE.length + 1).split(';')[0]
}

/** A request from the app's own origin carrying exactly `value` as the session cookie. */
async function withCookie (mfa: MfaApp, method: 'GET' | 'POST', url: string, value: string, payload?: object): Promise<LightMyRequestResponse> {
  return mfa.app.inject({
    method, url, payload, headers: { cookie: `${COOKIE}=${value}`, origin: ORIGIN, 'sec-fetch-site': 'same-origin' }
  })
}

/** Seals `data` with {@link SESSION_KEY} in the sealed format, but without the seal time `__ts` that `@fastify/secure-session` adds. */
function sealWithoutTime (data: object): string {
  const message = Buffer.from(JSON.stringify(data))
  const nonce = Buffer.alloc(sodium.crypto_secretbox_NONCEBYTES, 7)
  const cipher = Buffer.alloc(message.length + sodium.crypto_secretbox_MACBYTES)
  sodium.crypto_secretbox_easy(cipher, message, nonce, SESSION_KEY)
  return `${cipher.toString('base64url')}.${nonce.toString('base64url')}`
}

/** Seals `data` the way the plugin seals a session, with `key`, as a cookie value. */
async function sealerFor (t: Test, key: Buffer): Promise<(data: unknown) => string> {
  const sealer = Fastify()
  await sealer.register(fastifySecureSession, { key, cookieName: 'sealer' })
  await sealer.ready()
  t.teardown(async () => sealer.close())
  return (data) => sealer.encodeSecureSession(sealer.createSecureSession(data as Record<string, unknown>))
    .replace(/[+/=;]/g, (character) => ({ '+': '-', '/': '_', '=': '', ';': '.' })[character] as string)
}

/** The MFA state a cookie value holds, opened with `key` (`null` when it does not open or is no state). */
async function openerFor (t: Test, key: Buffer): Promise<(value: string) => Record<string, unknown> | null> {
  const opener = Fastify()
  await opener.register(fastifySecureSession, { key, cookieName: 'opener' })
  await opener.ready()
  t.teardown(async () => opener.close())
  return (value) => {
    const data = opener.decodeSecureSession(value.replace('.', ';'))?.data()
    return storedSession.Check(data) ? fromStored(data) as unknown as Record<string, unknown> : null
  }
}

/** `value` with the character at `index` replaced by another base64 character. */
function flip (value: string, index: number): string {
  const replacement = value[index] === 'A' ? 'B' : 'A'
  return value.slice(0, index) + replacement + value.slice(index + 1)
}

/** Asserts that a session carrying `value` is anonymous everywhere and never causes a 5xx. */
async function assertAnonymous (t: Test, mfa: MfaApp, value: string, name: string): Promise<void> {
  const status = await withCookie(mfa, 'GET', `${PREFIX}/status`, value)
  t.equal(status.statusCode, 200, `${name}: /status answers`)
  t.same(status.json(), ANONYMOUS_STATUS, `${name}: /status is anonymous`)
  t.equal(cookieValueOf(status), '', `${name}: /status clears the unreadable cookie`)
  const isProtected = await withCookie(mfa, 'GET', '/protected', value)
  t.equal(isProtected.statusCode, 401, `${name}: /protected refuses`)
  t.equal(isProtected.json().code, 'FST_PASSKEY_MFA_NOT_AUTHENTICATED', `${name}: /protected says why`)
  const verify = await withCookie(mfa, 'POST', `${PREFIX}/verify`, value, { nonce: 'x'.repeat(43) })
  t.ok(verify.statusCode >= 400 && verify.statusCode < 500, `${name}: /verify refuses with a 4xx (got ${verify.statusCode})`)
  const logout = await withCookie(mfa, 'POST', `${PREFIX}/logout`, value)
  t.ok(logout.statusCode < 500, `${name}: /logout never fails (got ${logout.statusCode})`)
}

t.test('the cookie is sealed again on every level change, and logout clears it', async (t) => {
  const mfa = await buildMfaApp(t)
  const authenticator = new SoftwareAuthenticator()
  await (await signUp(mfa, 'alice', authenticator)).post(`${PREFIX}/logout`)
  const browser = new Browser(mfa.app)
  const open = await openerFor(t, SESSION_KEY)

  const firstFactor = cookieValueOf(await browser.post('/login', { externalId: 'alice' }))
  t.ok(firstFactor, 'the first factor sets the cookie')
  const nonce = await authenticatePasskey(mfa, browser, authenticator)
  const pending = browser.cookies.get(COOKIE)
  t.ok(pending, 'the passkey step keeps a cookie')
  const authenticated = cookieValueOf(await browser.post(`${PREFIX}/verify`, { nonce }))
  t.ok(authenticated, 'the verified passkey sets the cookie')
  t.equal(new Set([firstFactor, pending, authenticated]).size, 3, 'each level has a newly sealed cookie')
  t.match(open(firstFactor ?? ''), { level: 'first-factor', externalId: 'alice' })
  t.match(open(pending ?? ''), { level: 'passkey-pending', externalId: 'alice' })
  t.match(open(authenticated ?? ''), { level: 'authenticated', externalId: 'alice' })

  const again = cookieValueOf(await browser.post('/login', { externalId: 'alice' }))
  t.ok(again, 'a new first factor sets the cookie')
  t.not(open(again ?? '')?.sessionId, open(authenticated ?? '')?.sessionId, 'a new first factor starts a new session ID')

  const logout = await browser.post(`${PREFIX}/logout`)
  const cleared = setCookieOf(logout)
  t.ok(cleared, 'logout sets the cookie')
  t.equal(cookieValueOf(logout), '', 'logout empties the cookie')
  t.match(cleared, /; Expires=Thu, 01 Jan 1970 00:00:00 GMT/, 'logout expires the cookie')
  t.notOk(browser.cookies.has(COOKIE), 'the browser drops it')
})

t.test('a password-only session (policy optional) gets a cookie at the first factor, cleared at logout', async (t) => {
  const mfa = await buildMfaApp(t, { policy: 'optional' })
  addUser(mfa, 'alice')
  const browser = new Browser(mfa.app)
  t.ok(cookieValueOf(await browser.post('/login', { externalId: 'alice' })), 'the first factor sets the cookie')
  t.equal(cookieValueOf(await browser.post(`${PREFIX}/logout`)), '', 'logout empties it')
})

t.test('a tampered, truncated, empty, garbage or foreign cookie is anonymous, never a 5xx', async (t) => {
  const mfa = await buildMfaApp(t)
  const browser = await signUp(mfa, 'alice', new SoftwareAuthenticator())
  const good = browser.cookies.get(COOKIE) ?? ''
  t.equal((await withCookie(mfa, 'GET', '/protected', good)).statusCode, 200, 'the untouched cookie passes')
  const separator = good.indexOf('.')
  t.ok(separator > 0, 'the sealed value is ciphertext.nonce, base64url')

  const foreign = await buildMfaApp(t, { sessionKey: OTHER_KEY, policy: 'optional' })
  addUser(foreign, 'alice')
  const foreignBrowser = new Browser(foreign.app)
  await foreignBrowser.post('/login', { externalId: 'alice' })
  const foreignCookie = foreignBrowser.cookies.get(COOKIE) ?? ''
  t.equal((await withCookie(foreign, 'GET', '/protected', foreignCookie)).statusCode, 200, 'the foreign cookie passes in its own app')

  const seal = await sealerFor(t, SESSION_KEY)
  const now = mfa.clock.now
  const bad: Array<[string, string]> = [
    ['one ciphertext character flipped at the start', flip(good, 0)],
    ['one ciphertext character flipped in the middle', flip(good, Math.floor(separator / 2))],
    ['one nonce character flipped', flip(good, separator + 5)],
    ['the last character dropped', good.slice(0, -1)],
    ['cut in half', good.slice(0, Math.floor(good.length / 2))],
    ['only the ciphertext', good.slice(0, separator)],
    ['only the nonce', good.slice(separator + 3)],
    ['empty', ''],
    ['garbage', 'garbage'],
    ['a separator only', '.'],
    ['bad URL encoding', '%E0%A4%A'],
    ['a long run of base64', `${'A'.repeat(3000)}.${'A'.repeat(32)}`],
    ['random bytes of the right shape', `${Buffer.alloc(200, 1).toString('base64url')}.${Buffer.alloc(24, 2).toString('base64url')}`],
    ['sealed with another 32-byte key', foreignCookie],
    ['sealed right, but not an MFA state', seal({ hello: 'world' })],
    ['sealed right, an unknown level', seal({ l: 'x', s: 's', u: 'alice' })],
    ['sealed right, a time of the wrong type', seal({ l: 'a', s: 's', u: 'alice', a: 'now', e: now, k: now })],
    ['sealed right, an empty external ID', seal({ l: 'a', s: 's', u: '', a: now, e: now, k: now })],
    ['sealed right, a session ID missing', seal({ l: 'a', u: 'alice', a: now, e: now, k: now })],
    ['sealed right, an array', seal([1, 2, 3])],
    ['sealed right, past the expiry of its seal time', seal({ l: 'a', s: 's', u: 'alice', a: now, e: now, k: now, __ts: 1 })],
    ['sealed right, without a seal time', sealWithoutTime({ l: 'a', s: 's', u: 'alice', a: now, e: now, k: now })]
  ]
  for (const [name, value] of bad) await assertAnonymous(t, mfa, value, name)
  t.same(mfa.issued, ['alice'], 'no token was issued for any of them')
})

t.test('a saved copy of the cookie stops passing after logout', async (t) => {
  const mfa = await buildMfaApp(t)
  const browser = await signUp(mfa, 'alice', new SoftwareAuthenticator())
  const saved = browser.clone()
  t.equal((await saved.get('/protected')).statusCode, 200, 'the copy passes before logout')
  t.same((await browser.post(`${PREFIX}/logout`)).json(), { state: 'anonymous' })
  const refused = await saved.get('/protected')
  t.equal(refused.statusCode, 401)
  t.equal(refused.json().code, 'FST_PASSKEY_MFA_NOT_AUTHENTICATED')
  t.same((await saved.get(`${PREFIX}/status`)).json(), ANONYMOUS_STATUS)
})

t.test('a saved copy of a pending cookie cannot finish the passkey step after logout', async (t) => {
  const mfa = await buildMfaApp(t)
  const authenticator = new SoftwareAuthenticator()
  await (await signUp(mfa, 'alice', authenticator)).post(`${PREFIX}/logout`)
  const browser = new Browser(mfa.app)
  await browser.post('/login', { externalId: 'alice' })
  const nonce = await authenticatePasskey(mfa, browser, authenticator)
  const saved = browser.clone()
  await browser.post(`${PREFIX}/logout`)
  const verify = await saved.post(`${PREFIX}/verify`, { nonce })
  t.equal(verify.statusCode, 401)
  t.equal(verify.json().code, 'FST_PASSKEY_MFA_STATE_INVALID')
  t.equal((await saved.get('/protected')).statusCode, 401)
  t.same(mfa.issued, ['alice'], 'only the sign-up issued a token')
})

t.test('a new first factor in the same browser ends the authenticated session it replaces', async (t) => {
  const mfa = await buildMfaApp(t)
  const authenticator = new SoftwareAuthenticator()
  const browser = await signUp(mfa, 'alice', authenticator)
  const saved = browser.clone()
  t.same((await browser.post('/login', { externalId: 'alice' })).json(), { next: 'authenticate' })
  const refused = await saved.get('/protected')
  t.equal(refused.statusCode, 401)
  t.equal(refused.json().code, 'FST_PASSKEY_MFA_NOT_AUTHENTICATED')
  await browser.post(`${PREFIX}/verify`, { nonce: await authenticatePasskey(mfa, browser, authenticator) })
  t.equal((await browser.get('/protected')).statusCode, 200, 'the new session passes')
  t.equal((await saved.get('/protected')).statusCode, 401, 'the old copy still does not')
})

t.test('the passkey step ends at its deadline, whatever activity came before', async (t) => {
  /** First factor at 0, a new transaction at 4 min, its nonce at 4:50, verified `verifyAfterMs` after the nonce. */
  async function verifyLate (t: Test, verifyAfterMs: number): Promise<{ mfa: MfaApp, browser: Browser, verify: LightMyRequestResponse }> {
    const mfa = await buildMfaApp(t)
    const authenticator = new SoftwareAuthenticator()
    await (await signUp(mfa, 'alice', authenticator)).post(`${PREFIX}/logout`)
    const browser = new Browser(mfa.app)
    await browser.post('/login', { externalId: 'alice' })
    mfa.clock.advance(4 * MINUTE)
    t.equal((await browser.get(`${PREFIX}/status`)).json().state, 'first-factor', 'the session is used at 4 min')
    const { transactionId } = (await browser.post(`${PREFIX}/authenticate`)).json()
    t.ok(transactionId, 'a new transaction is created at 4 min')
    mfa.clock.advance(50_000)
    const scoped = { inject: async (options: { url: string }) => mfa.app.inject({ ...options, url: `${PREFIX}${options.url}` }) }
    const { nonce } = await authenticate(scoped as unknown as MfaApp['app'], authenticator, transactionId)
    mfa.clock.advance(verifyAfterMs)
    return { mfa, browser, verify: await browser.post(`${PREFIX}/verify`, { nonce }) }
  }

  t.test('one millisecond before the deadline the nonce is accepted', async (t) => {
    const { verify } = await verifyLate(t, 10_000 - 1)
    t.equal(verify.statusCode, 200)
  })

  t.test('at the deadline it is refused, although the session was used a minute ago', async (t) => {
    const { mfa, browser, verify } = await verifyLate(t, 10_000)
    t.equal(verify.statusCode, 401)
    t.equal(verify.json().code, 'FST_PASSKEY_MFA_STATE_INVALID')
    t.same((await browser.get(`${PREFIX}/status`)).json(), ANONYMOUS_STATUS)
    t.equal((await browser.get('/protected')).statusCode, 401)
    t.same(mfa.issued, ['alice'], 'no token for the late verification')
  })

  t.test('a first-factor session cannot start the passkey step after its deadline', async (t) => {
    const mfa = await buildMfaApp(t)
    await (await signUp(mfa, 'alice', new SoftwareAuthenticator())).post(`${PREFIX}/logout`)
    const browser = new Browser(mfa.app)
    await browser.post('/login', { externalId: 'alice' })
    mfa.clock.advance(5 * MINUTE)
    const started = await browser.post(`${PREFIX}/authenticate`)
    t.equal(started.statusCode, 401)
    t.equal(started.json().code, 'FST_PASSKEY_MFA_STATE_INVALID')
  })
})

t.test('the authenticated state ends after 30 minutes without a guarded request', async (t) => {
  const mfa = await buildMfaApp(t)
  const authenticator = new SoftwareAuthenticator()
  await (await signUp(mfa, 'alice', authenticator)).post(`${PREFIX}/logout`)
  const browser = await signIn(mfa, 'alice', authenticator)
  mfa.clock.advance(30 * MINUTE - 1)
  t.equal((await browser.get('/protected')).statusCode, 200, 'just before the idle timeout')
  mfa.clock.advance(30 * MINUTE - 1)
  t.equal((await browser.get('/protected')).statusCode, 200, 'the guarded request restarted the idle timeout')
  mfa.clock.advance(30 * MINUTE)
  const idle = await browser.get('/protected')
  t.equal(idle.statusCode, 401)
  t.equal(idle.json().code, 'FST_PASSKEY_MFA_NOT_AUTHENTICATED')
  t.same((await browser.get(`${PREFIX}/status`)).json(), ANONYMOUS_STATUS)
})

t.test('the authenticated state ends 12 hours after the passkey step, even with activity every 10 minutes', async (t) => {
  const mfa = await buildMfaApp(t)
  const authenticator = new SoftwareAuthenticator()
  await (await signUp(mfa, 'alice', authenticator)).post(`${PREFIX}/logout`)
  const browser = await signIn(mfa, 'alice', authenticator)
  const statuses: number[] = []
  for (let minutes = 10; minutes < 12 * 60; minutes += 10) {
    mfa.clock.advance(10 * MINUTE)
    statuses.push((await browser.get('/protected')).statusCode)
  }
  t.equal(statuses.length, 71)
  t.same(new Set(statuses), new Set([200]), 'every request up to 11h50 passes')
  mfa.clock.advance(10 * MINUTE)
  const ended = await browser.get('/protected')
  t.equal(ended.statusCode, 401, 'at 12 h the session is over')
  t.equal(ended.json().code, 'FST_PASSKEY_MFA_NOT_AUTHENTICATED')
})

t.test('key rotation: a cookie sealed with an old key is accepted and sealed again with the new key', async (t) => {
  const NEW_KEY = Buffer.alloc(32, 11)
  const old = await buildMfaApp(t)
  const oldCookie = (await signUp(old, 'alice', new SoftwareAuthenticator())).cookies.get(COOKIE) ?? ''
  const rotated = await buildMfaApp(t, { sessionKey: [NEW_KEY, SESSION_KEY] })
  const onlyNew = await buildMfaApp(t, { sessionKey: NEW_KEY })

  t.equal((await withCookie(onlyNew, 'GET', '/protected', oldCookie)).statusCode, 401, 'the new key alone does not open the old cookie')
  const accepted = await withCookie(rotated, 'GET', '/protected', oldCookie)
  t.equal(accepted.statusCode, 200, 'the old key still opens it')
  t.same(accepted.json(), { externalId: 'alice' })
  const resealed = cookieValueOf(accepted)
  t.ok(resealed, 'the answer seals the cookie again')
  t.not(resealed, oldCookie)

  const open = await openerFor(t, NEW_KEY)
  t.match(open(resealed ?? ''), { level: 'authenticated', externalId: 'alice' }, 'sealed with the new key')
  t.equal((await withCookie(onlyNew, 'GET', '/protected', resealed ?? '')).statusCode, 200, 'the new key alone opens it')
  t.equal((await withCookie(old, 'GET', '/protected', resealed ?? '')).statusCode, 401, 'the old key alone does not')
  const next = await withCookie(rotated, 'GET', '/protected', resealed ?? '')
  t.equal(next.statusCode, 200)
  t.equal(setCookieOf(next), undefined, 'a cookie sealed with the current key is not sealed again')
})
