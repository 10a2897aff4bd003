import t from 'tap'
import type { Test } from 'tap'
import type { Page, Request } from 'playwright-core'
import { startBrowserApp } from './helpers/browser-app.js'
import { addAuthenticator, launchChromium, openClientTab, within } from './helpers/chromium.js'
import { removeAuthenticator } from './helpers/tab.js'
import type { ClientWindow } from './helpers/chromium.js'

/**
 * The browser client in Chromium with a virtual authenticator, against a host app with the plugin:
 * the bundle served as one ES module, the ceremonies, the host routes, and every error code.
 */

const server = await startBrowserApp(t)
const browser = await launchChromium(t)

/** Runs `fn` in the page, bounded. */
async function inPage<T> (page: Page, fn: () => Promise<T>): Promise<T> {
  return await within(20_000, page.evaluate(fn))
}

/**
 * A user of the host app with a fresh tab, its authenticator, and the requests the tab sends: to
 * the engine routes, and to the host routes (as `METHOD /path`).
 */
async function userTab (t: Test, externalId: string) {
  server.users.set(externalId, { externalId, displayName: `${externalId}@example.com` })
  const tab = await openClientTab(t, browser, server.origin)
  const authenticatorId = await addAuthenticator(tab.cdp)
  const engineRequests: Request[] = []
  const hostRequests: Request[] = []
  tab.page.on('request', (request) => {
    const { pathname } = new URL(request.url())
    if (pathname.startsWith('/passkey/flex/v1/')) engineRequests.push(request)
    else if (pathname.startsWith('/passkey/')) hostRequests.push(request)
  })
  /** How many host requests `METHOD /path` the tab sent. */
  const sent = (route: string): number => hostRequests.filter((request) => `${request.method()} ${new URL(request.url()).pathname}` === route).length
  return { ...tab, authenticatorId, engineRequests, hostRequests, sent }
}

/** The answer of a factor change without a recent passkey check. */
const STEP_UP = { status: 401, contentType: 'application/json', body: JSON.stringify({ statusCode: 401, code: 'FST_PASSKEY_MFA_STEP_UP_REQUIRED', error: 'Unauthorized', message: 'Confirm with your passkey first' }) }

/** Signs `externalId` up in the page: first factor, then enrollment. */
async function signUp (page: Page, externalId: string): Promise<void> {
  await within(20_000, page.evaluate(async (externalId) => {
    const { passkeyMfa: { PasskeyMfaClient }, login } = window as unknown as ClientWindow
    await login(externalId)
    await new PasskeyMfaClient().enroll()
  }, externalId))
}

t.test('the bundle exports the client as named ES exports', async (t) => {
  const { page } = await openClientTab(t, browser, server.origin)
  const names = await inPage(page, async () => Object.keys((window as unknown as ClientWindow).passkeyMfa).sort())
  t.same(names, ['PassageFlex', 'PasskeyClientError', 'PasskeyMfaClient'])
})

