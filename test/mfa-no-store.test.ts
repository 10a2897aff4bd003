import t from 'tap'
import Fastify from 'fastify'
import type { LightMyRequestResponse } from 'fastify'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { noStore } from '../src/no-store.js'
import { replyWithCode } from '../src/reply-error.js'
import { clientScriptRoute } from '../src/routes/client-script.js'
import { flexPath, post } from './helpers/ceremonies.js'
import { PREFIX, buildMfaApp, registerPasskey, signUp, stepUp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { Browser } from './helpers/browser.js'

// Design invariant 17: nothing the plugin answers is cacheable when it carries account data.

t.test('every answer of the plugin is Cache-Control: no-store, errors included', async (t) => {
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
})

t.test('the public client bundle keeps its own caching, whether or not it is built', async (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'pkmfa-no-store-')), 'client.js')
  const app = Fastify()
  t.teardown(async () => app.close())
  await app.register(async (scope) => {
    scope.setErrorHandler(replyWithCode)
    scope.addHook('onSend', noStore)
    await scope.register(clientScriptRoute, { file: pathToFileURL(file) })
  })
  const missing = await app.inject({ method: 'GET', url: '/client.js' })
  t.same([missing.statusCode, missing.json().code, missing.headers['cache-control']], [404, 'FST_PASSKEY_MFA_CLIENT_NOT_BUILT', 'no-store'], 'a missing build is a refusal like any other')
  writeFileSync(file, 'export {}\n')
  const served = await app.inject({ method: 'GET', url: '/client.js' })
  t.same([served.statusCode, served.headers['cache-control']], [200, 'public, max-age=300'])
})
