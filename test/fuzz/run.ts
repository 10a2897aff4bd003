import { fork } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { SHARES, runsOf, totalRuns } from './budget.js'
import type { ShareName } from './budget.js'
import type { FuzzReport } from './fuzz-property.js'

/**
 * `npm run fuzz`: every fuzz property, 100,000 cases in all (or `FUZZ_RUNS`), shared out among one
 * child process per CPU. Prints a line per suite entry with the answers its cases got and its first
 * failures, then the totals; exits non-zero when a case failed.
 */
const total = totalRuns(100_000)

/** A report as a child sends it. */
type EntryReport = Omit<FuzzReport, 'outcomes'> & { share: string, seconds: number, outcomes: Array<[string, number]> }

/** The suite's entries (named by their shares) in one group per CPU, each group with about the same number of cases. */
function groups (): string[][] {
  const shares = Object.keys(SHARES) as ShareName[]
  const planned = Array.from({ length: Math.min(availableParallelism(), shares.length) }, () => ({ runs: 0, shares: [] as string[] }))
  for (const share of shares.sort((a, b) => runsOf(b, total) - runsOf(a, total))) {
    const lightest = planned.reduce((a, b) => (b.runs < a.runs ? b : a))
    lightest.runs += runsOf(share, total)
    lightest.shares.push(share)
  }
  return planned.map(({ shares }) => shares)
}

let ran = 0
let failed = 0

function print (report: EntryReport): void {
  const answers = report.outcomes.sort(([, a], [, b]) => b - a).map(([outcome, count]) => `${outcome} ×${count}`)
  console.log(`${report.share}: ${report.ran} cases, ${report.failed} failed (${report.seconds.toFixed(1)} s, seed ${report.seed})\n  answers: ${answers.join(', ')}`)
  for (const { testCase, index, violations } of report.failures) console.log(`  ${violations.join('\n  ')}\n    case ${index}: ${testCase}`)
  ran += report.ran
  failed += report.failed
}

async function runGroup (shares: string[]): Promise<void> {
  const child = fork(new URL('./run-entry.ts', import.meta.url), [String(total), ...shares], { execArgv: process.execArgv })
  let reported = 0
  child.on('message', (report) => {
    print(report as EntryReport)
    reported++
  })
  await new Promise((resolve) => child.once('exit', resolve))
  if (reported < shares.length) {
    console.log(`${shares.slice(reported).join(', ')}: the child process ended before reporting`)
    failed++
  }
}

await Promise.all(groups().map(runGroup))
console.log(`fuzz: ${ran} cases, ${failed} failed`)
process.exitCode = failed > 0 ? 1 : 0