t.test('enrolls, signs in, manages passkeys and logs out', async (t) => {
  const { page, cdp, authenticatorId, engineRequests, hostRequests } = await userTab(t, 'alice')

  const enrolled = await inPage(page, async () => {
    const { passkeyMfa: { PasskeyMfaClient }, settle, login } = window as unknown as ClientWindow
    const mfa = new PasskeyMfaClient()
    const before = await mfa.status()
    await login('alice')
    const firstFactor = await mfa.status()
    const supported = [await mfa.passkey.canRegisterPasskey(), await mfa.passkey.canAuthenticateWithPasskey()]
    const enroll = await settle(mfa.enroll())
    const after = await mfa.status()
    const again = await settle(mfa.addPasskey())
    return { before, firstFactor, supported, enroll, after, again }
  })
  t.match(enrolled, {
    before: { state: 'anonymous', next: 'first-factor' },
    firstFactor: { state: 'first-factor', next: 'enroll', hasPasskeys: false },
    supported: [true, true],
    enroll: { value: { state: 'authenticated', auth_token: 'token-for-alice' } },
    after: { state: 'authenticated', next: 'done', hasPasskeys: true },
    again: { error: { name: 'PasskeyClientError', code: 'already-registered', cause: 'InvalidStateError' } }
  })

  const signedIn = await inPage(page, async () => {
    const { passkeyMfa: { PasskeyMfaClient }, settle, login } = window as unknown as ClientWindow
    const mfa = new PasskeyMfaClient()
    await mfa.logout()
    const loggedOut = await mfa.status()
    await login('alice')
    const next = (await mfa.status()).next
    const signIn = await settle(mfa.signIn())
    const [passkey] = await mfa.listPasskeys()
    const renamed = await mfa.renamePasskey(passkey.id, '  Laptop ')
    const listed = await mfa.listPasskeys()
    const removeLast = await settle(mfa.removePasskey(passkey.id))
    return { loggedOut, next, signIn, renamed, listed, removeLast }
  })
  t.match(signedIn, {
    loggedOut: { state: 'anonymous' },
    next: 'authenticate',
    signIn: { value: { state: 'authenticated', auth_token: 'token-for-alice' } },
    renamed: { name: 'Laptop' },
    listed: [{ name: 'Laptop', transports: ['internal'], lastUsedAt: String }],
    removeLast: { error: { code: 'rejected', serverCode: 'FST_PASSKEY_MFA_LAST_PASSKEY', status: 409, message: 'The last passkey cannot be removed' } }
  })
  t.equal(signedIn.listed.length, 1)

  // A second device: another authenticator adds a passkey, then the first one is removed.
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId })
  await addAuthenticator(cdp)
  const managed = await inPage(page, async () => {
    const { passkeyMfa: { PasskeyMfaClient }, settle, login } = window as unknown as ClientWindow
    const mfa = new PasskeyMfaClient()
    const added = await settle(mfa.addPasskey())
    const [first, second] = await mfa.listPasskeys()
    await mfa.removePasskey(first.id)
    const remaining = (await mfa.listPasskeys()).map(({ id }) => id)
    await mfa.logout()
    await login('alice')
    const signIn = await settle(mfa.signIn())
    const listAfterLogout = await settle((async () => { await mfa.logout(); return await mfa.listPasskeys() })())
    return { added, second: second.id, remaining, signIn, listAfterLogout }
  })
  t.match(managed, {
    added: { value: { state: 'authenticated' } },
    signIn: { value: { state: 'authenticated', auth_token: 'token-for-alice' } },
    listAfterLogout: { error: { code: 'rejected', serverCode: 'FST_PASSKEY_MFA_NOT_AUTHENTICATED', status: 401 } }
  })
  t.notOk(managed.added.value?.auth_token, 'adding a passkey issues no token')
  t.same(managed.remaining, [managed.second])
  t.same(server.issued.filter((id) => id === 'alice'), ['alice', 'alice', 'alice'])

  // Each step was two requests, the options and the answer, and none went to the engine routes.
  t.equal(engineRequests.length, 0, 'no request to the engine routes')
  t.same(hostRequests.filter((request) => request.method() === 'POST').map((request) => new URL(request.url()).pathname).filter((path) => /\/(register|authenticate|verify)$/.test(path)), [
    '/passkey/register', '/passkey/verify', '/passkey/register',
    '/passkey/authenticate', '/passkey/verify',
    '/passkey/register', '/passkey/authenticate', '/passkey/verify', '/passkey/register', '/passkey/verify',
    '/passkey/authenticate', '/passkey/verify'
  ], 'enroll, a refused add, sign-in, add (refused, step-up, again), sign-in: two requests a step')
  const verifyBodies = hostRequests.filter((request) => request.url().endsWith('/passkey/verify')).map((request) => request.postDataJSON())
  t.same(Object.keys(verifyBodies[0]).sort(), ['response', 'transactionId'])
  t.match(verifyBodies[0].response, { type: 'public-key', response: { attestationObject: String, clientDataJSON: String, transports: ['internal'] } })
  t.match(verifyBodies[1].response, { type: 'public-key', response: { authenticatorData: String, clientDataJSON: String, signature: String } })
  const registerBody = hostRequests.find((request) => request.url().endsWith('/passkey/register'))!.postDataJSON()
  t.same(registerBody, { authenticatorAttachment: 'any' }, 'enrollment takes any authenticator')
})

