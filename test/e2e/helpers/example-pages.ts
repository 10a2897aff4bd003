import type { Page } from 'playwright-core'

/** The password every test user of the example gets. */
export const PASSWORD = 'correct horse battery'
/** The name a new passkey gets from the registering browser (headless Chromium on Linux) when its AAGUID is unknown. */
export const NEW_PASSKEY = 'Chrome on Linux'

/** Steps through the example app's pages at `origin`, as a user would. */
export interface ExamplePages {
  /** A new email each call. */
  newEmail: () => string
  /** The status of `GET /me` with the tab's cookies. */
  me: (page: Page) => Promise<number>
  /** `GET /passkey/status` with the tab's cookies. */
  status: (page: Page) => Promise<Record<string, unknown>>
  /** Waits until the account page lists `count` passkeys, and returns their names. */
  passkeyNames: (page: Page, count: number) => Promise<string[]>
  /** Signs up with `email` and {@link PASSWORD}, and waits for the passkey step. */
  signUp: (page: Page, email: string) => Promise<void>
  /** From the recovery codes page after enrollment, goes on to the account page without making codes. */
  skipRecoveryCodes: (page: Page) => Promise<void>
  /** Signs up and enrolls the tab's authenticator, skips the recovery codes and lands on the account page. */
  signUpWithPasskey: (page: Page, email: string) => Promise<void>
  /** Counts the tab's passkey checks (`POST /passkey/authenticate`) from now on. */
  countStepUps: (page: Page) => () => number
  /** Logs in with the password on the log-in page, and waits for the passkey step. */
  logIn: (page: Page, email: string) => Promise<void>
  /** Logs out from the account page, and waits for the log-in page. */
  logOut: (page: Page) => Promise<void>
  /** Collects the URLs the tab gets a 404 for, from now on. */
  notFound: (page: Page) => string[]
  /** Whether the page scrolls sideways (is wider than the viewport). */
  scrollsSideways: (page: Page) => Promise<boolean>
}

/** The {@link ExamplePages} of the example app at `origin`. */
export function examplePages (origin: string): ExamplePages {
  let users = 0
  const pages: ExamplePages = {
    newEmail: () => `user${++users}@example.org`,
    me: async (page) => (await page.request.get(`${origin}/me`)).status(),
    status: async (page) => await (await page.request.get(`${origin}/passkey/status`)).json(),
    passkeyNames: async (page, count) => {
      await page.waitForFunction((n) => document.querySelectorAll('#passkeys li').length === n && document.getElementById('passkeys')?.getAttribute('aria-busy') === 'false', count)
      return await page.locator('#passkeys .passkey-name').allTextContents()
    },
    signUp: async (page, email) => {
      await page.goto(origin)
      await page.locator('#signup-email').fill(email)
      await page.locator('#signup-password').fill(PASSWORD)
      await page.getByRole('button', { name: 'Create account' }).click()
      await page.waitForURL(`${origin}/passkey-step`)
    },
    skipRecoveryCodes: async (page) => {
      await page.waitForURL(`${origin}/recovery-codes`)
      await page.getByRole('link', { name: 'Not now' }).click()
      await page.waitForURL(`${origin}/account`)
    },
    signUpWithPasskey: async (page, email) => {
      await pages.signUp(page, email)
      await page.getByRole('button', { name: 'Create a passkey' }).click()
      await pages.skipRecoveryCodes(page)
    },
    countStepUps: (page) => {
      let count = 0
      page.on('request', (request) => { if (request.method() === 'POST' && request.url() === `${origin}/passkey/authenticate`) count++ })
      return () => count
    },
    logIn: async (page, email) => {
      await page.locator('#login-email').fill(email)
      await page.locator('#login-password').fill(PASSWORD)
      await page.locator('#login-password').press('Enter')
      await page.waitForURL(`${origin}/passkey-step`)
    },
    logOut: async (page) => {
      await page.getByRole('button', { name: 'Log out' }).click()
      await page.waitForURL(`${origin}/`)
    },
    notFound: (page) => {
      const urls: string[] = []
      page.on('response', (response) => { if (response.status() === 404) urls.push(response.url()) })
      return urls
    },
    scrollsSideways: async (page) => await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth)
  }
  return pages
}
