import { MfaFlow } from '../clients/mfa-flow.js'
import { ReferenceFlow } from '../clients/reference-flow.js'
import { runsOf, startStepServers } from '../clients/step-servers.js'
import { alternate } from '../lib/alternate.js'
import { ROUNDS } from '../lib/config.js'
import { postgresUnreachable } from '../lib/postgres-reachable.js'
import { compare } from '../lib/report.js'
import type { Comparison } from '../lib/report.js'

const GOALS = { memory: 0.6, sqlite: 0.5, postgres: 0.3 } as const
const APPS = { memory: 'mfa-memory', sqlite: 'mfa-sqlite', postgres: 'mfa-postgres' } as const
const REFERENCE = 'the reference (secure-session + @simplewebauthn/server + Map, 2 requests)'

/**
 * Scenario 3: the whole second-factor step (`POST /authenticate`, ceremony start and finish,
 * `POST /verify`) per second on each store ÷ the reference, all alternated in the same rounds.
 * Without PostgreSQL, its row is left out and `notes` says why.
 */
export async function secondFactor (notes: string[]): Promise<Comparison[]> {
  const unreachable = await postgresUnreachable()
  if (unreachable !== null) notes.push(`scenario 3, PostgreSQL store skipped: ${unreachable}`)
  const stores = (Object.keys(APPS) as Array<keyof typeof APPS>).filter((store) => store !== 'postgres' || unreachable === null)
  const servers: Record<string, ReturnType<typeof runsOf>> = { reference: runsOf(await startStepServers('reference', ReferenceFlow)) }
  for (const store of stores) servers[store] = runsOf(await startStepServers(APPS[store], MfaFlow))
  const samples = await alternate(Object.fromEntries(Object.entries(servers).map(([name, { runs }]) => [name, runs])), ROUNDS)
  await Promise.all(Object.values(servers).map(async ({ stop }) => stop()))
  return stores.map((store) => compare('3 second-factor step', 'steps/s', GOALS[store], [`our step, ${store} store`, samples[store]], [REFERENCE, samples.reference]))
}
