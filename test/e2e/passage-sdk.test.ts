import type { PassageFlex } from '@passageidentity/passage-flex-js'
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core'
import t from 'tap'
import type { Test } from 'tap'
import { addAuthenticator, launchChromium } from './helpers/chromium.js'
import { launchWithFakePassage, startFakePassage } from './helpers/fake-passage.js'
import { APP_ID, PASSAGE_API, startPassageApp } from './helpers/passage-app.js'
import { openTab, removeAuthenticator } from './helpers/tab.js'
import type { Tab } from './helpers/tab.js'

/** The test page's `window`, with Passage's SDK loaded. */
type SdkWindow = Window & { PassageFlex: typeof PassageFlex }

/** A request of the SDK as the browser sent it, and the engine's answer. */
interface Forwarded {
  method: string
  path: string
  headers: Record<string, string>
  status: number
  answerHeaders: Record<string, string>
  body: string | null
}

/** Headers the browser sets itself: the others need a preflight (`application/json` is not CORS-safelisted). */
const BROWSER_HEADERS = new Set(['accept', 'accept-encoding', 'accept-language', 'connection', 'content-length', 'host', 'origin', 'referer', 'user-agent'])
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding'])
const SDK_VERSION = '@passageidentity/passage-flex-js 1.0.2'
const CEREMONY_PATHS = ['register/transactions/webauthn/start', 'register/transactions/webauthn/finish', 'authenticate/transactions/webauthn/start', 'authenticate/transactions/webauthn/finish']
  .map((path) => `/v1/apps/${APP_ID}/${path}`)

const routedBrowser = await launchChromium(t)
const host = await startPassageApp(t)
const { origin, engineBase } = host
let users = 0

/** A tab on the SDK's page at `pageOrigin`, with a virtual authenticator (removed in teardown). */
const openSdkPage = async (t: Test, browser: Browser, options: BrowserContextOptions = {}, pageOrigin = origin): Promise<Tab> => {
  const tab = await openTab(t, browser, options)
  const authenticator = await addAuthenticator(tab.cdp)
  t.teardown(async () => { await removeAuthenticator(tab.cdp, authenticator) })
  await tab.page.goto(pageOrigin)
  await tab.page.waitForFunction(() => (window as Partial<SdkWindow>).PassageFlex !== undefined)
  return tab
}

/** A same-origin JSON request from the page (with its cookies, `Origin` and `Sec-Fetch-Site`). */
const call = async (page: Page, method: string, path: string, body?: object): Promise<{ status: number, body: any }> => {
  return await page.evaluate(async ({ method, path, body }) => {
    const response = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    })
    const text = await response.text()
    return { status: response.status, body: text === '' ? null : JSON.parse(text) }
  }, { method, path, body })
}

const register = async (page: Page, transactionId: string): Promise<string> => {
  return await page.evaluate(async ({ appId, transactionId }) => {
    return await new (window as unknown as SdkWindow).PassageFlex(appId).passkey.register(transactionId)
  }, { appId: APP_ID, transactionId })
}

const authenticate = async (page: Page, transactionId: string): Promise<string> => {
  return await page.evaluate(async ({ appId, transactionId }) => {
    return await new (window as unknown as SdkWindow).PassageFlex(appId).passkey.authenticate({ transactionId })
  }, { appId: APP_ID, transactionId })
}

/**
 * A new user enrolls with the SDK's `passkey.register(transactionId)` after the first factor, logs
 * out, and signs in again with `passkey.authenticate({ transactionId })`; the transactions come
 * from the plugin's `/register` and `/authenticate`, and its `/verify` takes the nonces.
 */
const enrollAndSignIn = async (t: Test, page: Page): Promise<void> => {
  const externalId = `user-${++users}`
  host.users.set(externalId, { externalId, displayName: `${externalId}@example.org` })
  const verified = { status: 200, body: { state: 'authenticated', auth_token: `token-for-${externalId}` } }

  t.same((await call(page, 'POST', '/login', { externalId })).body, { next: 'enroll' })
  const registration = await call(page, 'POST', '/passkey/register')
  t.equal(registration.status, 200, 'the plugin made a register transaction')
  const registered = await register(page, registration.body.transactionId)
  t.type(registered, 'string', 'passkey.register(transactionId) resolves to a nonce')
  t.same(await call(page, 'POST', '/passkey/verify', { nonce: registered }), verified, '/verify accepts the register nonce')
  t.equal((await call(page, 'GET', '/passkey/passkeys')).body.passkeys.length, 1, 'the passkey is stored')

  t.same((await call(page, 'POST', '/passkey/logout')).body, { state: 'anonymous' })
  t.same((await call(page, 'POST', '/login', { externalId })).body, { next: 'authenticate' })
  const authentication = await call(page, 'POST', '/passkey/authenticate')
  t.equal(authentication.status, 200, 'the plugin made an authenticate transaction')
  const authenticated = await authenticate(page, authentication.body.transactionId)
  t.type(authenticated, 'string', 'passkey.authenticate({ transactionId }) resolves to a nonce')
  t.same(await call(page, 'POST', '/passkey/verify', { nonce: authenticated }), verified, '/verify accepts the authenticate nonce')
  t.same(host.issued.filter((id) => id === externalId), [externalId, externalId], 'the host issued its token twice')
}

