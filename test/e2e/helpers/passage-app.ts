import { build } from 'esbuild'
import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import fastifyPasskeyMfa, { MemoryStore } from '../../../src/index.js'
import type { MfaUser } from '../../../src/index.js'
import { SESSION_KEY } from '../../helpers/mfa-app.js'
import { freePort } from './example-server.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** The app ID the page gives Passage's SDK; the engine routes answer it only. */
export const APP_ID = 'passage-sdk-e2e'

/** Where Passage's SDK sends its requests, hard-wired in it. */
export const PASSAGE_API = 'https://auth.passage.id/v1/'

/** The page: it loads the original SDK, unchanged, as `window.PassageFlex`. */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Passage SDK</title></head>
<body><script type="module">
import { PassageFlex } from '/passage-flex.js'
window.PassageFlex = PassageFlex
</script></body></html>`

/** A host app for Passage's original browser SDK, its origin, its users and the tokens it issued. */
export interface PassageApp {
  app: FastifyInstance
  port: number
  origin: string
  /** Where the SDK's requests are answered: the engine routes, `{origin}/passkey/flex/v1/`. */
  engineBase: string
  users: Map<string, MfaUser>
  /** External IDs `issueToken` was called for, in order. */
  issued: string[]
}

/** `@passageidentity/passage-flex-js@1.0.2` as it is published, bundled with its dependency into one ES module. */
export async function bundlePassageSdk (): Promise<string> {
  const { outputFiles } = await build({
    stdin: { contents: "export { PassageFlex } from '@passageidentity/passage-flex-js'", resolveDir: ROOT, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent'
  })
  return outputFiles[0].text
}

/**
 * Starts a host app with the plugin (RP ID `localhost`, memory store, app ID {@link APP_ID}, passkey sign-in on) on a
 * free port, allowing its own origin to call the ceremony routes cross-origin, as the SDK does from
 * `https://auth.passage.id`: `GET /` is the page, `GET /passage-flex.js` the SDK, `POST /login
 * {externalId}` the first factor. Closed in teardown.
 */
export async function startPassageApp (t: Test): Promise<PassageApp> {
  const sdk = await bundlePassageSdk()
  const port = await freePort()
  const origin = `http://localhost:${port}`
  const users = new Map<string, MfaUser>()
  const issued: string[] = []
  const app = Fastify()
  t.teardown(async () => { await app.close() })
  await app.register(fastifyPasskeyMfa, {
    sessionKey: SESSION_KEY,
    engine: { appId: APP_ID, rpId: 'localhost', rpName: 'Passage SDK test', origins: [origin], store: new MemoryStore(), ceremonyTimeoutMs: 15_000, sweepIntervalMs: 0 },
    corsOrigins: [origin],
    passkeySignIn: true,
    findUser: async (externalId) => users.get(externalId) ?? null,
    issueToken: async (user) => {
      issued.push(user.externalId)
      return `token-for-${user.externalId}`
    }
  })
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(PAGE))
  app.get('/passage-flex.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(sdk))
  app.post<{ Body: { externalId: string } }>('/login', async (request, reply) => {
    const user = users.get(request.body.externalId)
    if (user === undefined) return reply.code(401).send({ error: 'bad credentials' })
    return { next: await request.mfa.completeFirstFactor(user) }
  })
  await app.listen({ host: '127.0.0.1', port })
  return { app, port, origin, engineBase: `${origin}/passkey/flex/v1/`, users, issued }
}
