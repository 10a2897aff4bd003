import autocannon from 'autocannon'
import { AUTOCANNON_CONNECTIONS } from '../lib/config.js'
import type { Sample } from '../lib/alternate.js'
import { startCpuClock } from '../lib/cpu-clock.js'
import type { ServerProcess } from '../lib/server-process.js'

/**
 * Loads `GET path` with autocannon (in this process, no worker threads) for `durationMs`, sending
 * `cookie`; returns the 2xx requests per second and the server's CPU time per request, and fails on
 * any other answer.
 */
export async function loadRoute (server: ServerProcess, path: string, cookie: string, durationMs: number): Promise<Sample> {
  const clientCpu = startCpuClock()
  const readServerCpu = await server.startCpuClock()
  const result = await autocannon({
    url: `${server.url}${path}`,
    connections: AUTOCANNON_CONNECTIONS,
    duration: durationMs / 1000,
    headers: { cookie }
  })
  const serverCpu = await readServerCpu()
  const sample = { rate: result['2xx'] / result.duration, clientCpu: clientCpu(), serverCpu: serverCpu.share, serverMicros: serverCpu.micros / result['2xx'] }
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`GET ${path}: ${result.non2xx} answers other than 2xx, ${result.errors} errors, ${result.timeouts} timeouts`)
  }
  return sample
}
