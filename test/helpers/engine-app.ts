import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { PasskeyEngine } from '../../src/engine/engine.js'
import type { EngineOptions } from '../../src/engine/options.js'
import { engineRoutes } from '../../src/engine/routes.js'
import type { PasskeyStore } from '../../src/engine/store.js'
import { MemoryStore } from '../../src/engine/stores/memory.js'

/** The origin, RP ID and app ID every test ceremony uses. */
export const ORIGIN = 'http://localhost:3000'
export const RP_ID = 'localhost'
export const APP_ID = 'test-app'

/** A clock the test moves by hand. */
export interface TestClock {
  now: number
  advance: (ms: number) => void
}

/** A Fastify app serving the engine routes, with its engine, store and clock. */
export interface EngineApp {
  app: FastifyInstance
  engine: PasskeyEngine
  store: PasskeyStore
  clock: TestClock
}

/** Builds an engine on `store` (default: memory) and an app serving its routes; both closed in teardown. */
export async function buildEngineApp (
  t: Test, { store = new MemoryStore(), ...options }: Partial<EngineOptions> & { corsOrigins?: string[] } = {}
): Promise<EngineApp> {
  const clock: TestClock = { now: Date.now(), advance (ms) { this.now += ms } }
  const { corsOrigins, ...engineOptions } = options
  const engine = new PasskeyEngine({
    appId: APP_ID,
    rpId: RP_ID,
    rpName: 'Test',
    origins: [ORIGIN],
    store,
    now: () => clock.now,
    sweepIntervalMs: 0,
    ...engineOptions
  })
  const app = Fastify()
  await app.register(engineRoutes, { engine, corsOrigins })
  t.teardown(async () => {
    await app.close()
    await engine.close()
  })
  return { app, engine, store, clock }
}
