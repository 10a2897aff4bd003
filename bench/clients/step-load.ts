import type { Sample } from '../lib/alternate.js'
import { startCpuClock } from '../lib/cpu-clock.js'
import type { ServerProcess } from '../lib/server-process.js'
import type { StepFlow } from './step-flow.js'

/**
 * Runs every flow's step in a loop, all at once, for `durationMs`; returns the steps per second and
 * the server's CPU time per step.
 */
export async function runSteps (server: ServerProcess, flows: StepFlow[], durationMs: number): Promise<Sample> {
  await Promise.all(flows.map(async (flow) => flow.prepare()))
  let steps = 0
  const clientCpu = startCpuClock()
  const readServerCpu = await server.startCpuClock()
  const started = performance.now()
  const deadline = started + durationMs
  await Promise.all(flows.map(async (flow) => {
    while (performance.now() < deadline) {
      await flow.step()
      steps++
    }
  }))
  const seconds = (performance.now() - started) / 1000
  const serverCpu = await readServerCpu()
  return { rate: steps / seconds, clientCpu: clientCpu(), serverCpu: serverCpu.share, serverMicros: serverCpu.micros / steps }
}