t.test('the Passage-style ceremonies send what Passage\'s SDK sends', async (t) => {
  const { page, engineRequests } = await userTab(t, 'paula')
  const outcome = await inPage(page, async () => {
    const { passkeyMfa: { PassageFlex }, login } = window as unknown as ClientWindow
    const { passkey } = new PassageFlex('default', { baseUrl: '/passkey' })
    const post = async (path: string, body?: object): Promise<any> => await (await fetch(`/passkey/${path}`, {
      method: 'POST', headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body)
    })).json()
    await login('paula')
    const enrollment = await post('register')
    const enrolled = await post('verify', { nonce: await passkey.register(enrollment.transactionId, { authenticatorAttachment: 'any' }) })
    const stepUp = await post('authenticate')
    const confirmed = await post('verify', { nonce: await passkey.authenticate({ transactionId: stepUp.transactionId }) })
    return { enrolled, confirmed }
  })
  t.match(outcome, { enrolled: { state: 'authenticated', auth_token: 'token-for-paula' }, confirmed: { state: 'authenticated' } })
  const bodies = (ceremony: string, step: string) => engineRequests
    .filter((request) => request.url().endsWith(`/passkey/flex/v1/apps/default/${ceremony}/transactions/webauthn/${step}`))
    .map((request) => request.postDataJSON())
  const [registerStart] = bodies('register', 'start')
  t.same(Object.keys(registerStart).sort(), ['authenticator_attachment', 'transaction_id'])
  t.equal(registerStart.authenticator_attachment, 'any')
  const registerFinish = bodies('register', 'finish')[0]
  t.same(Object.keys(registerFinish).sort(), ['handshake_id', 'handshake_response', 'transaction_id'])
  t.same(Object.keys(registerFinish.handshake_response).sort(), ['id', 'rawId', 'response', 'transports', 'type'])
  t.same(Object.keys(registerFinish.handshake_response.response).sort(), ['attestationObject', 'clientDataJSON'])
  t.same(registerFinish.handshake_response.transports, ['internal'])
  const authenticateFinish = bodies('authenticate', 'finish')[0]
  t.same(Object.keys(authenticateFinish.handshake_response).sort(), ['id', 'rawId', 'response', 'type'])
  t.same(Object.keys(authenticateFinish.handshake_response.response).sort(), ['authenticatorData', 'clientDataJSON', 'signature', 'userHandle'])
  t.type(authenticateFinish.handshake_response.response.userHandle, 'string')
})

t.test('a refused verification rejects with cancelled, and the next ceremony works', async (t) => {
  const { page, cdp, authenticatorId } = await userTab(t, 'bob')
  const setVerified = async (isUserVerified: boolean) => { await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified }) }

  await setVerified(false)
  const refusedEnroll = await inPage(page, async () => {
    const { passkeyMfa: { PasskeyMfaClient }, settle, login } = window as unknown as ClientWindow
    await login('bob')
    return await settle(new PasskeyMfaClient().enroll())
  })
  t.match(refusedEnroll, { error: { code: 'cancelled', cause: 'NotAllowedError' } })
  await setVerified(true)
  const enroll = await inPage(page, async () => {
    const { passkeyMfa: { PasskeyMfaClient }, settle } = window as unknown as ClientWindow
    return await settle(new PasskeyMfaClient().enroll())
  })
  t.match(enroll, { value: { state: 'authenticated', auth_token: 'token-for-bob' } })

  await setVerified(false)
  const refusedSignIn = await inPage(page, async () => {
    const { passkeyMfa: { PasskeyMfaClient }, settle, login } = window as unknown as ClientWindow
    const mfa = new PasskeyMfaClient()
    await mfa.logout()
    await login('bob')
    return await settle(mfa.signIn())
  })
  t.match(refusedSignIn, { error: { code: 'cancelled', cause: 'NotAllowedError' } })
  await setVerified(true)
  const signIn = await inPage(page, async () => {
    const { passkeyMfa: { PasskeyMfaClient }, settle } = window as unknown as ClientWindow
    return await settle(new PasskeyMfaClient().signIn())
  })
  t.match(signIn, { value: { state: 'authenticated', auth_token: 'token-for-bob' } })
})

