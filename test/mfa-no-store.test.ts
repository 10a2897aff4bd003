import t from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { flexPath, post } from './helpers/ceremonies.js'
import { PREFIX, buildMfaApp, registerPasskey, signUp, stepUp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { Browser } from './helpers/browser.js'

// Design invariant 17: nothing the plugin answers is cacheable when it carries account data.

t.test('every answer of the plugin is Cache-Control: no-store, errors included; the public client bundle is not', async (t) => {
  const mfa = await buildMfaApp(t)
  const authenticator = new SoftwareAuthenticator()
  const browser = await signUp(mfa, 'alice', authenticator)
  const engineRoutes = { inject: async (options: { url: string }) => mfa.app.inject({ ...options, url: `${PREFIX}${options.url}` }) }
  const answers: Array<[string, () => Promise<LightMyRequestResponse>]> = [
    ['GET /status', async () => browser.get(`${PREFIX}/status`)],
    ['GET /passkeys', async () => browser.get(`${PREFIX}/passkeys`)],
    ['POST /authenticate and /verify', async () => stepUp(mfa, browser, authenticator)],
    ['POST /register', async () => browser.post(`${PREFIX}/register`)],
    ['POST /verify of a registration', async () => browser.post(`${PREFIX}/verify`, { nonce: await registerPasskey(mfa, browser, new SoftwareAuthenticator()) })],
    ['a wire start', async () => post(engineRoutes as never, flexPath('authenticate', 'start'), { transaction_id: (await browser.post(`${PREFIX}/authenticate`)).json().transactionId })],
    ['a wire refusal', async () => post(engineRoutes as never, flexPath('register', 'finish'), {})],
    ['an error', async () => new Browser(mfa.app).get(`${PREFIX}/passkeys`)],
    ['POST /logout', async () => browser.post(`${PREFIX}/logout`)]
  ]
  for (const [name, answer] of answers) {
    const response = await answer()
    t.equal(response.headers['cache-control'], 'no-store', `${name} (${response.statusCode})`)
  }
  const bundle = await mfa.app.inject({ method: 'GET', url: `${PREFIX}/client.js` })
  t.not(bundle.headers['cache-control'], 'no-store', `the client bundle keeps its own caching (${bundle.statusCode})`)
})
