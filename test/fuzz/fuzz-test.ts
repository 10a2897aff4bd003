import tap from 'tap'
import type { Test } from 'tap'
import { runsOf } from './budget.js'
import { runFuzz } from './fuzz-property.js'
import { entryOf } from './suite.js'
import type { ShareName } from './budget.js'

/** Time a test file gets per fuzz case, beyond tap's 60 s (cases take a few milliseconds; a busy machine may triple that). */
const MS_PER_CASE = 20

let plannedRuns = 0

/**
 * Runs the suite entry `share` with its part of `FUZZ_RUNS` and asserts that every case kept the
 * properties; the test file's timeout grows with the cases it runs.
 */
export async function fuzzTest (t: Test, share: ShareName): Promise<void> {
  const { property, store } = entryOf(share)
  const runs = runsOf(share)
  plannedRuns += runs
  tap.setTimeout(60_000 + plannedRuns * MS_PER_CASE)
  const report = await runFuzz(property, { runs, store })
  t.equal(report.ran, runs, `${report.ran} cases of ${property.name} on the ${store} store (seed ${report.seed})`)
  t.equal(report.failed, 0, 'no case broke a property', { failures: report.failures, replay: `FUZZ_SEED=${report.seed}` })
}