t.test('cancel() ends a pending ceremony, and the next ceremony works', async (t) => {
  const { page, cdp, authenticatorId } = await userTab(t, 'carol')
  await signUp(page, 'carol')
  await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: false })
  await inPage(page, async () => {
    const w = window as unknown as ClientWindow
    const mfa = new w.passkeyMfa.PasskeyMfaClient()
    await mfa.logout()
    await w.login('carol')
    w.started = w.settle(mfa.signIn())
  })
  await page.waitForFunction(() => (window as unknown as ClientWindow).pendingCeremonies === 1)
  const cancelled = await inPage(page, async () => {
    const w = window as unknown as ClientWindow
    new w.passkeyMfa.PassageFlex('default').passkey.cancel()
    return await w.started
  })
  t.match(cancelled, { error: { code: 'cancelled', cause: 'AbortError' } })

  await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: true })
  const signIn = await inPage(page, async () => {
    const { passkeyMfa: { PasskeyMfaClient }, settle } = window as unknown as ClientWindow
    return await settle(new PasskeyMfaClient().signIn())
  })
  t.match(signIn, { value: { state: 'authenticated', auth_token: 'token-for-carol' } })
})

t.test('a new ceremony aborts a pending autofill one and completes', async (t) => {
  const { page, cdp, authenticatorId } = await userTab(t, 'dave')
  await signUp(page, 'dave')
  t.equal(await inPage(page, async () => {
    const { passkeyMfa: { PassageFlex } } = window as unknown as ClientWindow
    return await new PassageFlex('default').passkey.canUseConditionalMediation()
  }), true)
  await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: false })
  await inPage(page, async () => {
    const w = window as unknown as ClientWindow
    const mfa = new w.passkeyMfa.PasskeyMfaClient()
    await mfa.logout()
    await w.login('dave')
    const { transactionId } = await (await fetch('/passkey/authenticate', { method: 'POST' })).json()
    w.started = w.settle(mfa.passkey.authenticate({ transactionId, isConditionalMediation: true }))
  })
  await page.waitForFunction(() => (window as unknown as ClientWindow).pendingCeremonies === 1)

  await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled: true })
  const outcomes = await inPage(page, async () => {
    const { passkeyMfa: { PasskeyMfaClient }, settle, started } = window as unknown as ClientWindow
    const signIn = await settle(new PasskeyMfaClient().signIn())
    return { signIn, autofill: await started }
  })
  t.match(outcomes, {
    signIn: { value: { state: 'authenticated', auth_token: 'token-for-dave' } },
    autofill: { error: { code: 'cancelled', cause: 'AbortError' } }
  })
})

