import t from 'tap'
import type { Test } from 'tap'
import { digest, randomToken } from '../src/engine/tokens.js'
import type { NonceClaims } from '../src/engine/store.js'
import { MemoryStore } from '../src/engine/stores/memory.js'
import { Browser } from './helpers/browser.js'
import { PREFIX, addUser, authenticatePasskey, buildMfaApp, registerPasskey, signUp } from './helpers/mfa-app.js'
import type { MfaApp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'

// Invariant 2: a nonce is accepted only if it was issued for the transaction recorded in this
// session, of that transaction's kind, for this session's user.

const MISMATCH = 'FST_PASSKEY_MFA_NONCE_MISMATCH'

interface Setup {
  mfa: MfaApp
  store: MemoryStore
  alice: SoftwareAuthenticator
  bob: SoftwareAuthenticator
}

/** alice and bob, each with a passkey. */
async function setup (t: Test): Promise<Setup> {
  const store = new MemoryStore()
  const mfa = await buildMfaApp(t, { store })
  const alice = new SoftwareAuthenticator()
  const bob = new SoftwareAuthenticator()
  await signUp(mfa, 'alice', alice)
  await signUp(mfa, 'bob', bob)
  t.same(mfa.issued, ['alice', 'bob'])
  return { mfa, store, alice, bob }
}

async function statusOf (browser: Browser): Promise<{ state: string, next: string }> {
  return (await browser.get(`${PREFIX}/status`)).json()
}

/** A session of `externalId` past the first factor. */
async function loggedIn (mfa: MfaApp, externalId: string): Promise<Browser> {
  const browser = new Browser(mfa.app)
  await browser.post('/login', { externalId })
  return browser
}

/** A session of `externalId` in passkey-pending with an authenticate transaction; returns its ID. */
async function pending (mfa: MfaApp, externalId: string): Promise<{ browser: Browser, transactionId: string }> {
  const browser = await loggedIn(mfa, externalId)
  const response = await browser.post(`${PREFIX}/authenticate`)
  return { browser, transactionId: response.json().transactionId }
}

/**
 * Posts `nonce` to `/verify` of `browser` and checks it is refused with `status`/`code`, that the
 * session stays in `state`, and that no token was issued.
 */
async function assertRefused (
  t: Test, mfa: MfaApp, browser: Browser, nonce: unknown, { status, code, state }: { status: number, code: string, state: string }
): Promise<void> {
  const issued = [...mfa.issued]
  const response = await browser.post(`${PREFIX}/verify`, { nonce })
  t.equal(response.statusCode, status, `verify answers ${status}`)
  t.equal(response.json().code, code, `verify answers ${code}`)
  t.notOk('auth_token' in response.json(), 'no token in the answer')
  t.equal((await statusOf(browser)).state, state, `the session is still ${state}`)
  t.same(mfa.issued, issued, 'issueToken was not called')
  t.equal((await browser.get('/protected')).statusCode, state === 'authenticated' ? 200 : 401, 'the guard did not change its answer')
}

/** What a planted nonce claims: its user, kind and the transaction it was issued for. */
type PlantedClaims = Omit<NonceClaims, 'passkeyId'> & { transactionId: string }

/**
 * Stores a nonce with the given claims the way an authentication finish does (recording a use of
 * `carrier`'s first passkey), so that each claim can be made wrong on its own.
 */
async function plantNonce (mfa: MfaApp, store: MemoryStore, carrier: string, { transactionId, ...claims }: PlantedClaims): Promise<string> {
  const [passkey] = await store.listPasskeys(carrier)
  const nonce = randomToken()
  const use = { id: passkey.id, previousCounter: passkey.counter, counter: passkey.counter, backedUp: passkey.backedUp, lastUsedAt: mfa.clock.now }
  const record = { ...claims, transactionKey: digest(transactionId), passkeyId: passkey.id, key: digest(nonce), expiresAt: mfa.clock.now + 60_000 }
  const stored = await store.recordPasskeyUse(use, record)
  if (!stored) throw new Error('could not plant the nonce')
  return nonce
}

t.test('(a) a register nonce never completes an authenticate step', async (t) => {
  const { mfa, alice } = await setup(t)
  const adding = await signedIn(mfa, 'alice', alice)
  const waiting = await pending(mfa, 'alice')
  t.equal((await statusOf(waiting.browser)).state, 'passkey-pending')

  // alice, authenticated in one session, adds a passkey: a register nonce of alice's.
  const registerNonce = await registerPasskey(mfa, adding, new SoftwareAuthenticator())
  await assertRefused(t, mfa, waiting.browser, registerNonce, { status: 403, code: MISMATCH, state: 'passkey-pending' })
})

t.test('(b) a nonce of another session of the same user never advances this one', async (t) => {
  const { mfa, alice } = await setup(t)
  const first = await loggedIn(mfa, 'alice')
  const second = await pending(mfa, 'alice')
  const nonce = await authenticatePasskey(mfa, first, alice)
  t.equal((await statusOf(first)).state, 'passkey-pending')

  await assertRefused(t, mfa, second.browser, nonce, { status: 403, code: MISMATCH, state: 'passkey-pending' })
  t.equal((await statusOf(first)).state, 'passkey-pending', 'nor the session it was issued for')
})

t.test('(b) also an authenticated session adding a passkey cannot redeem another session\'s nonce', async (t) => {
  const { mfa, alice } = await setup(t)
  const adding = await signedIn(mfa, 'alice', alice)
  const { transactionId } = (await adding.post(`${PREFIX}/register`)).json()
  t.type(transactionId, 'string')
  const issued = [...mfa.issued]
  const otherSession = await loggedIn(mfa, 'alice')
  const nonce = await authenticatePasskey(mfa, otherSession, alice)
  await assertRefused(t, mfa, adding, nonce, { status: 403, code: MISMATCH, state: 'authenticated' })
  t.same(mfa.issued, issued)
})

t.test('(c) user A\'s nonce in user B\'s session', async (t) => {
  const { mfa, alice } = await setup(t)
  const aliceSession = await loggedIn(mfa, 'alice')
  const bobSession = await pending(mfa, 'bob')
  const nonce = await authenticatePasskey(mfa, aliceSession, alice)

  await assertRefused(t, mfa, bobSession.browser, nonce, { status: 403, code: MISMATCH, state: 'passkey-pending' })
  t.equal((await bobSession.browser.get('/protected')).statusCode, 401)
})

t.test('(a, b, c) each claim is checked on its own, even with the transaction ID right', async (t) => {
  const { mfa, store } = await setup(t)
  const session = await pending(mfa, 'alice')
  const another = await pending(mfa, 'alice')
  const cases: Array<[string, PlantedClaims]> = [
    ['a register nonce of this transaction', { externalId: 'alice', kind: 'register', transactionId: session.transactionId }],
    ['bob\'s nonce of this transaction', { externalId: 'bob', kind: 'authenticate', transactionId: session.transactionId }],
    ['alice\'s nonce of her other transaction', { externalId: 'alice', kind: 'authenticate', transactionId: another.transactionId }]
  ]
  for (const [name, claims] of cases) {
    await t.test(name, async (t) => {
      const nonce = await plantNonce(mfa, store, claims.externalId, claims)
      await assertRefused(t, mfa, session.browser, nonce, { status: 403, code: MISMATCH, state: 'passkey-pending' })
    })
  }
  const issued = [...mfa.issued]
  const rightful = await plantNonce(mfa, store, 'alice', { externalId: 'alice', kind: 'authenticate', transactionId: session.transactionId })
  t.same((await session.browser.post(`${PREFIX}/verify`, { nonce: rightful })).json(), { state: 'authenticated', auth_token: 'token-for-alice' },
    'control: a nonce with all three claims right passes')
  t.same(mfa.issued, [...issued, 'alice'])
})

t.test('(d) after a refused verify the nonce is spent', async (t) => {
  const { mfa, alice } = await setup(t)
  const rightful = await loggedIn(mfa, 'alice')
  const thief = await pending(mfa, 'alice')
  const nonce = await authenticatePasskey(mfa, rightful, alice)

  await assertRefused(t, mfa, thief.browser, nonce, { status: 403, code: MISMATCH, state: 'passkey-pending' })
  await assertRefused(t, mfa, rightful, nonce, { status: 401, code: 'FST_PASSKEY_MFA_NONCE_INVALID', state: 'passkey-pending' })
})

t.test('(d) a user\'s nonce refused in another user\'s session is spent too', async (t) => {
  const { mfa, alice } = await setup(t)
  const rightful = await loggedIn(mfa, 'alice')
  const thief = await pending(mfa, 'bob')
  const nonce = await authenticatePasskey(mfa, rightful, alice)

  await assertRefused(t, mfa, thief.browser, nonce, { status: 403, code: MISMATCH, state: 'passkey-pending' })
  await assertRefused(t, mfa, rightful, nonce, { status: 401, code: 'FST_PASSKEY_MFA_NONCE_INVALID', state: 'passkey-pending' })
})

t.test('(e) a session that restarted /authenticate cannot redeem the old transaction\'s nonce', async (t) => {
  const { mfa, alice } = await setup(t)
  const browser = await loggedIn(mfa, 'alice')
  const oldNonce = await authenticatePasskey(mfa, browser, alice)
  const restarted = await browser.post(`${PREFIX}/authenticate`)
  t.equal(restarted.statusCode, 200)

  await assertRefused(t, mfa, browser, oldNonce, { status: 403, code: MISMATCH, state: 'passkey-pending' })

  const issued = [...mfa.issued]
  const newNonce = await authenticatePasskey(mfa, browser, alice)
  t.equal((await browser.post(`${PREFIX}/verify`, { nonce: newNonce })).statusCode, 200, 'control: the new transaction\'s nonce passes')
  t.same(mfa.issued, [...issued, 'alice'])
})

t.test('(e) nor can an enrolling session that restarted /register', async (t) => {
  const { mfa } = await setup(t)
  addUser(mfa, 'dave')
  const browser = await loggedIn(mfa, 'dave')
  const oldNonce = await registerPasskey(mfa, browser, new SoftwareAuthenticator())
  // dave has a passkey now, so a second /register from this session is forbidden: restart with /authenticate.
  t.equal((await browser.post(`${PREFIX}/authenticate`)).statusCode, 200)
  await assertRefused(t, mfa, browser, oldNonce, { status: 403, code: MISMATCH, state: 'passkey-pending' })
})

t.test('(f) /verify with no pending transaction', async (t) => {
  const { mfa, alice } = await setup(t)
  const cases: Array<[string, () => Promise<Browser>, string]> = [
    ['anonymous', async () => new Browser(mfa.app), 'anonymous'],
    ['first-factor', async () => loggedIn(mfa, 'alice'), 'first-factor'],
    ['authenticated, nothing pending', async () => signedIn(mfa, 'alice', alice), 'authenticated']
  ]
  for (const [name, open, state] of cases) {
    await t.test(name, async (t) => {
      const browser = await open()
      t.equal((await statusOf(browser)).state, state)
      const owner = await loggedIn(mfa, 'alice')
      const nonce = await authenticatePasskey(mfa, owner, alice)
      await assertRefused(t, mfa, browser, nonce, { status: 401, code: 'FST_PASSKEY_MFA_STATE_INVALID', state })
    })
  }
})

t.test('(f) a step-up check\'s transaction is gone once verified', async (t) => {
  const { mfa, alice } = await setup(t)
  const browser = await signedIn(mfa, 'alice', alice)
  const nonce = await authenticatePasskey(mfa, browser, alice)
  t.same((await browser.post(`${PREFIX}/verify`, { nonce })).json(), { state: 'authenticated' })
  const again = await authenticatePasskey(mfa, await loggedIn(mfa, 'alice'), alice)
  await assertRefused(t, mfa, browser, again, { status: 401, code: 'FST_PASSKEY_MFA_STATE_INVALID', state: 'authenticated' })
})

t.test('(g) a malformed body changes nothing', async (t) => {
  const { mfa, alice } = await setup(t)
  const browser = await loggedIn(mfa, 'alice')
  const nonce = await authenticatePasskey(mfa, browser, alice)
  const bodies: Array<[string, unknown]> = [
    ['no nonce', {}],
    ['a number', { nonce: 42 }],
    ['an empty string', { nonce: '' }],
    ['an array', { nonce: [nonce] }],
    ['an object', { nonce: { nonce } }],
    ['null', { nonce: null }],
    ['too long', { nonce: 'x'.repeat(129) }]
  ]
  for (const [name, body] of bodies) {
    await t.test(name, async (t) => {
      const issued = [...mfa.issued]
      const response = await browser.post(`${PREFIX}/verify`, body)
      t.equal(response.statusCode, 400)
      t.equal(response.json().code, 'FST_PASSKEY_MFA_BODY_INVALID')
      t.equal((await statusOf(browser)).state, 'passkey-pending')
      t.same(mfa.issued, issued, 'issueToken was not called')
    })
  }
  const issued = [...mfa.issued]
  t.same((await browser.post(`${PREFIX}/verify`, { nonce })).json(), { state: 'authenticated', auth_token: 'token-for-alice' },
    'the transaction and its nonce survived the malformed requests')
  t.same(mfa.issued, [...issued, 'alice'])
})

/** A session of `externalId` that signed in with its passkey. */
async function signedIn (mfa: MfaApp, externalId: string, authenticator: SoftwareAuthenticator): Promise<Browser> {
  const browser = await loggedIn(mfa, externalId)
  const response = await browser.post(`${PREFIX}/verify`, { nonce: await authenticatePasskey(mfa, browser, authenticator) })
  if (response.statusCode !== 200) throw new Error(`sign-in failed: ${response.body}`)
  return browser
}
