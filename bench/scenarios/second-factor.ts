import { BetterAuthFlow } from '../clients/better-auth-flow.js'
import { MfaFastFlow } from '../clients/mfa-fast-flow.js'
import { MfaFlow } from '../clients/mfa-flow.js'
import { ReferenceFlow } from '../clients/reference-flow.js'
import { runsOf, startStepServers } from '../clients/step-servers.js'
import type { FlowClass } from '../clients/step-servers.js'
import { alternate } from '../lib/alternate.js'
import { ROUNDS } from '../lib/config.js'
import { postgresUnreachable } from '../lib/postgres-reachable.js'
import { compare } from '../lib/report.js'
import type { Comparison } from '../lib/report.js'

const APPS = { memory: 'mfa-memory', sqlite: 'mfa-sqlite', postgres: 'mfa-postgres' } as const
type Store = keyof typeof APPS

/** Our two ways through the step, with their goals: ÷ the reference per store, and on SQLite ÷ better-auth. */
const PATHS = {
  fast: { Flow: MfaFastFlow, name: 'fast path (2 requests)', goals: { memory: 0.85, sqlite: 0.65, postgres: 0.45 }, peerGoal: 6 },
  wire: { Flow: MfaFlow, name: 'wire path (4 requests)', goals: { memory: 0.6, sqlite: 0.5, postgres: 0.3 }, peerGoal: 4 }
} satisfies Record<string, { Flow: FlowClass, name: string, goals: Record<Store, number>, peerGoal: number }>
type Path = keyof typeof PATHS

const REFERENCE = 'the reference (secure-session + @simplewebauthn/server + Map, 2 requests)'
const BETTER_AUTH = 'better-auth 1.7.6 passkey sign-in, sqlite'

/**
 * Scenarios 3 and 4: the whole second-factor step per second on each store, on the fast path
 * (options, then the assertion) and on the wire path (`POST /authenticate`, the ceremony's start and
 * finish, `POST /verify`), ÷ the reference (3), and on SQLite ÷ better-auth's passkey sign-in
 * (`generate-authenticate-options`, `verify-authentication`) mounted in Fastify (4); all driven by the
 * same client and alternated in the same rounds. Without PostgreSQL, its rows are left out and
 * `notes` says why.
 */
export async function secondFactor (notes: string[]): Promise<Comparison[]> {
  const unreachable = await postgresUnreachable()
  if (unreachable !== null) notes.push(`scenario 3, PostgreSQL store skipped: ${unreachable}`)
  const stores = (Object.keys(APPS) as Store[]).filter((store) => store !== 'postgres' || unreachable === null)
  const paths = Object.keys(PATHS) as Path[]
  const servers: Record<string, ReturnType<typeof runsOf>> = {
    reference: runsOf(await startStepServers('reference', ReferenceFlow)),
    'better-auth': runsOf(await startStepServers('better-auth', BetterAuthFlow))
  }
  for (const path of paths) {
    for (const store of stores) servers[`${path} ${store}`] = runsOf(await startStepServers(APPS[store], PATHS[path].Flow))
  }
  const samples = await alternate(Object.fromEntries(Object.entries(servers).map(([name, { runs }]) => [name, runs])), ROUNDS)
  await Promise.all(Object.values(servers).map(async ({ stop }) => stop()))
  notes.push('scenario 4: better-auth\'s passkey flow is a full primary sign-in (it creates a session row and sets its cookie); ' +
    'ours is the second factor after the host\'s first factor, ending in the host\'s issueToken. Both on an SQLite file in WAL mode.')
  return [
    ...paths.flatMap((path) => stores.map((store) => compare(
      `3 second-factor step, ${PATHS[path].name}`, 'steps/s', PATHS[path].goals[store],
      [`our step, ${store} store`, samples[`${path} ${store}`]], [REFERENCE, samples.reference]
    ))),
    ...paths.map((path) => compare(
      `4 against the peer, ${PATHS[path].name}`, 'steps/s', PATHS[path].peerGoal,
      ['our step, sqlite store', samples[`${path} sqlite`]], [BETTER_AUTH, samples['better-auth']]
    ))
  ]
}