t.test('server and network failures', async (t) => {
  const { page, engineRequests } = await userTab(t, 'erin')
  await signUp(page, 'erin')

  const failures = await inPage(page, async () => {
    const { passkeyMfa: { PassageFlex, PasskeyClientError }, settle } = window as unknown as ClientWindow
    const passkey = new PassageFlex('default').passkey
    const bogusTransaction = await settle(passkey.authenticate({ transactionId: 'bogus' }))
    const bogusRegistration = await settle(passkey.register('bogus'))
    const unknownApp = await settle(new PassageFlex('other-app').passkey.authenticate({ transactionId: 'bogus' }))
    const network = await settle(new PassageFlex('default', { baseUrl: 'http://127.0.0.1:9/passkey' }).passkey.authenticate({ transactionId: 'x' }))
    const isClass = await passkey.authenticate({ transactionId: 'bogus' }).catch((error) => error instanceof PasskeyClientError)
    return { bogusTransaction, bogusRegistration, unknownApp, network, isClass }
  })
  t.match(failures, {
    bogusTransaction: {
      error: { name: 'PasskeyClientError', code: 'rejected', serverCode: 'FST_PASSKEY_MFA_TRANSACTION_NOT_FOUND', status: 404, message: 'Unknown or already used transaction' }
    },
    bogusRegistration: { error: { code: 'rejected', serverCode: 'FST_PASSKEY_MFA_TRANSACTION_NOT_FOUND' } },
    unknownApp: { error: { code: 'rejected', serverCode: 'FST_PASSKEY_MFA_APP_NOT_FOUND', status: 404 } },
    network: { error: { code: 'network', cause: 'TypeError' } },
    isClass: true
  })
  const bogusStart = engineRequests.find((request) => request.url().endsWith('/register/transactions/webauthn/start') && request.postDataJSON().transaction_id === 'bogus')
  t.equal(bogusStart?.postDataJSON().authenticator_attachment, 'platform', 'PassageFlex keeps Passage\'s default')

  // A 2xx finish without a nonce is an error, never `undefined`.
  await page.route('**/authenticate/transactions/webauthn/finish', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '{}' }))
  const noNonce = await inPage(page, async () => {
    const { passkeyMfa: { PasskeyMfaClient }, settle, login } = window as unknown as ClientWindow
    const mfa = new PasskeyMfaClient()
    await mfa.logout()
    await login('erin')
    const { transactionId } = await (await fetch('/passkey/authenticate', { method: 'POST' })).json()
    return await settle(mfa.passkey.authenticate({ transactionId }))
  })
  t.match(noNonce, { error: { code: 'failed', message: 'The server finished the ceremony without a nonce' } })
  await page.unroute('**/authenticate/transactions/webauthn/finish')

  const signIn = await inPage(page, async () => {
    const { passkeyMfa: { PasskeyMfaClient }, settle } = window as unknown as ClientWindow
    return await settle(new PasskeyMfaClient().signIn())
  })
  t.match(signIn, { value: { state: 'authenticated', auth_token: 'token-for-erin' } })
})

