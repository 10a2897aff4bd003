import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { passkey } from '@better-auth/passkey'
import { betterAuth } from 'better-auth'
import { getMigrations } from 'better-auth/db/migration'
import Database from 'better-sqlite3'
import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import { ORIGIN, RP_ID } from '../../test/helpers/engine-app.js'

/** Where better-auth's routes are mounted. */
export const BETTER_AUTH_BASE = '/api/auth'

/**
 * The peer: better-auth with its passkey plugin on an SQLite file (WAL, like our store), mounted in
 * Fastify the way its documentation shows (a catch-all route handing a Fetch `Request` to
 * `auth.handler`). Email and password sign-up is on, for the setup; rate limiting and telemetry are off.
 */
export async function betterAuthApp (): Promise<FastifyInstance> {
  const dir = await mkdtemp(join(tmpdir(), 'pkmfa-bench-better-auth-'))
  const database = new Database(join(dir, 'auth.db'))
  database.pragma('journal_mode = WAL')
  const options = {
    database,
    baseURL: ORIGIN,
    secret: 'bench-secret-bench-secret-bench-secret',
    emailAndPassword: { enabled: true },
    plugins: [passkey({ rpID: RP_ID, rpName: 'Bench', origin: ORIGIN })],
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    logger: { disabled: true }
  }
  await (await getMigrations(options)).runMigrations()
  const auth = betterAuth(options)

  const app = Fastify()
  app.addHook('onClose', async () => {
    database.close()
    await rm(dir, { recursive: true, force: true })
  })
  app.route({
    method: ['GET', 'POST'],
    url: `${BETTER_AUTH_BASE}/*`,
    async handler (request, reply) {
      const headers = new Headers()
      for (const [name, value] of Object.entries(request.headers)) {
        if (value !== undefined) headers.append(name, value.toString())
      }
      const response = await auth.handler(new Request(new URL(request.url, ORIGIN), {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) })
      }))
      reply.status(response.status)
      response.headers.forEach((value, name) => { reply.header(name, value) })
      return reply.send(response.body === null ? null : await response.text())
    }
  })
  return app
}
