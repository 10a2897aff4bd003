import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'

const TASKSET = '/usr/bin/taskset'

/**
 * Whether load generator and server each get a core of their own: the bench process (the client)
 * on CPU 0, every server on CPU 1, so neither starves the other. Needs `taskset` and two cores.
 */
export const PINNED = existsSync(TASKSET) && availableParallelism() >= 2

/** Pins this process (the load generator) to CPU 0, when {@link PINNED}. */
export function pinLoadGenerator (): void {
  if (PINNED) execFileSync(TASKSET, ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' })
}

/** The command and arguments that run `node args` on the server's CPU (1), when {@link PINNED}. */
export function onServerCpu (args: string[]): [string, string[]] {
  return PINNED ? [TASKSET, ['-c', '1', process.execPath, ...args]] : [process.execPath, args]
}