t.test('factor changes confirm with a passkey when the server asks (step-up), once; enrollment never does', async (t) => {
  const { page, cdp, authenticatorId, sent } = await userTab(t, 'frank')

  // An enrollment is a first passkey, with nothing to confirm with: a step-up answer fails it, without a prompt.
  await page.route('**/passkey/register', async (route) => { await route.fulfill(STEP_UP) }, { times: 1 })
  const enroll = await inPage(page, async () => {
    const { passkeyMfa: { PasskeyMfaClient }, settle, login } = window as unknown as ClientWindow
    const mfa = new PasskeyMfaClient()
    await login('frank')
    return { refused: await settle(mfa.enroll()), enrolled: await settle(mfa.enroll()) }
  })
  t.match(enroll, {
    refused: { error: { code: 'rejected', serverCode: 'FST_PASSKEY_MFA_STEP_UP_REQUIRED', status: 401 } },
    enrolled: { value: { state: 'authenticated', auth_token: 'token-for-frank' } }
  })
  t.equal(sent('POST /passkey/authenticate'), 0, 'enrolling never asks for a passkey check')

  // The enrollment was no passkey check: the server asks for one before a rename, the client runs it.
  const renamed = await inPage(page, async () => {
    const { passkeyMfa: { PasskeyMfaClient }, settle } = window as unknown as ClientWindow
    const mfa = new PasskeyMfaClient()
    const [passkey] = await mfa.listPasskeys()
    return await settle(mfa.renamePasskey(passkey.id, 'Phone'))
  })
  t.match(renamed, { value: { name: 'Phone' } })
  t.equal(sent('POST /passkey/authenticate'), 1, 'one passkey check')
  t.equal(sent('POST /passkey/verify'), 2, 'the enrollment, then the check')
  t.equal(sent('PATCH /passkey/passkeys/' + renamed.value?.id), 2, 'the rename, refused, then again')

  // A second device adds a passkey (the check is recent), and the first one is removed, after a
  // check the server asks for (answered here once in its place): the new passkey confirms.
  await removeAuthenticator(cdp, authenticatorId)
  const laptop = await addAuthenticator(cdp)
  await page.route('**/passkey/passkeys/*', async (route) => { await route.fulfill(STEP_UP) }, { times: 1 })
  const managed = await inPage(page, async () => {
    const { passkeyMfa: { PasskeyMfaClient }, settle } = window as unknown as ClientWindow
    const mfa = new PasskeyMfaClient()
    const added = await settle(mfa.addPasskey())
    const [first, second] = await mfa.listPasskeys()
    const removed = await settle(mfa.removePasskey(first.id))
    return { added, removed, second: second.id, remaining: (await mfa.listPasskeys()).map(({ id }) => id) }
  })
  t.match(managed, { added: { value: { state: 'authenticated' } } })
  t.notOk(managed.removed.error, 'removed after the check')
  t.same(managed.remaining, [managed.second])
  t.equal(sent('POST /passkey/authenticate'), 2, 'one more passkey check, by the new passkey')

  // A change still refused after the check fails with the server's answer: one check per change.
  await page.route('**/passkey/passkeys/*', async (route) => { await route.fulfill(STEP_UP) }, { times: 2 })
  const refused = await inPage(page, async () => {
    const { passkeyMfa: { PasskeyMfaClient }, settle } = window as unknown as ClientWindow
    const mfa = new PasskeyMfaClient()
    const [passkey] = await mfa.listPasskeys()
    return await settle(mfa.renamePasskey(passkey.id, 'Laptop'))
  })
  t.match(refused, { error: { code: 'rejected', serverCode: 'FST_PASSKEY_MFA_STEP_UP_REQUIRED', status: 401 } })
  t.equal(sent('POST /passkey/authenticate'), 3, 'one check, not a loop')
  await removeAuthenticator(cdp, laptop)
})

t.test('too many attempts reject with rate-limited and retryAfterSeconds, on the host and the ceremony routes', async (t) => {
  const { page } = await userTab(t, 'grace')
  await signUp(page, 'grace')

  const hostRoute = await inPage(page, async () => {
    const { passkeyMfa: { PasskeyMfaClient }, settle, login } = window as unknown as ClientWindow
    const mfa = new PasskeyMfaClient()
    await mfa.logout()
    await login('grace')
    // Ten passkey steps started and never finished reach the account's limit of failed attempts.
    for (let i = 0; i < 10; i++) await fetch('/passkey/authenticate', { method: 'POST' })
    await login('grace') // a new session: its own cap on transactions (10 a minute) is not what refuses
    return await settle(mfa.signIn())
  })
  t.match(hostRoute, {
    error: { name: 'PasskeyClientError', code: 'rate-limited', serverCode: 'FST_PASSKEY_MFA_RATE_LIMITED', status: 429, retryAfterSeconds: 60 }
  })

  // The ceremony routes answer 429 too (per address); Retry-After in seconds, as a date, or absent.
  const body = JSON.stringify({ statusCode: 429, code: 'FST_PASSKEY_MFA_RATE_LIMITED', error: 'Too Many Requests', message: 'Too many attempts; try again in 1 minute' })
  const limited = (headers: Record<string, string>) => ({ status: 429, headers, contentType: 'application/json', body })
  await page.route('**/authenticate/transactions/webauthn/start', async (route) => { await route.fulfill(limited({})) })
  await page.route('**/authenticate/transactions/webauthn/start', async (route) => { await route.fulfill(limited({ 'retry-after': '42' })) }, { times: 1 })
  await page.route('**/register/transactions/webauthn/start', async (route) => {
    await route.fulfill(limited({ 'retry-after': new Date(Date.now() + 120_000).toUTCString() }))
  })
  const wire = await inPage(page, async () => {
    const { passkeyMfa: { PassageFlex }, settle } = window as unknown as ClientWindow
    const passkey = new PassageFlex('default').passkey
    const seconds = await settle(passkey.authenticate({ transactionId: 'any' }))
    const absent = await settle(passkey.authenticate({ transactionId: 'any' }))
    const date = await settle(passkey.register('any'))
    return { seconds, absent, date }
  })
  t.match(wire, {
    seconds: { error: { code: 'rate-limited', serverCode: 'FST_PASSKEY_MFA_RATE_LIMITED', status: 429, retryAfterSeconds: 42, message: 'Too many attempts; try again in 1 minute' } },
    absent: { error: { code: 'rate-limited', status: 429, retryAfterSeconds: undefined } },
    date: { error: { code: 'rate-limited', status: 429 } }
  })
  const fromDate = wire.date.error?.retryAfterSeconds ?? 0
  t.ok(fromDate > 110 && fromDate <= 120, `an HTTP date gives the seconds until then (${fromDate})`)
})

