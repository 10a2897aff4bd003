import type { LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import { Browser } from './browser.js'
import { authenticateFinishBody, flexPath, post, registerFinishBody } from './ceremonies.js'
import { PREFIX, addUser } from './mfa-app.js'
import type { MfaApp } from './mfa-app.js'
import type { SoftwareAuthenticator } from './software-authenticator.js'

/** A browser whose user (added when new) just completed the first factor. */
export async function firstFactor (mfa: MfaApp, externalId: string): Promise<Browser> {
  if (!mfa.users.has(externalId)) addUser(mfa, externalId)
  const browser = new Browser(mfa.app)
  await browser.post('/login', { externalId })
  return browser
}

/** POSTs to an engine route of the test app, e.g. `flex(mfa, 'register', 'start', body)`. */
export async function flex (
  mfa: MfaApp, ceremony: 'register' | 'authenticate', step: 'start' | 'finish', body: object
): Promise<LightMyRequestResponse> {
  return post(mfa.app, `${PREFIX}${flexPath(ceremony, step)}`, body)
}

/** Creates the session's transaction of `kind` and runs its ceremony; returns the finish answer. */
export async function ceremony (
  mfa: MfaApp, browser: Browser, kind: 'register' | 'authenticate', authenticator: SoftwareAuthenticator
): Promise<LightMyRequestResponse> {
  const { transactionId } = (await browser.post(`${PREFIX}/${kind}`)).json()
  const { handshake } = (await flex(mfa, kind, 'start', { transaction_id: transactionId, authenticator_attachment: 'platform' })).json()
  const { publicKey } = handshake.challenge
  return flex(mfa, kind, 'finish', kind === 'register'
    ? registerFinishBody(transactionId, handshake.id, authenticator.create(publicKey))
    : authenticateFinishBody(transactionId, handshake.id, authenticator.get(publicKey)))
}

/** Asserts that the passkey step with `authenticator`, from the session's current state, ends authenticated with a token. */
export async function passkeySignsIn (t: Test, mfa: MfaApp, browser: Browser, authenticator: SoftwareAuthenticator): Promise<void> {
  const { nonce } = (await ceremony(mfa, browser, 'authenticate', authenticator)).json()
  const verify = await browser.post(`${PREFIX}/verify`, { nonce })
  t.match(verify.json(), { state: 'authenticated', auth_token: String }, 'the passkey signs in')
}

/** The answer the plugin's routes give when the store failed. */
export const STORE_UNAVAILABLE = { statusCode: 503, code: 'FST_PASSKEY_MFA_STORE_UNAVAILABLE', error: 'Service Unavailable', message: 'The passkey store is unavailable, try again later' }

/** The answer the engine's Passage-compatible routes give when the store failed: `error` repeats the message, for Passage's SDK. */
export const ENGINE_STORE_UNAVAILABLE = { ...STORE_UNAVAILABLE, error: STORE_UNAVAILABLE.message }
