import type { Results } from './report.js'
import type { Spread } from './stats.js'

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 })
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 })

function rate ({ median, min, max }: Spread): string {
  return `${integer.format(median)} (${integer.format(min)}–${integer.format(max)})`
}

function percent (share: number): string {
  return `${Math.round(share * 100)}%`
}

/** Microseconds: a tenth where it matters (a request), whole ones above 100 (a step). */
function micros (value: number): string {
  return (value < 100 ? decimal : integer).format(value)
}

function met (yes: boolean): string {
  return yes ? 'yes' : '**no**'
}

/** A Markdown table, or no lines at all when there are no rows. */
function table (header: string[], rows: string[][]): string[] {
  if (rows.length === 0) return []
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`)
}

/** The results as Markdown tables (comparisons, latencies, checks) and a list of the notes. */
export function formatResults ({ comparisons, checks, latencies, notes }: Results): string {
  const sections = [
    table(
      ['scenario', 'subject', 'median (min–max)', 'baseline', 'median (min–max)', 'ratio: median of rounds (min–max)', 'goal', 'met', 'server CPU µs per request or step', 'CPU client/server'],
      comparisons.map((c) => [
        c.scenario, c.subject, `${rate(c.subjectRate)} ${c.unit}`, c.baseline, `${rate(c.baselineRate)} ${c.unit}`,
        `**${c.ratio.toFixed(2)}** (${c.roundRatios.min.toFixed(2)}–${c.roundRatios.max.toFixed(2)})`, `≥ ${c.goal}`, met(c.met),
        `${micros(c.serverMicros.subject)} vs ${micros(c.serverMicros.baseline)}`,
        `${percent(c.cpu.subjectClient)}/${percent(c.cpu.subjectServer)} vs ${percent(c.cpu.baselineClient)}/${percent(c.cpu.baselineServer)}`
      ])
    ),
    table(
      ['scenario', 'setting', 'wire path, 4 requests: ms per step (min–max)', 'fast path, 2 requests', 'saving', 'goal', 'met'],
      latencies.map((l) => [l.scenario, l.setting, rate(l.wire), rate(l.fast), `**${integer.format(l.saving)} ms**`, `≥ ${l.goal} ms`, met(l.met)])
    ),
    table(
      ['scenario', 'figure', 'value', 'limit', 'met'],
      checks.map((c) => [c.scenario, c.name, `${decimal.format(c.value)} ${c.unit}`, `≤ ${decimal.format(c.limit)} ${c.unit}`, met(c.met)])
    ),
    notes.map((note) => `- ${note}`)
  ]
  return sections.filter((lines) => lines.length > 0).map((lines) => lines.join('\n')).join('\n\n')
}
