import type { ShareName } from './budget.js'
import type { FuzzProperty } from './fuzz-property.js'
import { engineRoutes } from './properties/engine-routes.js'
import { mfaRoutes } from './properties/mfa-routes.js'
import { rawBodies } from './properties/raw-bodies.js'
import { sessionCookie } from './properties/session-cookie.js'
import type { WorldStore } from './world.js'

/** A fuzz property run on one store, with its share of the cases. */
export interface SuiteEntry {
  share: ShareName
  property: FuzzProperty<any>
  store: WorldStore
}

/** Every property on the memory store, and again (fewer cases) on SQLite. */
const SUITE: SuiteEntry[] = [
  { share: 'mfa-routes', property: mfaRoutes, store: 'memory' },
  { share: 'engine-routes', property: engineRoutes, store: 'memory' },
  { share: 'raw-bodies', property: rawBodies, store: 'memory' },
  { share: 'session-cookie', property: sessionCookie, store: 'memory' },
  { share: 'sqlite/mfa-routes', property: mfaRoutes, store: 'sqlite' },
  { share: 'sqlite/engine-routes', property: engineRoutes, store: 'sqlite' },
  { share: 'sqlite/raw-bodies', property: rawBodies, store: 'sqlite' },
  { share: 'sqlite/session-cookie', property: sessionCookie, store: 'sqlite' }
]

/** The entry of `share`. */
export function entryOf (share: ShareName): SuiteEntry {
  return SUITE.find((entry) => entry.share === share) as SuiteEntry
}
