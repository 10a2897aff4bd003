/**
 * Checks that src/ is fully covered without the randomly seeded fuzz files: reports the coverage the
 * last `tap` run left in `.tap/coverage`, leaving out the processes of `test/fuzz-*.test.ts` (but
 * `fuzz-replayed-failures`, whose seeds are fixed). A branch only a random case reaches is covered
 * on some seeds and not on others, so tap's own 100% check would fail now and then; here it fails
 * every time, naming the lines. Prints tap-style `ok`/`not ok` and `# { total, pass, fail }`.
 */
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Report from 'c8/lib/report.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const SEEDED = /^fuzz-(?!replayed-failures)[\w-]+\.test\.ts$/
const METRICS = ['lines', 'statements', 'branches', 'functions']

/** The test file a coverage file's process ran, from tap's process info (`null` when it names none). */
function testFileOf (name) {
  const { argv = [] } = JSON.parse(readFileSync(join(root, '.tap/processinfo', name), 'utf8'))
  const file = argv.find((arg) => arg.includes('/test/'))
  return file === undefined ? null : basename(file)
}

const kept = mkdtempSync(join(tmpdir(), 'seed-free-coverage-'))
const reports = mkdtempSync(join(tmpdir(), 'seed-free-report-'))
let left = 0
for (const name of readdirSync(join(root, '.tap/coverage'))) {
  if (SEEDED.test(testFileOf(name) ?? '')) {
    left++
    continue
  }
  copyFileSync(join(root, '.tap/coverage', name), join(kept, name))
}
const report = Report({ reporter: ['text'], reportsDirectory: reports, tempDirectory: kept, excludeNodeModules: true, skipFull: true })
const summary = (await report.getCoverageMapFromAllCoverageFiles()).getCoverageSummary()
const short = METRICS.filter((metric) => summary[metric].pct !== 100)
if (short.length > 0) await report.run() // prints the files and lines left uncovered
rmSync(kept, { recursive: true, force: true })
rmSync(reports, { recursive: true, force: true })

const ok = left > 0 && short.length === 0
const what = short.map((metric) => `${metric} ${summary[metric].pct}%`).join(', ')
console.log(`${ok ? 'ok' : 'not ok'} 1 - src/ fully covered without the ${left} seeded fuzz processes${what === '' ? '' : `: ${what}`}`)
console.log(`# { total: 1, pass: ${ok ? 1 : 0}${ok ? '' : ', fail: 1'} }`)
process.exitCode = ok ? 0 : 1
