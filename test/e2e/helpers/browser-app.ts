import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { promisify } from 'node:util'
import type { Test } from 'tap'
import fastifyPasskeyMfa from '../../../src/index.js'
import type { MfaUser, PasskeyMfaOptions } from '../../../src/index.js'
import { MemoryStore } from '../../../src/engine/stores/memory.js'
import { SESSION_KEY } from '../../helpers/mfa-app.js'

const ROOT = new URL('../../../', import.meta.url)
const BUNDLE = new URL('browser/passkey-mfa-client.js', ROOT)

/**
 * The page the tests drive: it loads the bundle as `window.passkeyMfa`, has the helpers of
 * `ClientWindow`, and an input for passkey autofill.
 */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>passkey-mfa client</title></head>
<body><input name="username" autocomplete="username webauthn">
<script type="module">
import * as client from '/client.js'
window.settle = (promise) => promise.then((value) => ({ value }), (error) => ({
  error: { name: error.name, message: error.message, code: error.code, serverCode: error.serverCode, status: error.status, retryAfterSeconds: error.retryAfterSeconds, cause: error.cause?.name }
}))
window.login = async (externalId) => {
  const response = await fetch('/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ externalId }) })
  if (!response.ok) throw new Error('login failed: ' + response.status)
}
window.pendingCeremonies = 0
for (const method of ['create', 'get']) {
  const original = navigator.credentials[method].bind(navigator.credentials)
  navigator.credentials[method] = (options) => {
    window.pendingCeremonies++
    return original(options).finally(() => { window.pendingCeremonies-- })
  }
}
window.passkeyMfa = client
</script></body></html>`

/** A host app listening on localhost, its origin, its users and the tokens it issued. */
export interface BrowserApp {
  app: FastifyInstance
  origin: string
  users: Map<string, MfaUser>
  /** External IDs `issueToken` was called for, in order. */
  issued: string[]
}

/**
 * Builds the browser bundle with `scripts/build-client.mjs`, then starts a host app with the plugin
 * (RP ID `localhost`, memory store) on a free port: `GET /` is the test page, `GET /client.js` the
 * bundle, `POST /login {externalId}` the first factor; `options` adds to the plugin's. Closed in teardown.
 */
export async function startBrowserApp (t: Test, options: Partial<PasskeyMfaOptions> = {}): Promise<BrowserApp> {
  await promisify(execFile)(process.execPath, ['scripts/build-client.mjs'], { cwd: ROOT, timeout: 30_000 })
  const bundle = await readFile(BUNDLE)
  const port = await freePort()
  const origin = `http://localhost:${port}`
  const users = new Map<string, MfaUser>()
  const issued: string[] = []
  const app = Fastify()
  await app.register(fastifyPasskeyMfa, {
    sessionKey: SESSION_KEY,
    engine: { rpId: 'localhost', rpName: 'Client test', origins: [origin], store: new MemoryStore(), ceremonyTimeoutMs: 15_000, sweepIntervalMs: 0 },
    findUser: async (externalId) => users.get(externalId) ?? null,
    issueToken: async (user) => {
      issued.push(user.externalId)
      return `token-for-${user.externalId}`
    },
    ...options
  })
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE))
  app.get('/client.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(bundle))
  app.post<{ Body: { externalId: string } }>('/login', async (request, reply) => {
    const user = users.get(request.body.externalId)
    if (user === undefined) return reply.code(401).send({ error: 'bad credentials' })
    return { next: await request.mfa.completeFirstFactor(user) }
  })
  t.teardown(async () => { await app.close() })
  await app.listen({ host: '127.0.0.1', port })
  return { app, origin, users, issued }
}

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}
