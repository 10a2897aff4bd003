import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { MemoryStore } from '../../src/engine/stores/memory.js'
import { Browser } from '../../test/helpers/browser.js'
import { authenticate, register } from '../../test/helpers/ceremonies.js'
import { SoftwareAuthenticator } from '../../test/helpers/software-authenticator.js'
import { buildMfaHost, PREFIX } from '../apps/mfa-host.js'
import { check } from '../lib/report.js'
import type { Check } from '../lib/report.js'

const COOKIE_NAME = 'passkey_mfa'
/** The longest external ID the plugin accepts: the largest cookie. */
const LONGEST_ID = 'u'.repeat(128)

/**
 * Scenario 6: the session cookie (`name=value`, as the browser sends it back) in every state, for
 * a user with the longest external ID, through `app.inject`.
 */
export async function cookieSize (): Promise<Check[]> {
  const app = await buildMfaHost(new MemoryStore())
  const browser = new Browser(app)
  const engineRoutes = scoped(app)
  const authenticator = new SoftwareAuthenticator()
  const sizes: Array<[string, number]> = []
  const measure = (state: string, response: LightMyRequestResponse): void => { sizes.push([state, cookieBytes(response)]) }

  measure('first-factor', await browser.post('/login', { externalId: LONGEST_ID }))
  const enrolling = await browser.post(`${PREFIX}/register`)
  measure('passkey-pending (enrollment)', enrolling)
  const enrolled = await register(engineRoutes, authenticator, enrolling.json().transactionId)
  measure('authenticated (after enrollment)', await browser.post(`${PREFIX}/verify`, { nonce: enrolled.nonce }))
  measure('authenticated, step-up pending', await browser.post(`${PREFIX}/authenticate`))
  measure('first-factor (second sign-in)', await browser.post('/login', { externalId: LONGEST_ID }))
  const signingIn = await browser.post(`${PREFIX}/authenticate`)
  measure('passkey-pending (sign-in)', signingIn)
  const signedIn = await authenticate(engineRoutes, authenticator, signingIn.json().transactionId)
  measure('authenticated (after sign-in)', await browser.post(`${PREFIX}/verify`, { nonce: signedIn.nonce }))
  measure('anonymous (logout clears it)', await browser.post(`${PREFIX}/logout`))
  await app.close()
  return sizes.map(([state, bytes]) => check('6 session cookie size', state, bytes, 'bytes', 512))
}

/** The size of `passkey_mfa=value` that `response` sets; throws when it sets none. */
function cookieBytes (response: LightMyRequestResponse): number {
  const setCookie = [response.headers['set-cookie'] ?? []].flat().find((header) => header.startsWith(`${COOKIE_NAME}=`))
  if (setCookie === undefined) throw new Error(`no ${COOKIE_NAME} cookie set by ${response.raw.req.url}`)
  return Buffer.byteLength(setCookie.split(';')[0])
}

/** The app seen through the ceremony helpers, with the engine routes under the plugin's prefix. */
function scoped (app: FastifyInstance): FastifyInstance {
  return { inject: async (options: { url: string }) => app.inject({ ...options, url: `${PREFIX}${options.url}` }) } as unknown as FastifyInstance
}
