import { randomBytes } from 'node:crypto'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import t from 'tap'
import { Browser } from './helpers/browser.js'
import { authenticate, register } from './helpers/ceremonies.js'
import type { CeremonyResult } from './helpers/ceremonies.js'
import { PREFIX, addUser, buildMfaApp } from './helpers/mfa-app.js'
import type { MfaApp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import type { AuditEvent } from '../src/index.js'

const COOKIE = 'passkey_mfa'

/** A pino log line. */
interface LogLine {
  level: number
  msg?: string
  reqId?: string
  event?: string
  code?: string
  reason?: string
  externalId?: string
  req?: { url?: string }
  [key: string]: unknown
}

/** Everything secret the flow handed out, by kind. */
class Secrets {
  readonly byKind = new Map<string, Set<string>>()

  add (kind: string, value: unknown): void {
    if (typeof value !== 'string' || value === '') return
    const values = this.byKind.get(kind) ?? new Set<string>()
    values.add(value)
    this.byKind.set(kind, values)
  }

  /** Records every session cookie value `response` sets, encoded, decoded and as its two sealed parts. */
  addCookies (response: LightMyRequestResponse): void {
    for (const header of [response.headers['set-cookie'] ?? []].flat()) {
      if (!header.startsWith(`${COOKIE}=`)) continue
      this.addCookie(header.slice(COOKIE.length + 1).split(';')[0])
    }
  }

  addCookie (value: string): void {
    this.add('cookie', value)
    const decoded = decodeURIComponent(value)
    this.add('cookie', decoded)
    for (const part of decoded.split(';')) this.add('cookie', part)
  }

  /** Records a ceremony's transaction, handshake, challenge and nonce. */
  addCeremony (transactionId: string, { start, finish }: CeremonyResult): void {
    this.add('transaction ID', transactionId)
    const { handshake } = start.json()
    this.add('handshake ID', handshake?.id)
    this.add('challenge', handshake?.challenge?.publicKey?.challenge)
    this.add('nonce', finish.json().nonce)
  }
}

/** A browser that records the cookies it is given. */
class RecordingBrowser extends Browser {
  readonly #secrets: Secrets

  constructor (app: FastifyInstance, secrets: Secrets) {
    super(app)
    this.#secrets = secrets
  }

  override async request (method: InjectOptions['method'], url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const response = await super.request(method, url, payload, headers)
    this.#secrets.addCookies(response)
    const json = response.headers['content-type']?.toString().startsWith('application/json') === true ? response.json() : {}
    this.#secrets.add('transaction ID', json.transactionId)
    this.#secrets.add('token', json.auth_token)
    return response
  }
}

/** The engine routes under the plugin's prefix, for the ceremony helpers. */
function engineRoutes (mfa: MfaApp): FastifyInstance {
  return { inject: async (options: { url: string }) => mfa.app.inject({ ...options, url: `${PREFIX}${options.url}` }) } as unknown as FastifyInstance
}

t.test('every authentication event is logged and handed to onEvent, and neither holds a secret', async (t) => {
  const lines: string[] = []
  const tokens: string[] = []
  const audited: AuditEvent[] = []
  const mfa = await buildMfaApp(t, {
    onEvent: (event) => { audited.push(event) },
    logger: { level: 'debug', stream: { write (line: string) { lines.push(line) } } },
    issueToken: async () => {
      const token = randomBytes(24).toString('base64url')
      tokens.push(token)
      return token
    }
  })
  addUser(mfa, 'alice')
  const secrets = new Secrets()
  const authenticator = new SoftwareAuthenticator()
  const browser = new RecordingBrowser(mfa.app, secrets)

  // sign-up: first factor, enrollment, a wrong nonce, then the right one
  t.same((await browser.post('/login', { externalId: 'alice' })).json(), { next: 'enroll' })
  const enrollId = (await browser.post(`${PREFIX}/register`)).json().transactionId
  const enrollment = await register(engineRoutes(mfa), authenticator, enrollId)
  secrets.addCeremony(enrollId, enrollment)
  const wrongNonce = randomBytes(32).toString('base64url')
  secrets.add('nonce', wrongNonce)
  const refused = await browser.post(`${PREFIX}/verify`, { nonce: wrongNonce })
  t.equal(refused.statusCode, 401)
  t.equal(refused.json().code, 'FST_PASSKEY_MFA_NONCE_INVALID')
  t.equal((await browser.post(`${PREFIX}/verify`, { nonce: enrollment.nonce })).statusCode, 200)
  t.equal((await browser.post(`${PREFIX}/logout`)).statusCode, 200)

  // sign-in: a bad assertion, a tampered cookie, a cross-site verify and logout, then success and logout
  await browser.post('/login', { externalId: 'alice' })
  const badId = (await browser.post(`${PREFIX}/authenticate`)).json().transactionId
  const bad = await authenticate(engineRoutes(mfa), authenticator, badId, { flipSignatureBit: true })
  secrets.addCeremony(badId, bad)
  t.equal(bad.finish.statusCode, 401)
  t.equal(bad.finish.json().code, 'FST_PASSKEY_MFA_AUTHENTICATION_REJECTED')
  const goodId = (await browser.post(`${PREFIX}/authenticate`)).json().transactionId
  const good = await authenticate(engineRoutes(mfa), authenticator, goodId)
  secrets.addCeremony(goodId, good)
  const live = browser.cookies.get(COOKIE) ?? ''
  const tampered = `${live[0] === 'A' ? 'B' : 'A'}${live.slice(1)}`
  secrets.addCookie(tampered)
  const unreadable = await mfa.app.inject({ method: 'GET', url: `${PREFIX}/status`, headers: { cookie: `${COOKIE}=${tampered}` } })
  t.equal(unreadable.json().state, 'anonymous')
  const crossSite = await browser.request('POST', `${PREFIX}/verify`, { nonce: good.nonce }, { origin: 'https://evil.example' })
  t.equal(crossSite.json().code, 'FST_PASSKEY_MFA_CROSS_SITE_REQUEST')
  t.equal((await browser.post(`${PREFIX}/verify`, { nonce: good.nonce })).statusCode, 200)
  t.equal((await browser.request('POST', `${PREFIX}/logout`, {}, { 'sec-fetch-site': 'cross-site' })).statusCode, 403)
  t.equal((await browser.post(`${PREFIX}/logout`)).statusCode, 200)
  for (const token of tokens) secrets.add('token', token)

  const logs = lines.map((line) => JSON.parse(line) as LogLine)
  const events = (event: string): LogLine[] => logs.filter((line) => line.event === event)
  t.equal(events('first-factor-completed').length, 2, 'both first factors are logged')
  t.equal(events('transaction-created').length, 3, 'every transaction is logged')
  t.equal(events('nonce-redeemed').length, 2, 'both redeemed nonces are logged')
  t.equal(events('ceremony-succeeded').length, 2, 'both successful ceremonies are logged')
  t.match(events('ceremony-failed'), [{ externalId: 'alice', kind: 'authenticate', code: 'FST_PASSKEY_MFA_AUTHENTICATION_REJECTED', reason: 'signature' }], 'the failed ceremony is logged with its user and reason')
  t.match(events('passkey-added'), [{ externalId: 'alice' }], 'the added passkey is logged')
  t.match(events('nonce-refused'), [{ externalId: 'alice', code: 'FST_PASSKEY_MFA_NONCE_INVALID' }], 'the refused nonce is logged')
  t.equal(events('logout').length, 2, 'both logouts are logged')
  t.equal(events('cross-site-refused').length, 2, 'both cross-site requests are logged')
  for (const event of ['first-factor-completed', 'transaction-created', 'nonce-redeemed', 'nonce-refused', 'logout', 'ceremony-succeeded', 'ceremony-failed', 'passkey-added']) {
    t.ok(events(event).every((line) => line.externalId === 'alice' && line.level >= 30), `${event}: at info or above, with the user`)
  }

  t.ok(logs.some((line) => line.level === 20 && /unreadable session cookie/.test(line.msg ?? '')), 'the tampered cookie is logged at debug')

  const requestIdsOf = (path: string): Set<string | undefined> => new Set(logs.filter((line) => line.req?.url?.includes(path) === true).map((line) => line.reqId))
  const finishRequests = requestIdsOf('/authenticate/transactions/webauthn/finish')
  const ceremonyLines = logs.filter((line) => finishRequests.has(line.reqId) && line.level >= 30 && /ceremony/.test(line.msg ?? ''))
  t.match(ceremonyLines, [
    { msg: /ceremony failed/, kind: 'authenticate', code: 'FST_PASSKEY_MFA_AUTHENTICATION_REJECTED', reason: 'signature' },
    { msg: /ceremony succeeded/, kind: 'authenticate' }
  ], 'the engine routes log the refused and the successful authentication ceremony')
  const registerFinish = requestIdsOf('/register/transactions/webauthn/finish')
  t.ok(logs.some((line) => registerFinish.has(line.reqId) && /ceremony succeeded/.test(line.msg ?? '') && line.kind === 'register'), 'and the registration ceremony')

  t.same(audited.map((event) => event.type), logs.filter((line) => line.event !== undefined).map((line) => line.event), 'onEvent receives every logged event, in order')
  t.ok(audited.every((event) => event.address === '127.0.0.1' && event.at === mfa.clock.now), 'each event has the address and the time')
  t.ok(audited.filter((event) => event.type !== 'cross-site-refused').every((event) => event.externalId === 'alice'), 'and its user')
  lines.push(...audited.map((event) => JSON.stringify(event)))

  const expected: Record<string, number> = { nonce: 3, 'transaction ID': 3, 'handshake ID': 3, challenge: 3, token: 2, cookie: 8 }
  for (const [kind, least] of Object.entries(expected)) {
    t.ok((secrets.byKind.get(kind)?.size ?? 0) >= least, `at least ${least} ${kind}s were seen in the flow`)
  }
  for (const [kind, values] of secrets.byKind) {
    const leaks = [...values].flatMap((value) => lines.filter((line) => line.includes(value)).map((line) => `${value} in ${line}`))
    t.same(leaks, [], `no log line or event holds a ${kind} (${values.size} checked over ${lines.length} lines)`)
  }
})

t.test('a throwing onEvent is logged at error and the request goes on', async (t) => {
  const lines: string[] = []
  const mfa = await buildMfaApp(t, {
    logger: { level: 'info', stream: { write (line: string) { lines.push(line) } } },
    onEvent: () => { throw new Error('audit sink down') }
  })
  addUser(mfa, 'alice')
  const browser = new Browser(mfa.app)
  t.same((await browser.post('/login', { externalId: 'alice' })).json(), { next: 'enroll' })
  t.ok(lines.some((line) => /the audit listener threw/.test(line) && JSON.parse(line).level === 50))
})
