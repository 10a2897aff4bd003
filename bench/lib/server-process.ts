import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { AppName } from '../apps/index.js'
import { onServerCpu } from './cpu-pinning.js'

/** The CPU time a server process spent over a run (user and system, libuv's thread pool included). */
export interface ServerCpu {
  /** As a share of one core. */
  share: number
  /** In microseconds. */
  micros: number
}

/** A bench app served by a child process on 127.0.0.1. */
export interface ServerProcess {
  /** `http://127.0.0.1:port`. */
  url: string
  /** Measures the server's CPU time from now on; the returned function reads it. */
  startCpuClock: () => Promise<() => Promise<ServerCpu>>
  /** Closes the app and waits for the process to exit (writing its CPU profile, if asked for). */
  stop: () => Promise<void>
}

/** Where `--cpu-prof` profiles of the servers go, when the bench was asked for them. */
let cpuProfileDir: string | null = null

/** Makes every server started from now on write V8 CPU profiles (one per thread) into a folder of its own in `dir`. */
export function profileServersInto (dir: string): void {
  cpuProfileDir = dir
}

const MAIN = fileURLToPath(new URL('./server-main.ts', import.meta.url))

/** Starts the app `name` in a process of its own, on the server's CPU, with the TypeScript loader this bench runs with. */
export async function startServer (name: AppName): Promise<ServerProcess> {
  const profile = cpuProfileDir === null ? [] : ['--cpu-prof', '--cpu-prof-dir', join(cpuProfileDir, `${name}-${Date.now()}`)]
  const [command, args] = onServerCpu([...process.execArgv, ...profile, MAIN, name])
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const [ready] = await Promise.race([
    once(child, 'message') as Promise<[{ port: number }]>,
    once(child, 'exit').then(([code]) => { throw new Error(`bench server ${name} exited with code ${String(code)}`) })
  ])
  return {
    url: `http://127.0.0.1:${ready.port}`,
    startCpuClock: async () => {
      const [cpu, wall] = [await ask(child), performance.now()]
      return async () => {
        const micros = (await ask(child)) - cpu
        return { share: micros / ((performance.now() - wall) * 1000), micros }
      }
    },
    stop: async () => {
      const exited = once(child, 'exit')
      child.send({ type: 'stop' })
      await exited
    }
  }
}

/** The child's CPU time in microseconds. */
async function ask (child: ChildProcess): Promise<number> {
  const answer = once(child, 'message') as Promise<[{ cpu: number }]>
  child.send({ type: 'cpu' })
  return (await answer)[0].cpu
}
