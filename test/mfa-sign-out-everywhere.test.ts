import t from 'tap'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { AuditEvent } from '../src/index.js'
import { SqliteStore } from '../src/engine/stores/sqlite.js'
import type { Browser } from './helpers/browser.js'
import { PREFIX, addUser, authenticatePasskey, buildMfaApp, registerPasskey, signIn, signUp } from './helpers/mfa-app.js'
import type { MfaApp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'

// Design invariant 14: every user has a revocation epoch. Sign out everywhere, removing a passkey and
// the host's revokeUserSessions end the user's other sessions on every instance.

const NOT_AUTHENTICATED = 'FST_PASSKEY_MFA_NOT_AUTHENTICATED'

/** The status and code of `GET /protected` in `browser`, without keeping what it sets. */
async function guard (browser: Browser): Promise<[number, string | undefined]> {
  const response = await browser.clone().get('/protected')
  return [response.statusCode, response.json().code]
}

/** A user signed up in one browser and signed in with the same passkey in two more. */
async function threeDevices (mfa: MfaApp, externalId: string): Promise<{ authenticator: SoftwareAuthenticator, devices: Browser[] }> {
  const authenticator = new SoftwareAuthenticator()
  const first = await signUp(mfa, externalId, authenticator)
  return { authenticator, devices: [first, await signIn(mfa, externalId, authenticator), await signIn(mfa, externalId, authenticator)] }
}

/** Runs a passkey step-up in the signed-in `browser`. */
async function stepUp (mfa: MfaApp, browser: Browser, authenticator: SoftwareAuthenticator): Promise<void> {
  const verified = await browser.post(`${PREFIX}/verify`, { nonce: await authenticatePasskey(mfa, browser, authenticator) })
  if (verified.statusCode !== 200) throw new Error(`step-up failed: ${verified.body}`)
}

/** Adds a passkey in the signed-in, stepped-up `browser`. */
async function addPasskey (mfa: MfaApp, browser: Browser): Promise<void> {
  const verified = await browser.post(`${PREFIX}/verify`, { nonce: await registerPasskey(mfa, browser, new SoftwareAuthenticator()) })
  if (verified.statusCode !== 200) throw new Error(`adding a passkey failed: ${verified.body}`)
}

t.test('POST /logout { everywhere: true } ends every session of the user, and only theirs', async (t) => {
  const events: AuditEvent[] = []
  const mfa = await buildMfaApp(t, { onEvent: (event) => events.push(event) })
  const { authenticator, devices: [here, phone, tablet] } = await threeDevices(mfa, 'alice')
  const [bob] = (await threeDevices(mfa, 'bob')).devices
  const saved = here.clone()

  const response = await here.post(`${PREFIX}/logout`, { everywhere: true })
  t.same([response.statusCode, response.json()], [200, { state: 'anonymous' }])
  for (const [name, browser] of [['this browser', here], ['a saved copy of its cookie', saved], ['the phone', phone], ['the tablet', tablet]] as const) {
    t.same(await guard(browser), [401, NOT_AUTHENTICATED], `${name} is signed out`)
  }
  t.same(await guard(bob), [200, undefined], 'another user is not affected')
  t.match(events.filter((event) => event.type === 'sessions-revoked'), [{ externalId: 'alice' }], 'audited')

  const later = await signIn(mfa, 'alice', authenticator)
  t.same(await guard(later), [200, undefined], 'a session begun afterwards passes')
})

t.test('sign out everywhere needs the authenticated state; a password alone changes nothing', async (t) => {
  const mfa = await buildMfaApp(t)
  const { devices: [signedIn] } = await threeDevices(mfa, 'alice')
  const browser = signedIn!.clone()
  browser.cookies.clear()
  await browser.post('/login', { externalId: 'alice' })
  const cookie = browser.cookies.get('passkey_mfa')

  const response = await browser.post(`${PREFIX}/logout`, { everywhere: true })
  t.same([response.statusCode, response.json().code], [401, NOT_AUTHENTICATED])
  t.equal(browser.cookies.get('passkey_mfa'), cookie, 'the first-factor session is unchanged')
  t.same(await guard(signedIn), [200, undefined], 'the signed-in session still passes')

  const malformed = await signedIn.post(`${PREFIX}/logout`, { everywhere: 'yes' })
  t.same([malformed.statusCode, malformed.json().code], [400, 'FST_PASSKEY_MFA_BODY_INVALID'], 'a malformed body is refused')
  t.same(await guard(signedIn), [200, undefined], 'and changes nothing')
})

t.test('removing a passkey ends the user\'s other sessions; this one stays signed in', async (t) => {
  const mfa = await buildMfaApp(t)
  const { authenticator, devices: [here, phone] } = await threeDevices(mfa, 'alice')
  await stepUp(mfa, here, authenticator)
  await addPasskey(mfa, here)
  const passkeys = await mfa.engine.listPasskeys('alice')
  const removed = await here.request('DELETE', `${PREFIX}/passkeys/${passkeys[0]!.id}`)
  t.equal(removed.statusCode, 204)
  t.same(await guard(here), [200, undefined], 'this session stays signed in')
  t.same(await guard(phone), [401, NOT_AUTHENTICATED], 'the phone is signed out')
})

t.test('with revokeSessionsOnPasskeyRemoval: false, removing a passkey leaves other sessions alone', async (t) => {
  const mfa = await buildMfaApp(t, { revokeSessionsOnPasskeyRemoval: false })
  const authenticator = new SoftwareAuthenticator()
  const here = await signUp(mfa, 'alice', authenticator)
  const phone = await signIn(mfa, 'alice', authenticator)
  await stepUp(mfa, here, authenticator)
  await addPasskey(mfa, here)
  const [first] = await mfa.engine.listPasskeys('alice')
  t.equal((await here.request('DELETE', `${PREFIX}/passkeys/${first!.id}`)).statusCode, 204)
  t.same(await guard(phone), [200, undefined], 'the phone stays signed in')
})

t.test('fastify.mfa.revokeUserSessions ends the user\'s sessions, for a password reset or a deleted account', async (t) => {
  const events: AuditEvent[] = []
  const mfa = await buildMfaApp(t, { onEvent: (event) => events.push(event) })
  const { authenticator, devices } = await threeDevices(mfa, 'alice')
  const firstFactorOnly = devices[0]!.clone()
  firstFactorOnly.cookies.clear()
  await firstFactorOnly.post('/login', { externalId: 'alice' })

  await mfa.app.mfa.revokeUserSessions('alice')
  for (const device of devices) t.same(await guard(device), [401, NOT_AUTHENTICATED])
  t.equal((await firstFactorOnly.get(`${PREFIX}/status`)).json().state, 'anonymous', 'a session past the first factor only ends too')
  t.match(events.at(-1), { type: 'sessions-revoked', externalId: 'alice', address: null })
  t.same(await guard(await signIn(mfa, 'alice', authenticator)), [200, undefined], 'a new sign-in passes')

  for (const bad of ['', 'x'.repeat(129), 42]) {
    await t.rejects(mfa.app.mfa.revokeUserSessions(bad as string), { code: 'FST_PASSKEY_MFA_ARGUMENT_INVALID' })
  }
})

t.test('sign out everywhere on one instance reaches another whose clock is two minutes off, both ways', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'passkey-mfa-everywhere-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const filename = join(dir, 'passkeys.db')
  for (const skewMs of [120_000, -120_000]) {
    const a = await buildMfaApp(t, { store: new SqliteStore({ filename }), revocationSyncMs: 20 })
    const b = await buildMfaApp(t, { store: new SqliteStore({ filename }), revocationSyncMs: 20 })
    b.clock.advance(skewMs)
    const externalId = `alice${skewMs}`
    const authenticator = new SoftwareAuthenticator()
    const onA = await signUp(a, externalId, authenticator)
    addUser(b, externalId)
    const onB = await signIn(b, externalId, authenticator)
    await b.app.mfa.revokeUserSessions(externalId)
    const until = Date.now() + 5000
    while ((await guard(onA))[0] !== 401 && Date.now() < until) await sleep(10)
    t.same(await guard(onA), [401, NOT_AUTHENTICATED], `skew ${skewMs} ms: A refuses the session begun before B revoked`)
    t.same(await guard(onB), [401, NOT_AUTHENTICATED])
    t.same(await guard(await signIn(a, externalId, authenticator)), [200, undefined], 'a session begun afterwards on A passes')
  }
})
