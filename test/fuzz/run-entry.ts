import { runsOf } from './budget.js'
import type { ShareName } from './budget.js'
import { runFuzz } from './fuzz-property.js'
import { entryOf } from './suite.js'

/**
 * A child process of `npm run fuzz`: runs the suite entries named in `argv[3…]`, one after the
 * other, each with its part of `argv[2]` cases, and sends each report to the parent.
 */
const total = Number(process.argv[2])
for (const share of process.argv.slice(3) as ShareName[]) {
  const { property, store } = entryOf(share)
  const started = performance.now()
  const report = await runFuzz(property, { runs: runsOf(share, total), store })
  process.send?.({ share, seconds: (performance.now() - started) / 1000, ...report, outcomes: [...report.outcomes] })
}
