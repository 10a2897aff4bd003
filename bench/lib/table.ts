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

/** The results as a Markdown table (comparisons), a list (checks) and the notes. */
export function formatResults ({ comparisons, checks, notes }: Results): string {
  const lines = [
    '| scenario | subject | median (min–max) | baseline | median (min–max) | ratio: median of rounds (min–max) | goal | met | CPU client/server |',
    '|---|---|---|---|---|---|---|---|---|'
  ]
  for (const c of comparisons) {
    lines.push(`| ${c.scenario} | ${c.subject} | ${rate(c.subjectRate)} ${c.unit} | ${c.baseline} | ${rate(c.baselineRate)} ${c.unit} | ` +
      `**${c.ratio.toFixed(2)}** (${c.roundRatios.min.toFixed(2)}–${c.roundRatios.max.toFixed(2)}) | ≥ ${c.goal} | ${c.met ? 'yes' : '**no**'} | ` +
      `${percent(c.cpu.subjectClient)}/${percent(c.cpu.subjectServer)} vs ${percent(c.cpu.baselineClient)}/${percent(c.cpu.baselineServer)} |`)
  }
  lines.push('', '| scenario | figure | value | limit | met |', '|---|---|---|---|---|')
  for (const c of checks) {
    lines.push(`| ${c.scenario} | ${c.name} | ${decimal.format(c.value)} ${c.unit} | ≤ ${decimal.format(c.limit)} ${c.unit} | ${c.met ? 'yes' : '**no**'} |`)
  }
  lines.push('', ...notes.map((note) => `- ${note}`))
  return lines.join('\n')
}
