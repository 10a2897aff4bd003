import Fastify from 'fastify'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import t from 'tap'
import fastifyPasskeyMfa from '../src/index.js'
import { PasskeyEngine } from '../src/engine/engine.js'
import { MemoryStore } from '../src/engine/stores/memory.js'
import { Browser } from './helpers/browser.js'
import { authenticate, register } from './helpers/ceremonies.js'
import { APP_ID } from './helpers/engine-app.js'
import { PREFIX, SESSION_KEY, addUser, authenticatePasskey, buildMfaApp, registerPasskey, signUp, stepUp } from './helpers/mfa-app.js'
import type { MfaApp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'

const COOKIE = 'passkey_mfa'
const HTTPS_ORIGIN = 'https://example.com'
/** The default name over https: a sibling subdomain cannot set a `__Host-` cookie the browser would send here. */
const HOST_COOKIE = '__Host-passkey_mfa'

/** The `Set-Cookie` header of the session cookie (named `name`) in `response`, if any. */
function setCookieOfNamed (response: LightMyRequestResponse, name: string): string | undefined {
  return [response.headers['set-cookie'] ?? []].flat().find((header) => header.startsWith(`${name}=`))
}

/** The `Set-Cookie` header of the session cookie in `response`, if any. */
function setCookieOf (response: LightMyRequestResponse): string | undefined {
  return setCookieOfNamed(response, COOKIE)
}

/** The attributes of a `Set-Cookie` header, names lower-cased, flags mapped to `true`. */
function attributesOf (header: string | undefined): Map<string, string | true> {
  const [, ...attributes] = (header ?? '').split(';').map((part) => part.trim())
  return new Map(attributes.map((attribute) => {
    const [name, ...value] = attribute.split('=')
    return [name.toLowerCase(), value.length === 0 ? true : value.join('=')]
  }))
}

/** Asserts the attributes every session cookie must have, `secure` or not. */
function assertAttributes (t: Test, header: string | undefined, { secure, sameSite }: { secure: boolean, sameSite: 'Lax' | 'Strict' }, name: string): void {
  t.ok(header, `${name}: the session cookie is set`)
  const attributes = attributesOf(header)
  t.equal(attributes.get('httponly'), true, `${name}: HttpOnly`)
  t.equal(attributes.get('samesite'), sameSite, `${name}: SameSite=${sameSite}`)
  t.equal(attributes.get('path'), '/', `${name}: Path=/`)
  t.notOk(attributes.has('domain'), `${name}: no Domain`)
  t.equal(attributes.get('secure'), secure ? true : undefined, `${name}: ${secure ? '' : 'not '}Secure`)
}

/** A host app whose engine serves `https://example.com` (not one of the test helpers' local http origins). */
async function buildHttpsApp (t: Test): Promise<FastifyInstance> {
  const engine = new PasskeyEngine({
    appId: APP_ID, rpId: 'example.com', rpName: 'Test', origins: [HTTPS_ORIGIN], store: new MemoryStore(), sweepIntervalMs: 0
  })
  const app = Fastify()
  await app.register(fastifyPasskeyMfa, {
    sessionKey: SESSION_KEY,
    engine,
    findUser: async (externalId) => ({ externalId, displayName: `${externalId}@example.com` }),
    issueToken: async (user) => `token-for-${user.externalId}`
  })
  app.post<{ Body: { externalId: string } }>('/login', async (request) => ({
    next: await request.mfa.completeFirstFactor({ externalId: request.body.externalId, displayName: request.body.externalId })
  }))
  t.teardown(async () => {
    await app.close()
    await engine.close()
  })
  return app
}

/** The app seen through the ceremony helpers, every request carrying `cookie` (the browser's session). */
function engineRoutesWithCookie (mfa: MfaApp, cookie: string): FastifyInstance {
  const inject = async (options: InjectOptions & { url: string }): Promise<LightMyRequestResponse> => mfa.app.inject({
    ...options, url: `${PREFIX}${options.url}`, headers: { ...options.headers, cookie: `${COOKIE}=${cookie}` }
  })
  return { inject } as unknown as FastifyInstance
}

t.test('the session cookie is HttpOnly, SameSite=Lax, Path=/, no Domain, not Secure on local http', async (t) => {
  const mfa = await buildMfaApp(t)
  addUser(mfa, 'alice')
  const browser = new Browser(mfa.app)
  const expected = { secure: false, sameSite: 'Lax' } as const
  assertAttributes(t, setCookieOf(await browser.post('/login', { externalId: 'alice' })), expected, 'first factor')
  const authenticator = new SoftwareAuthenticator()
  const nonce = await registerPasskey(mfa, browser, authenticator)
  assertAttributes(t, setCookieOf(await browser.post(`${PREFIX}/verify`, { nonce })), expected, 'verified')
  assertAttributes(t, setCookieOf(await stepUp(mfa, browser, authenticator)), expected, 'confirmed with the passkey')
  assertAttributes(t, setCookieOf(await browser.post(`${PREFIX}/register`)), expected, 'adding a passkey')
  assertAttributes(t, setCookieOf(await browser.post(`${PREFIX}/logout`)), expected, 'logout')
})

t.test('option sameSite strict gives SameSite=Strict', async (t) => {
  const mfa = await buildMfaApp(t, { sameSite: 'strict' })
  addUser(mfa, 'alice')
  const browser = new Browser(mfa.app)
  const expected = { secure: false, sameSite: 'Strict' } as const
  assertAttributes(t, setCookieOf(await browser.post('/login', { externalId: 'alice' })), expected, 'first factor')
  assertAttributes(t, setCookieOf(await browser.post(`${PREFIX}/logout`)), expected, 'logout')
})

t.test('the session cookie is Secure and __Host- prefixed when the engine serves https origins', async (t) => {
  const app = await buildHttpsApp(t)
  const expected = { secure: true, sameSite: 'Lax' } as const
  const login = await app.inject({ method: 'POST', url: '/login', payload: { externalId: 'alice' } })
  t.same(login.json(), { next: 'enroll' })
  t.notOk(setCookieOf(login), `no cookie named ${COOKIE}`)
  const header = setCookieOfNamed(login, HOST_COOKIE)
  assertAttributes(t, header, expected, 'first factor')
  const cookie = (header ?? '').split(';')[0]
  const headers = { cookie, origin: HTTPS_ORIGIN, 'sec-fetch-site': 'same-origin' }
  const pending = await app.inject({ method: 'POST', url: `${PREFIX}/register`, headers })
  t.equal(pending.statusCode, 200)
  assertAttributes(t, setCookieOfNamed(pending, HOST_COOKIE), expected, 'passkey pending')
  assertAttributes(t, setCookieOfNamed(await app.inject({ method: 'POST', url: `${PREFIX}/logout`, headers }), HOST_COOKIE), expected, 'logout')

  const local = await app.inject({
    method: 'POST', url: `${PREFIX}/logout`, headers: { cookie, origin: 'http://localhost:3000', host: 'localhost:3000' }
  })
  t.equal(local.statusCode, 403, 'the allowed origins are the configured ones, not the Host header')
  t.equal(local.json().code, 'FST_PASSKEY_MFA_CROSS_SITE_REQUEST')
})

t.test('state-changing routes refuse cross-site requests and change nothing', async (t) => {
  const mfa = await buildMfaApp(t)
  const authenticator = new SoftwareAuthenticator()
  const browser = await signUp(mfa, 'alice', authenticator)
  await stepUp(mfa, browser, authenticator)
  await browser.post(`${PREFIX}/verify`, { nonce: await registerPasskey(mfa, browser, new SoftwareAuthenticator()) })
  const nonce = await authenticatePasskey(mfa, browser, authenticator)
  const passkeysBefore = (await browser.get(`${PREFIX}/passkeys`)).json().passkeys
  t.equal(passkeysBefore.length, 2)
  const cookieBefore = browser.cookies.get(COOKIE)
  const statusBefore = (await browser.get(`${PREFIX}/status`)).json()

  const crossSite: Array<[string, Record<string, string>]> = [
    ['Origin of another site', { origin: 'https://evil.example' }],
    ['Origin of another site, claimed same-origin', { origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' }],
    ['Origin of another site, Host header to match', { origin: 'http://evil.example', host: 'evil.example' }],
    ['Origin on another port of the same host', { origin: 'http://localhost:3001' }],
    ['Origin extending the allowed one', { origin: 'http://localhost:3000.evil.example' }],
    ['Origin null', { origin: 'null' }],
    ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site same-site', { 'sec-fetch-site': 'same-site' }]
  ]
  const id = passkeysBefore[1].id
  const routes: Array<[InjectOptions['method'], string, object | undefined]> = [
    ['POST', `${PREFIX}/register`, {}],
    ['POST', `${PREFIX}/authenticate`, {}],
    ['POST', `${PREFIX}/verify`, { nonce }],
    ['POST', `${PREFIX}/logout`, {}],
    ['PATCH', `${PREFIX}/passkeys/${id}`, { name: 'Evil' }],
    ['DELETE', `${PREFIX}/passkeys/${id}`, undefined]
  ]
  for (const [method, url, payload] of routes) {
    for (const [name, headers] of crossSite) {
      const response = await browser.request(method, url, payload, headers)
      t.equal(response.statusCode, 403, `${method} ${url}, ${name}: 403`)
      t.equal(response.json().code, 'FST_PASSKEY_MFA_CROSS_SITE_REQUEST', `${method} ${url}, ${name}: coded`)
      t.equal(setCookieOf(response), undefined, `${method} ${url}, ${name}: no cookie set`)
    }
  }

  t.equal(browser.cookies.get(COOKIE), cookieBefore, 'the browser holds the same cookie')
  t.same((await browser.get(`${PREFIX}/status`)).json(), statusBefore, 'the session is where it was')
  t.equal((await browser.get('/protected')).statusCode, 200, 'the session was not logged out')
  t.same((await browser.get(`${PREFIX}/passkeys`)).json().passkeys, passkeysBefore, 'no passkey was renamed or revoked')
  const verified = await browser.post(`${PREFIX}/verify`, { nonce })
  t.equal(verified.statusCode, 200, 'the pending transaction and its nonce survived the refused requests')
  t.same(mfa.issued, ['alice'], 'no token was issued')
})

t.test('a cross-site request cannot start the passkey step of a first-factor session', async (t) => {
  const mfa = await buildMfaApp(t)
  addUser(mfa, 'alice')
  const browser = new Browser(mfa.app)
  await browser.post('/login', { externalId: 'alice' })
  const refused = await browser.request('POST', `${PREFIX}/register`, {}, { 'sec-fetch-site': 'cross-site' })
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().code, 'FST_PASSKEY_MFA_CROSS_SITE_REQUEST')
  t.equal((await browser.get(`${PREFIX}/status`)).json().state, 'first-factor')
})

t.test('requests without Origin and Sec-Fetch-Site (no browser) and same-origin ones are not refused', async (t) => {
  const mfa = await buildMfaApp(t)
  addUser(mfa, 'alice')
  const browser = new Browser(mfa.app)
  await browser.post('/login', { externalId: 'alice' })
  const cookie = `${COOKIE}=${browser.cookies.get(COOKIE) ?? ''}`
  const bare = await mfa.app.inject({ method: 'POST', url: `${PREFIX}/register`, headers: { cookie } })
  t.equal(bare.statusCode, 200)
  const typed = await mfa.app.inject({ method: 'POST', url: `${PREFIX}/logout`, headers: { cookie, 'sec-fetch-site': 'none' } })
  t.equal(typed.statusCode, 200)
})

t.test('GET /status is not refused cross-site, and no GET changes state', async (t) => {
  const mfa = await buildMfaApp(t)
  const browser = await signUp(mfa, 'alice', new SoftwareAuthenticator())
  const status = await browser.request('GET', `${PREFIX}/status`, undefined, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' })
  t.equal(status.statusCode, 200)
  t.equal(status.json().state, 'authenticated')
  for (const path of ['/register', '/authenticate', '/verify', '/logout']) {
    const answer = await browser.get(`${PREFIX}${path}`)
    t.same([answer.statusCode, answer.json().code], [404, 'FST_PASSKEY_MFA_ROUTE_NOT_FOUND'], `GET ${path} is no route`)
  }
  t.equal((await browser.get('/protected')).statusCode, 200, 'still signed in')
})

t.test('the engine routes carry no session cookie', async (t) => {
  const mfa = await buildMfaApp(t)
  const authenticator = new SoftwareAuthenticator()
  const stale = (await signUp(mfa, 'alice', authenticator)).cookies.get(COOKIE) ?? ''
  mfa.clock.advance(31 * 60_000)
  const timedOut = await mfa.app.inject({ method: 'GET', url: '/protected', headers: { cookie: `${COOKIE}=${stale}` } })
  t.equal(timedOut.statusCode, 401, 'the stale cookie has timed out')
  t.ok(setCookieOf(timedOut), 'a route that reads it clears it')

  const browser = new Browser(mfa.app)
  await browser.post('/login', { externalId: 'alice' })
  for (const name of ['the live pending session cookie', 'a timed-out cookie']) {
    const { transactionId } = (await browser.post(`${PREFIX}/authenticate`)).json()
    const cookie = name === 'a timed-out cookie' ? stale : browser.cookies.get(COOKIE) ?? ''
    const ceremony = await authenticate(engineRoutesWithCookie(mfa, cookie), authenticator, transactionId)
    t.equal(ceremony.finish.statusCode, 200, `${name}: the ceremony finishes`)
    t.equal(ceremony.start.headers['set-cookie'], undefined, `${name}: start sets no cookie`)
    t.equal(ceremony.finish.headers['set-cookie'], undefined, `${name}: finish sets no cookie`)
  }

  addUser(mfa, 'bob')
  const enrolling = new Browser(mfa.app)
  await enrolling.post('/login', { externalId: 'bob' })
  const { transactionId } = (await enrolling.post(`${PREFIX}/register`)).json()
  const ceremony = await register(engineRoutesWithCookie(mfa, stale), new SoftwareAuthenticator(), transactionId)
  t.equal(ceremony.finish.statusCode, 200, 'the registration ceremony finishes')
  t.equal(ceremony.start.headers['set-cookie'], undefined, 'register start sets no cookie')
  t.equal(ceremony.finish.headers['set-cookie'], undefined, 'register finish sets no cookie')
})

t.test('a request carrying the session cookie twice is anonymous and the cookie is cleared', async (t) => {
  const mfa = await buildMfaApp(t)
  const alice = (await signUp(mfa, 'alice', new SoftwareAuthenticator())).cookies.get(COOKIE) ?? ''
  const planted = (await signUp(mfa, 'mallory', new SoftwareAuthenticator())).cookies.get(COOKIE) ?? ''
  for (const [name, cookie] of [
    ['planted first', `${COOKIE}=${planted}; ${COOKIE}=${alice}`],
    ['planted last', `${COOKIE}=${alice}; other=1; ${COOKIE}=${planted}`],
    ['the same value twice', `${COOKIE}=${alice};${COOKIE}=${alice}`]
  ]) {
    const response = await mfa.app.inject({ method: 'GET', url: '/protected', headers: { cookie } })
    t.same([response.statusCode, response.json().code], [401, 'FST_PASSKEY_MFA_NOT_AUTHENTICATED'], `${name}: refused`)
    t.match(setCookieOf(response), /^passkey_mfa=;.*Expires=Thu, 01 Jan 1970/, `${name}: the cookie is cleared`)
  }
  const single = await mfa.app.inject({ method: 'GET', url: '/protected', headers: { cookie: `x${COOKIE}=1; ${COOKIE}=${alice}` } })
  t.equal(single.statusCode, 200, 'a cookie whose name merely ends like it does not count')
})

t.test('a __Host- or __Secure- cookie name needs https origins', async (t) => {
  for (const cookieName of ['__Host-mfa', '__Secure-mfa']) {
    const app = Fastify()
    await t.rejects(async () => app.register(fastifyPasskeyMfa, {
      sessionKey: SESSION_KEY,
      engine: { rpId: 'localhost', rpName: 'Test', origins: ['http://localhost:3000'], store: new MemoryStore(), sweepIntervalMs: 0 },
      findUser: async () => null,
      issueToken: async () => 'token',
      cookieName
    }).ready(), { code: 'FST_PASSKEY_MFA_OPTIONS_INVALID', message: /cookieName/ })
    await app.close()
  }
})
