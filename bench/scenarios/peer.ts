import { BetterAuthFlow } from '../clients/better-auth-flow.js'
import { MfaFlow } from '../clients/mfa-flow.js'
import { runsOf, startStepServers } from '../clients/step-servers.js'
import { alternate } from '../lib/alternate.js'
import { ROUNDS } from '../lib/config.js'
import { compare } from '../lib/report.js'
import type { Comparison } from '../lib/report.js'

/**
 * Scenario 4: our step on SQLite ÷ better-auth's passkey sign-in (`generate-authenticate-options`,
 * `verify-authentication`) on SQLite, mounted in Fastify, driven by the same client.
 */
export async function peer (notes: string[]): Promise<Comparison> {
  const ours = runsOf(await startStepServers('mfa-sqlite', MfaFlow))
  const theirs = runsOf(await startStepServers('better-auth', BetterAuthFlow))
  const samples = await alternate({ ours: ours.runs, theirs: theirs.runs }, ROUNDS)
  await Promise.all([ours.stop(), theirs.stop()])
  notes.push('scenario 4: better-auth\'s passkey flow is a full primary sign-in (it creates a session row and sets its cookie); ' +
    'ours is the second factor after the host\'s first factor, ending in the host\'s issueToken. Both on an SQLite file in WAL mode.')
  return compare('4 against the peer', 'steps/s', 4, ['our step, sqlite store', samples.ours], ['better-auth 1.7.6 passkey sign-in, sqlite', samples.theirs])
}
