import { fork } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { check } from '../lib/report.js'
import type { Check } from '../lib/report.js'

const CEREMONIES = 100_000
const MAIN = fileURLToPath(new URL('./ceremony-growth-main.ts', import.meta.url))
const MB = 1024 * 1024

/** What the growth process reports. */
interface Growth {
  ceremonies: number
  perSecond: number
  /** RSS in bytes after a garbage collection: after the warm-up, then every 10,000 ceremonies. */
  checkpoints: number[]
  swept: number
  left: { transactions: number, handshakes: number, nonces: number }
}

/**
 * Scenario 5: 100,000 ceremonies on the SQLite store in a process of their own: RSS growth under
 * 20 MB, and no expired transaction, handshake or nonce row left after the sweep. The growth is the
 * RSS at the end less the lowest RSS after the warm-up (each after a garbage collection): the process
 * also holds the TypeScript loader, whose memory shrinks on its own schedule.
 */
export async function ceremonyGrowth (notes: string[]): Promise<Check[]> {
  const child = fork(MAIN, [String(CEREMONIES)], { execArgv: [...process.execArgv, '--expose-gc'] })
  const [[growth], [code]] = await Promise.all([once(child, 'message') as Promise<[Growth]>, once(child, 'exit')])
  if (code !== 0) throw new Error(`the growth process exited with code ${String(code)}`)
  const scenario = '5 memory and growth'
  const { checkpoints } = growth
  const growthMb = (checkpoints[checkpoints.length - 1] - Math.min(...checkpoints)) / MB
  notes.push(`scenario 5: ${growth.ceremonies.toLocaleString('en-US')} ceremonies at ${Math.round(growth.perSecond)}/s through the engine ` +
    `(3 in 10 abandoned: after the transaction, the handshake or the nonce); RSS after gc, every 10,000: ` +
    `${checkpoints.map((bytes) => (bytes / MB).toFixed(0)).join(', ')} MB; ${growth.swept.toLocaleString('en-US')} expired rows swept at the end.`)
  return [
    check(scenario, `RSS growth over ${growth.ceremonies.toLocaleString('en-US')} ceremonies`, growthMb, 'MB', 20),
    check(scenario, 'expired transactions left after the sweep', growth.left.transactions, 'rows', 0),
    check(scenario, 'expired handshakes left after the sweep', growth.left.handshakes, 'rows', 0),
    check(scenario, 'expired nonces left after the sweep', growth.left.nonces, 'rows', 0)
  ]
}