t.test('logout() ends this session; logout({ everywhere: true }) every session of the user', async (t) => {
  const phone = await userTab(t, 'heidi')
  await signUp(phone.page, 'heidi')
  // A second device with a copy of the passkey, as a passkey provider syncs it. Only the laptop signs
  // in from here on: the phone's copy would answer with a signature counter the server has seen.
  const laptop = await userTab(t, 'heidi')
  const [credential] = (await phone.cdp.send('WebAuthn.getCredentials', { authenticatorId: phone.authenticatorId })).credentials
  await laptop.cdp.send('WebAuthn.addCredential', { authenticatorId: laptop.authenticatorId, credential })
  const signIn = async (page: Page) => await inPage(page, async () => {
    const { passkeyMfa: { PasskeyMfaClient }, login } = window as unknown as ClientWindow
    await login('heidi')
    return (await new PasskeyMfaClient().signIn()).state
  })
  const listed = async (page: Page) => await inPage(page, async () => {
    const { passkeyMfa: { PasskeyMfaClient }, settle } = window as unknown as ClientWindow
    return await settle(new PasskeyMfaClient().listPasskeys())
  })
  const logout = async (page: Page, everywhere: boolean) => {
    await within(20_000, page.evaluate(async (everywhere) => {
      const { passkeyMfa: { PasskeyMfaClient } } = window as unknown as ClientWindow
      await new PasskeyMfaClient().logout({ everywhere })
    }, everywhere))
  }
  const notSignedIn = { error: { code: 'rejected', serverCode: 'FST_PASSKEY_MFA_NOT_AUTHENTICATED', status: 401 } }

  t.equal(await signIn(laptop.page), 'authenticated')
  await logout(laptop.page, false)
  t.match(await listed(laptop.page), notSignedIn)
  t.match(await listed(phone.page), { value: [{ name: String }] }, 'logout() leaves the other device signed in')

  t.equal(await signIn(laptop.page), 'authenticated')
  await logout(phone.page, true)
  t.match(await listed(phone.page), notSignedIn)
  t.match(await listed(laptop.page), notSignedIn, 'the other device is signed out')

  const logouts = (tab: typeof phone) => tab.hostRequests.filter((request) => new URL(request.url()).pathname === '/passkey/logout').map((request) => request.postData())
  t.same(logouts(laptop), [null], 'logout() sends no body')
  t.same(logouts(phone), ['{"everywhere":true}'], 'logout({ everywhere: true }) sends it')
})
