import { HttpClient, keepAliveAgent } from '../clients/http.js'
import { MfaFlow } from '../clients/mfa-flow.js'
import { loadRoute } from '../clients/route-load.js'
import { alternate } from '../lib/alternate.js'
import { ROUNDS, RUN_MS, WARMUP_MS } from '../lib/config.js'
import { compare } from '../lib/report.js'
import type { Comparison } from '../lib/report.js'
import { startServer } from '../lib/server-process.js'

/**
 * Scenarios 1 and 2: a route behind `requireAuthenticated` ÷ the same route reading a bare
 * `@fastify/secure-session`, and a route that never touches MFA, in an app with the plugin ÷ the same
 * route in an app without it. Every request carries the session cookie a signed-in browser holds,
 * fetched anew before each run so the idle-timeout touch (once a minute) never rewrites it. The
 * apps of scenario 2 serve nothing but their route (the cookie comes from the app of scenario 1, with
 * the same session key), so that neither has been through code paths the other has not.
 */
export async function guardCost (): Promise<Comparison[]> {
  const [mfa, bare, mfaPlain, plain] = await Promise.all([
    startServer('mfa-memory'), startServer('secure-session'), startServer('mfa-memory'), startServer('plain')
  ])
  const agent = keepAliveAgent()
  const flow = new MfaFlow(mfa.url, agent, 'guarded-user')
  await flow.setup()
  const signedIn = async (): Promise<string> => {
    await flow.prepare()
    await flow.step()
    return flow.client.jar.header()!
  }
  const login = new HttpClient(bare.url, agent, {})
  await login.post('/login', { externalId: 'guarded-user' })
  const bareCookie = login.jar.header()!

  await loadRoute(mfa, '/account', await signedIn(), WARMUP_MS)
  await loadRoute(bare, '/account', bareCookie, WARMUP_MS)
  await loadRoute(mfaPlain, '/hello', await signedIn(), WARMUP_MS)
  await loadRoute(plain, '/hello', await signedIn(), WARMUP_MS)
  const guard = await alternate({
    guarded: async () => loadRoute(mfa, '/account', await signedIn(), RUN_MS),
    bare: async () => loadRoute(bare, '/account', bareCookie, RUN_MS)
  }, ROUNDS)
  const unused = await alternate({
    withPlugin: async () => loadRoute(mfaPlain, '/hello', await signedIn(), RUN_MS),
    withoutPlugin: async () => loadRoute(plain, '/hello', await signedIn(), RUN_MS)
  }, ROUNDS)
  agent.destroy()
  await Promise.all([mfa.stop(), bare.stop(), mfaPlain.stop(), plain.stop()])
  return [
    compare('1 guard cost', 'req/s', 0.95, ['GET /account behind requireAuthenticated', guard.guarded], ['the same route reading a bare secure-session', guard.bare]),
    compare('2 routes without MFA', 'req/s', 0.97, ['GET /hello, plugin registered', unused.withPlugin], ['the same route, no plugin', unused.withoutPlugin])
  ]
}
