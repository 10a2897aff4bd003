import t from 'tap'
import { engineRoutes } from './fuzz/properties/engine-routes.js'
import { replayCase } from './fuzz/replay.js'

// The cases that once broke a property in `npm run fuzz` (100,000 cases), replayed on every CI run.

t.test('engine-routes, seed 1391340830, case 14360: an app ID of "." gets a coded 404, not Fastify\'s', async (t) => {
  const { outcome, violations } = await replayCase(engineRoutes, 'memory', 1391340830, 14360)
  t.equal(outcome, '404 FST_PASSKEY_MFA_ROUTE_NOT_FOUND')
  t.same(violations, [])
})
