import { generateKeyPairSync, randomBytes } from 'node:crypto'
import type { CDPSession, Page } from 'playwright-core'

/** The WebAuthn Signal API's methods on `PublicKeyCredential`. */
export const SIGNAL_METHODS = ['signalUnknownCredential', 'signalAllAcceptedCredentials', 'signalCurrentUserDetails'] as const

/** A call of a Signal API method as the spy recorded it. */
export interface SignalCall {
  method: typeof SIGNAL_METHODS[number]
  options: Record<string, unknown>
}

/**
 * Replaces the page's `PublicKeyCredential.signal*` methods with recorders that resolve, before any
 * script of the page runs. The calls are kept in `sessionStorage`, so they outlive the tab's
 * navigations (same origin); {@link signalCalls} reads them.
 */
export async function spyOnSignals (page: Page): Promise<void> {
  await page.addInitScript((methods) => {
    for (const method of methods) {
      Object.defineProperty(PublicKeyCredential, method, {
        configurable: true,
        value: async (options: unknown) => {
          const calls = JSON.parse(sessionStorage.getItem('signal-calls') ?? '[]')
          sessionStorage.setItem('signal-calls', JSON.stringify([...calls, { method, options }]))
        }
      })
    }
  }, SIGNAL_METHODS)
}

/** The Signal API calls {@link spyOnSignals} recorded in the tab, oldest first. */
export async function signalCalls (page: Page): Promise<SignalCall[]> {
  return await page.evaluate(() => JSON.parse(sessionStorage.getItem('signal-calls') ?? '[]'))
}

/** Removes the Signal API from the page, as in a browser without it (Chrome before 132, Firefox, Safari before 26). */
export async function removeSignalApi (page: Page): Promise<void> {
  await page.addInitScript((methods) => {
    for (const method of methods) Reflect.deleteProperty(PublicKeyCredential, method)
  }, SIGNAL_METHODS)
}

/**
 * Records the page's `navigator.credentials.get` calls in `sessionStorage` (across navigations):
 * `"<mediation> started"`, then `"<mediation> resolved"` or `"<mediation> <error name>"`; a request
 * pending when the page goes away records no outcome. {@link ceremonyLog} reads them.
 */
export async function recordCeremonies (page: Page): Promise<void> {
  await page.addInitScript(() => {
    const get = navigator.credentials.get.bind(navigator.credentials)
    const log = (entry: string): void => {
      sessionStorage.setItem('ceremonies', JSON.stringify([...JSON.parse(sessionStorage.getItem('ceremonies') ?? '[]'), entry]))
    }
    navigator.credentials.get = async (options) => {
      const mediation = options?.mediation ?? 'optional'
      log(`${mediation} started`)
      try {
        const credential = await get(options)
        log(`${mediation} resolved`)
        return credential
      } catch (error) {
        log(`${mediation} ${(error as Error).name}`)
        throw error
      }
    }
  })
}

/** The `navigator.credentials.get` calls {@link recordCeremonies} recorded in the tab, oldest first. */
export async function ceremonyLog (page: Page): Promise<string[]> {
  return await page.evaluate(() => JSON.parse(sessionStorage.getItem('ceremonies') ?? '[]'))
}

/** Empties the tab's log of `navigator.credentials.get` calls. */
export async function clearCeremonyLog (page: Page): Promise<void> {
  await page.evaluate(() => { sessionStorage.removeItem('ceremonies') })
}

/** Waits until the tab's log of `navigator.credentials.get` calls has `count` entries, and returns them. */
export async function waitForCeremonies (page: Page, count: number): Promise<string[]> {
  await page.waitForFunction((count) => JSON.parse(sessionStorage.getItem('ceremonies') ?? '[]').length >= count, count)
  return await ceremonyLog(page)
}

/**
 * Puts a discoverable passkey for `localhost` that no server knows (a fresh P-256 key) into the
 * virtual authenticator; returns its credential ID (base64url).
 */
export async function addUnknownPasskey (cdp: CDPSession, authenticatorId: string): Promise<string> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const id = randomBytes(16)
  await cdp.send('WebAuthn.addCredential', {
    authenticatorId,
    credential: {
      credentialId: id.toString('base64'),
      isResidentCredential: true,
      rpId: 'localhost',
      privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      userHandle: randomBytes(16).toString('base64'),
      signCount: 0
    }
  })
  return id.toString('base64url')
}
