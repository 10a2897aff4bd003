import t from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import { Browser } from './helpers/browser.js'
import { MemoryStore } from '../src/engine/stores/memory.js'
import { PREFIX, addUser, buildMfaApp, registerPasskey, stepUp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'

const COOKIE_NAME = 'passkey_mfa'
const MAX_BYTES = 512
const LONGEST_ID = 'u'.repeat(128)
/**
 * Sealings measured per state. The value travels as base64url, whose length depends only on what is
 * sealed; several sealings guard against a regression to an encoding whose size varies (URL-encoded base64).
 */
const SAMPLES = 10

/** The size in bytes of the session cookie value a response sets, as it travels; fails the test when none is set. */
function cookieBytes (t: Test, response: LightMyRequestResponse): number {
  const setCookie = [response.headers['set-cookie'] ?? []].flat().find((header) => header.startsWith(`${COOKIE_NAME}=`))
  if (setCookie === undefined) {
    t.fail(`no ${COOKIE_NAME} cookie was set by ${response.raw.req.method} ${response.raw.req.url}`)
    return 0
  }
  return Buffer.byteLength(setCookie.slice(COOKIE_NAME.length + 1).split(';')[0])
}

/** The largest session cookie of `SAMPLES` sealings of one state, each made by `reseal`. */
async function largestCookie (t: Test, reseal: () => Promise<LightMyRequestResponse>): Promise<number> {
  let largest = 0
  for (let i = 0; i < SAMPLES; i++) largest = Math.max(largest, cookieBytes(t, await reseal()))
  return largest
}

/** A store whose user revocations are all at the largest position a cookie can hold, the longest revocation epoch. */
class LastPositionStore extends MemoryStore {
  override async userRevokedAt (): Promise<number> {
    return Number.MAX_SAFE_INTEGER
  }
}

t.test('the session cookie stays under 512 bytes in every state, with a 128-character external ID and the longest epoch', async (t) => {
  const mfa = await buildMfaApp(t, { store: new LastPositionStore() })
  addUser(mfa, LONGEST_ID)
  const browser = new Browser(mfa.app)
  const sizes = new Map<string, number>()

  sizes.set('first-factor', await largestCookie(t, async () => browser.post('/login', { externalId: LONGEST_ID })))
  t.equal((await browser.get(`${PREFIX}/status`)).json().state, 'first-factor')

  sizes.set('passkey-pending', await largestCookie(t, async () => browser.post(`${PREFIX}/register`)))
  t.equal((await browser.get(`${PREFIX}/status`)).json().state, 'passkey-pending')

  const authenticator = new SoftwareAuthenticator()
  const verified = await browser.post(`${PREFIX}/verify`, { nonce: await registerPasskey(mfa, browser, authenticator) })
  t.equal(verified.json().state, 'authenticated')
  sizes.set('authenticated', Math.max(cookieBytes(t, verified), await largestCookie(t, async () => {
    mfa.clock.advance(61_000)
    return browser.get('/protected')
  })))

  t.equal((await stepUp(mfa, browser, authenticator)).statusCode, 200, 'confirmed with the passkey, so it may add one')
  sizes.set('authenticated, adding a passkey', await largestCookie(t, async () => browser.post(`${PREFIX}/register`)))
  t.equal((await browser.get(`${PREFIX}/status`)).json().state, 'authenticated')

  const [code] = (await browser.post(`${PREFIX}/recovery-codes`)).json().codes
  const recovering = new Browser(mfa.app)
  await recovering.post('/login', { externalId: LONGEST_ID })
  t.equal((await recovering.post(`${PREFIX}/recovery`, { code })).statusCode, 200, 'signed in with a recovery code')
  sizes.set('recovered, adding a passkey', await largestCookie(t, async () => recovering.post(`${PREFIX}/register`)))

  for (const [state, size] of sizes) {
    t.ok(size > 0, `${state}: a cookie was set`)
    t.ok(size < MAX_BYTES, `${state}: the largest of ${SAMPLES} cookie values is ${size} bytes, under ${MAX_BYTES}`)
  }
})
