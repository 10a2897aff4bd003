import { HttpClient, keepAliveAgent } from '../clients/http.js'
import { MfaFlow } from '../clients/mfa-flow.js'
import { loadRoute } from '../clients/route-load.js'
import { alternate } from '../lib/alternate.js'
import type { Sample } from '../lib/alternate.js'
import { PROCESSES, ROUNDS, RUN_MS, WARMUP_MS } from '../lib/config.js'
import { check, compare } from '../lib/report.js'
import type { Results } from '../lib/report.js'
import { median } from '../lib/stats.js'
import { startServer } from '../lib/server-process.js'
import type { ServerProcess } from '../lib/server-process.js'

/** The server CPU time the guard may add to a request over a bare secure-session read, in microseconds. */
const GUARD_MICROS = 3

/**
 * Scenarios 1 and 2: a route behind `requireAuthenticated` ÷ the same route reading a bare
 * `@fastify/secure-session`, and a route that never touches MFA, in an app with the plugin ÷ the same
 * route in an app without it. Scenario 1 also checks the server CPU time the guard adds per request:
 * the median of the rounds' differences, each server's CPU time ÷ the requests it served. Every
 * request carries the session cookie a signed-in browser holds, fetched anew before each run so the
 * idle-timeout touch (once a minute) never rewrites it. Each app runs in {@link PROCESSES} processes,
 * the rounds taking them in turn. The apps of scenario 2 serve nothing but their route (the cookie
 * comes from the app of scenario 1, with the same session key), so that neither has been through code
 * paths the other has not.
 */
export async function guardCost (): Promise<Pick<Results, 'comparisons' | 'checks'>> {
  const agent = keepAliveAgent()
  const runs = { guarded: [], bare: [], withPlugin: [], withoutPlugin: [] } as Record<'guarded' | 'bare' | 'withPlugin' | 'withoutPlugin', Array<() => Promise<Sample>>>
  const servers: ServerProcess[] = []
  for (let index = 0; index < PROCESSES; index++) {
    const [mfa, bare, mfaPlain, plain] = await Promise.all([
      startServer('mfa-memory'), startServer('secure-session'), startServer('mfa-memory'), startServer('plain')
    ])
    servers.push(mfa, bare, mfaPlain, plain)
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
    runs.guarded.push(async () => loadRoute(mfa, '/account', await signedIn(), RUN_MS))
    runs.bare.push(async () => loadRoute(bare, '/account', bareCookie, RUN_MS))
    runs.withPlugin.push(async () => loadRoute(mfaPlain, '/hello', await signedIn(), RUN_MS))
    runs.withoutPlugin.push(async () => loadRoute(plain, '/hello', await signedIn(), RUN_MS))
  }
  const guard = await alternate({ guarded: runs.guarded, bare: runs.bare }, ROUNDS)
  const unused = await alternate({ withPlugin: runs.withPlugin, withoutPlugin: runs.withoutPlugin }, ROUNDS)
  agent.destroy()
  await Promise.all(servers.map(async (server) => server.stop()))
  const added = median(guard.guarded.map((sample, round) => sample.serverMicros - guard.bare[round].serverMicros))
  return {
    comparisons: [
      compare('1 guard cost', 'req/s', 0.95, ['GET /account behind requireAuthenticated', guard.guarded], ['the same route reading a bare secure-session', guard.bare]),
      compare('2 routes without MFA', 'req/s', 0.97, ['GET /hello, plugin registered', unused.withPlugin], ['the same route, no plugin', unused.withoutPlugin])
    ],
    checks: [check('1 guard cost', 'server CPU the guard adds per request (median of the rounds)', added, 'µs', GUARD_MICROS)]
  }
}
