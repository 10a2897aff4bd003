import type { Agent } from 'node:http'
import type { AppName } from '../apps/index.js'
import type { Sample } from '../lib/alternate.js'
import { PROCESSES, RUN_MS, STEP_CONCURRENCY, STEP_WARMUP_MS } from '../lib/config.js'
import { startServer } from '../lib/server-process.js'
import { keepAliveAgent } from './http.js'
import { runSteps } from './step-load.js'
import type { StepFlow } from './step-flow.js'

/** A flow for one user against one server. */
export type FlowClass = new (base: string, agent: Agent, externalId: string) => StepFlow

/** A server whose users are set up and warmed up, ready for measured runs of their step. */
export interface StepServer {
  run: () => Promise<Sample>
  stop: () => Promise<void>
}

/** Starts `app`, sets up `STEP_CONCURRENCY` users with `Flow` and warms the step up. */
export async function startStepServer (app: AppName, Flow: FlowClass): Promise<StepServer> {
  const server = await startServer(app)
  const agent = keepAliveAgent()
  const flows = Array.from({ length: STEP_CONCURRENCY }, (_, index) => new Flow(server.url, agent, `user-${index}`))
  for (const flow of flows) await flow.setup()
  await runSteps(server, flows, STEP_WARMUP_MS)
  return {
    run: async () => runSteps(server, flows, RUN_MS),
    stop: async () => {
      agent.destroy()
      await server.stop()
    }
  }
}

/** {@link PROCESSES} step servers of `app`, started one after the other. */
export async function startStepServers (app: AppName, Flow: FlowClass): Promise<StepServer[]> {
  const servers: StepServer[] = []
  for (let index = 0; index < PROCESSES; index++) servers.push(await startStepServer(app, Flow))
  return servers
}

/** The runs of `servers`, and a function that stops them all. */
export function runsOf (servers: StepServer[]): { runs: Array<() => Promise<Sample>>, stop: () => Promise<void> } {
  return { runs: servers.map((server) => server.run), stop: async () => { await Promise.all(servers.map(async (server) => server.stop())) } }
}
