/**
 * `npm run bench`: every scenario of the benchmark, on 127.0.0.1 only; prints tables of medians,
 * ranges, ratios, server CPU per request or step and step latencies, and writes them to
 * `bench/results.json`.
 *
 *   npm run bench                       all scenarios
 *   npm run bench -- --only 3,4,7       some of them
 *   npm run bench -- --cpu-prof         also a V8 CPU profile of every server, in bench/profiles/
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { PROCESSES, RUN_MS, ROUNDS, STEP_WARMUP_MS, WARMUP_MS } from './lib/config.js'
import { PINNED, pinLoadGenerator } from './lib/cpu-pinning.js'
import type { Results } from './lib/report.js'
import { profileServersInto } from './lib/server-process.js'
import { formatResults } from './lib/table.js'
import { ceremonyGrowth } from './scenarios/ceremony-growth.js'
import { cookieSize } from './scenarios/cookie-size.js'
import { guardCost } from './scenarios/guard-cost.js'
import { latency } from './scenarios/latency.js'
import { secondFactor } from './scenarios/second-factor.js'

const { values } = parseArgs({ options: { only: { type: 'string' }, 'cpu-prof': { type: 'boolean' } } })
const only = new Set((values.only ?? '1,2,3,4,5,6,7').split(','))
const profiles = new URL('./profiles/', import.meta.url)
if (values['cpu-prof'] === true) {
  await mkdir(profiles, { recursive: true })
  profileServersInto(profiles.pathname)
}

pinLoadGenerator()
const started = performance.now()
const results: Results = { comparisons: [], checks: [], latencies: [], notes: [] }
const say = (line: string): void => { process.stderr.write(`${line}\n`) }

if (only.has('1') || only.has('2')) {
  say('scenarios 1 and 2: guard cost, routes without MFA (autocannon)')
  const { comparisons, checks } = await guardCost()
  results.comparisons.push(...comparisons)
  results.checks.push(...checks)
}
if (only.has('3') || only.has('4')) {
  say('scenarios 3 and 4: second-factor step, fast and wire paths, on each store vs the reference and vs better-auth')
  results.comparisons.push(...await secondFactor(results.notes))
}
if (only.has('5')) {
  say('scenario 5: 100,000 ceremonies on SQLite')
  results.checks.push(...await ceremonyGrowth(results.notes))
}
if (only.has('6')) {
  say('scenario 6: session cookie size')
  results.checks.push(...await cookieSize())
}
if (only.has('7')) {
  say('scenario 7: step latency over a delayed link, wire vs fast path')
  results.latencies.push(await latency(results.notes))
}

const seconds = Math.round((performance.now() - started) / 1000)
const machine = { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version }
results.notes.push(
  `${ROUNDS} alternated rounds of ${RUN_MS / 1000} s per variant, over ${PROCESSES} server processes per variant ` +
  `(one per round in turn), each warmed up for ${WARMUP_MS / 1000} s (${STEP_WARMUP_MS / 1000} s for the step servers); ` +
  'the ratio is the median of the rounds\' ratios; server CPU µs is the server process\'s own CPU time over a run ÷ the requests ' +
  'or steps it served (median of the runs); CPU client/server is the median share of one core ' +
  `(client/server; the server's includes libuv's thread pool, where WebCrypto verifies signatures); ` +
  (PINNED ? 'the client runs on CPU 0 and each server on CPU 1 (taskset).' : 'client and servers are not pinned to CPUs (no taskset).'),
  `${machine.cores} cores, ${machine.cpu}, Node ${machine.node}; the whole run took ${seconds} s.`,
  'The plugin runs with its abuse limits on (the default) but maxima never reached (10^9 requests, transactions ' +
  'and failed attempts): every request pays the rate limiter and every step the attempt counters, none is refused.'
)
console.log(formatResults(results))
await writeFile(new URL('./results.json', import.meta.url), `${JSON.stringify({ date: new Date().toISOString(), machine, seconds, ...results }, null, 2)}\n`)