/**
 * Routes the SDK's requests for `https://auth.passage.id/v1/...` to the engine routes: sent from
 * Node with the browser's headers (its `Origin` too), answered to the browser with the engine's
 * status, headers and body. Any other request off the page's origin is recorded and aborted.
 */
const routeSdk = async (context: BrowserContext): Promise<{ forwarded: Forwarded[], unexpected: string[] }> => {
  const forwarded: Forwarded[] = []
  const unexpected: string[] = []
  await context.route((url) => url.origin !== origin && !url.href.startsWith(PASSAGE_API), async (route) => {
    unexpected.push(route.request().url())
    await route.abort()
  })
  await context.route(`${PASSAGE_API}**`, async (route) => {
    const request = route.request()
    const headers = await request.allHeaders()
    try {
      const answer = await fetch(engineBase + request.url().slice(PASSAGE_API.length), {
        method: request.method(),
        headers: Object.fromEntries(Object.entries(headers).filter(([name]) => !['host', 'content-length', 'connection'].includes(name))),
        body: request.postData() ?? undefined,
        signal: AbortSignal.timeout(10_000)
      })
      const answerHeaders = Object.fromEntries([...answer.headers].filter(([name]) => !HOP_BY_HOP.has(name)))
      forwarded.push({ method: request.method(), path: new URL(request.url()).pathname, headers, status: answer.status, answerHeaders, body: request.postData() })
      await route.fulfill({ status: answer.status, headers: answerHeaders, body: Buffer.from(await answer.arrayBuffer()) })
    } catch (error) {
      unexpected.push(`${request.url()}: ${String(error)}`)
      await route.abort()
    }
  })
  return { forwarded, unexpected }
}

t.test('routed with context.route: the original SDK registers and authenticates, unchanged', async (t) => {
  const { context, page } = await openSdkPage(t, routedBrowser)
  const routed = await routeSdk(context)
  await enrollAndSignIn(t, page)

  t.same(routed.forwarded.map(({ method, path, status }) => `${method} ${path} ${status}`), CEREMONY_PATHS.map((path) => `POST ${path} 200`),
    'the SDK called the four ceremony routes, and they answered')
  t.same(routed.unexpected, [], 'the SDK called nothing else (no analytics)')
  for (const { path, headers, answerHeaders } of routed.forwarded) {
    t.match(headers, { 'content-type': 'application/json', 'passage-flex-version': SDK_VERSION, origin }, `${path}: the SDK's headers, from the page's origin`)
    t.notOk(headers.cookie ?? headers.authorization, `${path}: no cookie, no credentials`)
    t.equal(answerHeaders['access-control-allow-origin'], origin, `${path}: the engine allows the page's origin`)
  }

  // Playwright answers preflights of routed requests itself, so ask the engine the browser's preflight.
  const needed = Object.keys(routed.forwarded[0].headers).filter((name) => !BROWSER_HEADERS.has(name) && !name.startsWith('sec-')).sort()
  t.same(needed, ['content-type', 'passage-flex-version'], 'the headers the preflight asks for')
  for (const path of CEREMONY_PATHS) {
    const preflight = async (from: string): Promise<Response> => await fetch(engineBase + path.slice('/v1/'.length), {
      method: 'OPTIONS',
      headers: { origin: from, 'access-control-request-method': 'POST', 'access-control-request-headers': needed.join(',') },
      signal: AbortSignal.timeout(10_000)
    })
    const allowed = await preflight(origin)
    t.ok(allowed.ok, `${path}: preflight answered ${allowed.status}`)
    t.equal(allowed.headers.get('access-control-allow-origin'), origin)
    t.match(allowed.headers.get('access-control-allow-methods'), /\bPOST\b/)
    const allowedHeaders = (allowed.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/)
    t.same(needed.filter((name) => !allowedHeaders.includes(name)), [], `${path}: the SDK's headers are allowed`)
    t.equal((await preflight('https://elsewhere.example')).headers.get('access-control-allow-origin'), null, `${path}: another origin is not allowed`)
  }
})

