import type { Sample } from './alternate.js'
import { median, spread } from './stats.js'
import type { Spread } from './stats.js'

/** Throughput of a subject against its baseline, over the alternated rounds of one scenario. */
export interface Comparison {
  scenario: string
  subject: string
  baseline: string
  unit: 'req/s' | 'steps/s'
  subjectRate: Spread
  baselineRate: Spread
  /**
   * The median of the rounds' ratios (subject ÷ baseline of the same round). Each round runs the two
   * back to back, so a change in the machine's speed between rounds (seen on this shared VM) cancels
   * out, which it does not in a ratio of the two medians.
   */
  ratio: number
  /** The lowest and highest ratio of a single round. */
  roundRatios: Spread
  /** The rate of each round, in order. */
  rounds: { subject: number[], baseline: number[] }
  /** The ratio must be at least this. */
  goal: number
  met: boolean
  /** CPU shares of one core over the runs, medians. */
  cpu: { subjectClient: number, subjectServer: number, baselineClient: number, baselineServer: number }
  /** Server CPU time per request or step in microseconds, medians of the runs. */
  serverMicros: { subject: number, baseline: number }
}

/** A measured figure against its limit (scenarios without a baseline). */
export interface Check {
  scenario: string
  name: string
  value: number
  unit: string
  /** The value must be at most this. */
  limit: number
  met: boolean
}

/** The wall time of one step as a user feels it, on the wire path and the fast path, over a delayed link. */
export interface Latency {
  scenario: string
  /** What was measured: store, delay, connections, steps. */
  setting: string
  /** Milliseconds per step. */
  wire: Spread
  fast: Spread
  /** The wire path's median less the fast path's, in milliseconds. */
  saving: number
  /** The saving must be at least this, in milliseconds. */
  goal: number
  met: boolean
}

/** What a whole bench run found. */
export interface Results {
  comparisons: Comparison[]
  checks: Check[]
  latencies: Latency[]
  notes: string[]
}

/** Compares the samples of `subject` with those of `baseline` taken in the same rounds. */
export function compare (
  scenario: string, unit: Comparison['unit'], goal: number,
  [subject, subjectSamples]: [string, Sample[]], [baseline, baselineSamples]: [string, Sample[]]
): Comparison {
  const subjectRate = spread(subjectSamples.map((sample) => sample.rate))
  const baselineRate = spread(baselineSamples.map((sample) => sample.rate))
  const roundRatios = spread(subjectSamples.map((sample, round) => sample.rate / baselineSamples[round].rate))
  const ratio = roundRatios.median
  return {
    scenario, subject, baseline, unit, subjectRate, baselineRate, ratio, roundRatios,
    rounds: { subject: subjectSamples.map((sample) => sample.rate), baseline: baselineSamples.map((sample) => sample.rate) },
    goal,
    met: ratio >= goal,
    cpu: {
      subjectClient: median(subjectSamples.map((sample) => sample.clientCpu)),
      subjectServer: median(subjectSamples.map((sample) => sample.serverCpu)),
      baselineClient: median(baselineSamples.map((sample) => sample.clientCpu)),
      baselineServer: median(baselineSamples.map((sample) => sample.serverCpu))
    },
    serverMicros: {
      subject: median(subjectSamples.map((sample) => sample.serverMicros)),
      baseline: median(baselineSamples.map((sample) => sample.serverMicros))
    }
  }
}

/** The wall times of `wire` and `fast` steps (milliseconds), against a goal for the saving. */
export function latencyOf (scenario: string, setting: string, goal: number, wire: number[], fast: number[]): Latency {
  const saving = median(wire) - median(fast)
  return { scenario, setting, wire: spread(wire), fast: spread(fast), saving, goal, met: saving >= goal }
}

/** A check of `value` against `limit`. */
export function check (scenario: string, name: string, value: number, unit: string, limit: number): Check {
  return { scenario, name, value, unit, limit, met: value <= limit }
}
