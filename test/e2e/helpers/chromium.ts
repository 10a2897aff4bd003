import { chromium } from 'playwright-core'
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core'
import type { Test } from 'tap'
import type * as Client from '../../../src/client/index.js'

/** Where Debian installs Chromium. */
export const CHROMIUM = '/usr/bin/chromium'

/** The client bundle as the test page exposes it. */
export type ClientModule = typeof Client

/** How a promise settled in the page, with a {@link Client.PasskeyClientError}'s fields. */
export type Settled<T> =
  | { value: T, error?: undefined }
  | { value?: undefined, error: { name: string, message: string, code?: string, serverCode?: string, status?: number, retryAfterSeconds?: number, cause?: string } }

/** The test page's `window`: the bundle and a few helpers. */
export type ClientWindow = Window & {
  passkeyMfa: ClientModule
  /** Brings a promise's outcome out of the page, errors included. */
  settle: <T>(promise: Promise<T>) => Promise<Settled<T>>
  /** The host app's first factor: `POST /login {externalId}`. */
  login: (externalId: string) => Promise<void>
  /** How many `navigator.credentials.create/get` calls are pending. */
  pendingCeremonies: number
  /** Where a test keeps a ceremony it started without waiting for it. */
  started?: Promise<Settled<unknown>>
}

/** Launches headless Chromium; closed in teardown. */
export async function launchChromium (t: Test): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    timeout: 30_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
  t.teardown(async () => { await browser.close() })
  return browser
}

/** A fresh browser profile (no cookies) with one tab on the test page, and the tab's DevTools session. */
export interface ClientTab {
  context: BrowserContext
  page: Page
  cdp: CDPSession
}

/** Opens `origin`'s test page in a new context, waits for the bundle to load; closed in teardown. */
export async function openClientTab (t: Test, browser: Browser, origin: string): Promise<ClientTab> {
  const context = await browser.newContext()
  t.teardown(async () => { await context.close() })
  context.setDefaultTimeout(10_000)
  const page = await context.newPage()
  const cdp = await context.newCDPSession(page)
  await cdp.send('WebAuthn.enable', { enableUI: false })
  await page.goto(origin)
  await page.waitForFunction(() => (window as Partial<ClientWindow>).passkeyMfa !== undefined)
  return { context, page, cdp }
}

/**
 * Adds a virtual platform authenticator (CTAP2, internal, resident keys, user verification, presence
 * simulated) to the tab and returns its ID. It holds at most 3 discoverable credentials.
 */
export async function addAuthenticator (cdp: CDPSession): Promise<string> {
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true
    }
  })
  return authenticatorId
}

/** Rejects when `promise` has not settled within `ms`: every wait on the page is bounded. */
export async function within<T> (ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