t.test('passkey-first sign-in: authenticate({ isConditionalMediation: true }) and authenticate(), then POST /sign-in', async (t) => {
  const { context, page } = await openSdkPage(t, routedBrowser)
  const routed = await routeSdk(context)
  await enrollAndSignIn(t, page)
  const externalId = `user-${users}`
  const signIns = host.issued.length

  // A fresh log-in page each time: the SDK aborts its one global AbortController on every modal
  // ceremony and never makes a new one, so a page's autofill after one is aborted at once.
  const signInWith = async (options?: { isConditionalMediation: boolean }): Promise<void> => {
    t.same((await call(page, 'POST', '/passkey/logout')).body, { state: 'anonymous' })
    await page.reload()
    await page.waitForFunction(() => (window as Partial<SdkWindow>).PassageFlex !== undefined)
    const from = routed.forwarded.length
    const nonce = await page.evaluate(async ({ appId, options }) => {
      const { passkey } = new (window as unknown as SdkWindow).PassageFlex(appId)
      return await (options === undefined ? passkey.authenticate() : passkey.authenticate(options))
    }, { appId: APP_ID, options })
    t.type(nonce, 'string', 'the SDK resolves to a nonce')
    const [start, finish] = routed.forwarded.slice(from)
    t.match(start, { path: CEREMONY_PATHS[2], status: 200, body: '{}' }, 'the start has no transaction')
    t.notOk(JSON.parse(finish.body ?? '{}').transaction_id, 'nor has the finish')
    t.same(await call(page, 'POST', '/passkey/sign-in', { nonce }), { status: 200, body: { state: 'authenticated', auth_token: `token-for-${externalId}` } })
    t.same((await call(page, 'POST', '/passkey/verify', { nonce })).status, 401, 'the nonce is spent')
  }
  await signInWith({ isConditionalMediation: true })
  await signInWith()
  t.same(host.issued.slice(signIns), [externalId, externalId], 'the host issued its token for each sign-in')
  t.same(routed.unexpected, [])
})

t.test('over the network: the browser\'s own preflights and CORS checks pass', async (t) => {
  const fake = await startFakePassage(t, host.port)
  const browser = await launchWithFakePassage(t, fake)
  const { page } = await openSdkPage(t, browser, { ignoreHTTPSErrors: true })
  await enrollAndSignIn(t, page)

  const seen = fake.exchanges.map(({ method, path, status, origin, allowOrigin }) => ({ method, path, status, origin, allowOrigin }))
  for (const path of CEREMONY_PATHS) {
    const preflight = seen.findIndex((exchange) => exchange.method === 'OPTIONS' && exchange.path === path)
    const post = seen.findIndex((exchange) => exchange.method === 'POST' && exchange.path === path)
    t.ok(preflight !== -1 && preflight < post, `${path}: the browser asked a preflight first`)
    t.match(seen[preflight], { status: 204, origin, allowOrigin: origin }, `${path}: the engine allowed it`)
    t.match(seen[post], { status: 200, origin, allowOrigin: origin }, `${path}: and answered the POST`)
  }
  t.same(seen.filter(({ method }) => method !== 'OPTIONS').map(({ path }) => path), CEREMONY_PATHS, 'nothing else went to auth.passage.id')
})

t.test('over the network: the browser refuses the engine to a page origin it does not allow', async (t) => {
  const fake = await startFakePassage(t, host.port)
  const browser = await launchWithFakePassage(t, fake)
  const other = `http://127.0.0.1:${host.port}`
  const { page } = await openSdkPage(t, browser, { ignoreHTTPSErrors: true }, other)
  await t.rejects(register(page, 'any-transaction'), 'the SDK gets no answer')
  t.match(fake.exchanges, [{ method: 'OPTIONS', origin: other, status: 204, allowOrigin: undefined }], 'the preflight was not allowed')
  t.equal(fake.exchanges.length, 1, 'so the POST was never sent')
})

t.test('the SDK shows the engine\'s error message', async (t) => {
  const { context, page } = await openSdkPage(t, routedBrowser)
  await routeSdk(context)
  await t.rejects(register(page, 'no-such-transaction'), { message: /Unknown or already used transaction/ })
})
