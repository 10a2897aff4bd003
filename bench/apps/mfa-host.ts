import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import fastifyPasskeyMfa from '../../src/index.js'
import { PasskeyEngine } from '../../src/engine/engine.js'
import type { PasskeyStore } from '../../src/engine/store.js'
import { APP_ID, ORIGIN, RP_ID } from '../../test/helpers/engine-app.js'
import { SESSION_KEY } from '../lib/config.js'

/** Where the bench apps mount the plugin. */
export const PREFIX = '/passkey'

/**
 * The plugin's abuse limits, on (they are by default) with maxima no bench run reaches: every request
 * still goes through the rate limiter and every step through the attempt counters, so their cost is
 * measured, but none of them ever refuses a request.
 */
const UNREACHED = { max: 1e9, windowMs: 60_000 }
const LIMITS = {
  requestsPerAddress: UNREACHED,
  transactionsPerSession: UNREACHED,
  transactionsPerAccount: UNREACHED,
  failedAttemptsPerAccount: 1e9,
  failedAttemptsPerAddress: 1e9
}

/**
 * A host app with the plugin on `store`: `POST /login {externalId}` is its first factor (every user
 * exists), `GET /account` needs the passkey step, `GET /hello` never touches MFA. `close` runs after
 * the engine closed (to drop what the store was kept in). Abuse limits are on, never reached.
 */
export async function buildMfaHost (store: PasskeyStore, close: () => Promise<void> = async () => {}): Promise<FastifyInstance> {
  const engine = new PasskeyEngine({ appId: APP_ID, rpId: RP_ID, rpName: 'Bench', origins: [ORIGIN], store })
  const app = Fastify()
  app.addHook('onClose', async () => {
    await engine.close()
    await close()
  })
  await app.register(fastifyPasskeyMfa, {
    sessionKey: SESSION_KEY,
    engine,
    findUser: async (externalId) => ({ externalId, displayName: `${externalId}@example.com` }),
    issueToken: async (user) => `token-for-${user.externalId}`,
    limits: LIMITS
  })
  app.post<{ Body: { externalId: string } }>('/login', async (request) => {
    const { externalId } = request.body
    return { next: await request.mfa.completeFirstFactor({ externalId, displayName: `${externalId}@example.com` }) }
  })
  app.get('/account', { preHandler: app.mfa.requireAuthenticated }, async (request) => ({ externalId: request.mfa.externalId }))
  app.get('/hello', async () => ({ hello: 'world' }))
  return app
}
