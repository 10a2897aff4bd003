import fc from 'fast-check'
import { checkRequest } from './check.js'
import type { FuzzRequest } from './requests.js'
import { SessionMint } from './session-mint.js'
import { WorldPool } from './world.js'
import type { World, WorldStore } from './world.js'

/** A family of fuzz cases: how to generate one, and how to turn it into a request against a world. */
export interface FuzzProperty<Case> {
  name: string
  arbitrary: fc.Arbitrary<Case>
  /** Builds the case's request, making the fresh transactions, nonces and cookies it needs first. */
  prepare: (world: World, testCase: Case) => Promise<FuzzRequest>
}

/** A case that broke a property, and how. */
export interface FuzzFailure {
  testCase: string
  /** The case's place in the run (from 0): `replayCase` runs it alone with the run's seed. */
  index: number
  violations: string[]
}

/** What a fuzz run did. */
export interface FuzzReport {
  ran: number
  failed: number
  /** The first few failures. */
  failures: FuzzFailure[]
  /** How many cases got each answer (`200`, `401 FST_PASSKEY_MFA_NONCE_INVALID`, ...), to see how deep the cases reach. */
  outcomes: Map<string, number>
  /** Replays the run with `FUZZ_SEED`. */
  seed: number
}

/** Options of {@link runFuzz}. */
export interface RunOptions {
  runs: number
  store: WorldStore
  /** Default: `FUZZ_SEED` when set, else random. */
  seed?: number
}

const KEPT_FAILURES = 5

/**
 * Runs `runs` cases of `property` against worlds on `store` and counts the cases that break the
 * properties of {@link checkRequest}; it goes on after a failure, keeping the first few.
 */
export async function runFuzz<Case> (property: FuzzProperty<Case>, { runs, store, seed = seedFromEnv() }: RunOptions): Promise<FuzzReport> {
  const mint = await SessionMint.open()
  const pool = new WorldPool(store, mint)
  const report: FuzzReport = { ran: 0, failed: 0, failures: [], outcomes: new Map(), seed: 0 }
  try {
    const details = await fc.check(fc.asyncProperty(property.arbitrary, async (testCase) => {
      report.ran++
      const { outcome, violations } = await pool.next()
        .then(async (world) => checkRequest(world, await property.prepare(world, testCase)))
        .catch((error: unknown) => ({ outcome: 'not run', violations: [`the case could not run: ${(error as Error).stack ?? String(error)}`] }))
      report.outcomes.set(outcome, (report.outcomes.get(outcome) ?? 0) + 1)
      if (violations.length > 0) {
        report.failed++
        if (report.failures.length < KEPT_FAILURES) report.failures.push({ testCase: fc.stringify(testCase).slice(0, 2000), index: report.ran - 1, violations })
      }
      return true
    }), { numRuns: runs, seed })
    report.seed = details.seed
  } finally {
    await pool.close()
    await mint.close()
  }
  return report
}

function seedFromEnv (): number | undefined {
  const seed = Number(process.env.FUZZ_SEED)
  return process.env.FUZZ_SEED === undefined || !Number.isInteger(seed) ? undefined : seed
}
