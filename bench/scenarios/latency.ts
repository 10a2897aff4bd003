import { Agent } from 'node:http'
import { MfaFastFlow } from '../clients/mfa-fast-flow.js'
import { MfaFlow } from '../clients/mfa-flow.js'
import type { StepFlow } from '../clients/step-flow.js'
import { startDelayProxy } from '../lib/delay-proxy.js'
import { latencyOf } from '../lib/report.js'
import type { Latency } from '../lib/report.js'
import { startServer } from '../lib/server-process.js'

const DELAY_MS = 50
const WARMUP_STEPS = 3
const STEPS = 15
/** The two round trips the fast path leaves out (2 × 100 ms), with 10 ms of slack for the timers. */
const GOAL_MS = 190

/**
 * Scenario 7: the wall time of one passkey step as a user feels it, on the SQLite store, through a
 * proxy adding {@link DELAY_MS} each way, over one keep-alive connection (opened during the setup):
 * the wire path and the fast path of two users, taking turns, {@link STEPS} steps each.
 */
export async function latency (notes: string[]): Promise<Latency> {
  const server = await startServer('mfa-sqlite')
  const proxy = await startDelayProxy(server.url, DELAY_MS)
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const flows: Record<'wire' | 'fast', StepFlow> = {
    wire: new MfaFlow(proxy.url, agent, 'wire-user'),
    fast: new MfaFastFlow(proxy.url, agent, 'fast-user')
  }
  const times = { wire: [] as number[], fast: [] as number[] }
  try {
    for (const flow of Object.values(flows)) {
      await flow.setup()
      await flow.prepare()
      for (let step = 0; step < WARMUP_STEPS; step++) await flow.step()
    }
    for (let step = 0; step < STEPS; step++) {
      for (const path of step % 2 === 0 ? ['wire', 'fast'] as const : ['fast', 'wire'] as const) {
        const started = performance.now()
        await flows[path].step()
        times[path].push(performance.now() - started)
      }
    }
  } finally {
    agent.destroy()
    await proxy.close()
    await server.stop()
  }
  notes.push(`scenario 7: a TCP proxy in the bench process holds every chunk ${DELAY_MS} ms each way; the one keep-alive ` +
    'connection is opened during the setup, so no TCP handshake is in a step; wire and fast steps take turns on it.')
  return latencyOf('7 step latency', `SQLite store, +${DELAY_MS} ms each way, 1 connection, ${STEPS} steps each`, GOAL_MS, times.wire, times.fast)
}
