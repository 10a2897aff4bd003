/**
 * The entry of one app instance for the several-instances tests, started by `instance-process.ts`
 * with its {@link InstanceConfig} in `INSTANCE_CONFIG`: the test host app with the plugin on a
 * PostgreSQL schema (and Redis for its limits), listening on 127.0.0.1 and a free port, which it
 * prints on stdout. It closes when its stdin ends (the test stops it, or the test process is gone).
 */
import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import fastifyPasskeyMfa from '../../src/index.js'
import type { MfaUser } from '../../src/index.js'
import { PostgresStore } from '../../src/engine/stores/postgres.js'
import { APP_ID, ORIGIN, RP_ID } from './engine-app.js'
import type { InstanceConfig } from './instance-process.js'
import { SESSION_KEY } from './mfa-app.js'

/** Limits no test reaches: every request of the tests comes from 127.0.0.1. */
const ADDRESS_LIMITS = { requestsPerAddress: { max: 100_000, windowMs: 60_000 }, failedAttemptsPerAddress: 100_000 }

/**
 * The host app of every instance: any external ID is a user; `POST /login {externalId}` completes the
 * first factor, `GET /protected` needs the passkey step, and `GET /issued` lists the external IDs
 * `issueToken` was called for, in order. All instances share `SESSION_KEY`, as behind a load balancer.
 */
async function buildInstanceApp (config: InstanceConfig): Promise<FastifyInstance> {
  const { pgUrl, schema, revocationSyncMs, redisUrl, failedAttemptsPerAccount, lockoutMs } = config
  const redis = redisUrl === null ? undefined : new Redis(redisUrl)
  const issued: string[] = []
  const app = Fastify()
  if (redis !== undefined) app.addHook('onClose', async () => { await redis.quit() })
  await app.register(fastifyPasskeyMfa, {
    sessionKey: SESSION_KEY,
    engine: { appId: APP_ID, rpId: RP_ID, rpName: 'Test', origins: [ORIGIN], store: new PostgresStore({ connectionString: pgUrl, schema }) },
    findUser: async (externalId) => userOf(externalId),
    issueToken: async (user) => {
      issued.push(user.externalId)
      return `token-for-${user.externalId}`
    },
    revocationSyncMs,
    limits: { redis, failedAttemptsPerAccount, lockoutMs, ...ADDRESS_LIMITS }
  })
  app.post<{ Body: { externalId: string } }>('/login', async (request) => ({ next: await request.mfa.completeFirstFactor(userOf(request.body.externalId)) }))
  app.get('/protected', { preHandler: app.mfa.requireAuthenticated }, async (request) => ({ externalId: request.mfa.externalId }))
  app.get('/issued', async () => ({ issued }))
  return app
}

function userOf (externalId: string): MfaUser {
  return { externalId, displayName: `${externalId}@example.com` }
}

const app = await buildInstanceApp(JSON.parse(process.env.INSTANCE_CONFIG ?? 'null') as InstanceConfig)
await app.listen({ host: '127.0.0.1', port: 0 })
process.stdout.write(`${(app.server.address() as { port: number }).port}\n`)
process.stdin.on('end', () => { app.close().then(() => process.exit(0), () => process.exit(1)) }).resume()
