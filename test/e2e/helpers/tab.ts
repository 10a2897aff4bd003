import { mkdir } from 'node:fs/promises'
import type { Browser, BrowserContext, BrowserContextOptions, CDPSession, Page } from 'playwright-core'
import type { Test } from 'tap'

/** Where screenshots go (git-ignored). */
export const SCREENSHOTS = new URL('../../../screenshots/', import.meta.url)

const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }

/** A fresh browser profile (no cookies, no authenticator) with one tab and its DevTools session. */
export interface Tab {
  context: BrowserContext
  page: Page
  cdp: CDPSession
}

/** Options of {@link openTab}: the context's, and whether the browser offers passkey autofill. */
export interface TabOptions extends BrowserContextOptions {
  /**
   * Default `true`. With `false`, `PublicKeyCredential.isConditionalMediationAvailable()` resolves
   * `false`, as in a browser without passkey autofill: a virtual authenticator with presence
   * simulated answers a conditional request at once with its first discoverable passkey (as if the
   * user always picked it), so tests of the password log-in on the example turn autofill off.
   */
  passkeyAutofill?: boolean
}

/** Opens a tab in a new context with WebAuthn's virtual authenticators enabled; closed in teardown. */
export async function openTab (t: Test, browser: Browser, { passkeyAutofill = true, ...options }: TabOptions = {}): Promise<Tab> {
  const context = await browser.newContext({ viewport: DESKTOP, ...options })
  t.teardown(async () => { await context.close() })
  if (!passkeyAutofill) {
    await context.addInitScript(() => {
      Object.defineProperty(PublicKeyCredential, 'isConditionalMediationAvailable', { value: async () => false })
    })
  }
  context.setDefaultTimeout(10_000)
  context.setDefaultNavigationTimeout(10_000)
  const page = await context.newPage()
  const cdp = await context.newCDPSession(page)
  await cdp.send('WebAuthn.enable', { enableUI: false })
  return { context, page, cdp }
}

/** Refuses (or allows again) user verification on a virtual authenticator: a refused ceremony fails like a cancelled one. */
export async function setUserVerified (cdp: CDPSession, authenticatorId: string, isUserVerified: boolean): Promise<void> {
  await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified })
}

/** How many credentials a virtual authenticator holds. */
export async function credentialCount (cdp: CDPSession, authenticatorId: string): Promise<number> {
  return (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials.length
}

/** Clears a virtual authenticator's credentials and detaches it (it holds at most 3 discoverable ones). */
export async function removeAuthenticator (cdp: CDPSession, authenticatorId: string): Promise<void> {
  await cdp.send('WebAuthn.clearCredentials', { authenticatorId })
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId })
}

/** Saves a full-page screenshot of `page` as `screenshots/<name>.png`, and `<name>-phone.png` at a phone's width. */
export async function screenshot (page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOTS, { recursive: true })
  await page.screenshot({ path: new URL(`${name}.png`, SCREENSHOTS).pathname, fullPage: true, animations: 'disabled' })
  await page.setViewportSize(PHONE)
  await page.screenshot({ path: new URL(`${name}-phone.png`, SCREENSHOTS).pathname, fullPage: true, animations: 'disabled' })
  await page.setViewportSize(DESKTOP)
}
