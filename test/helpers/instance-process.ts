import { spawn } from 'node:child_process'
import type { ChildProcessByStdio } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import type { Test } from 'tap'
import { bundleInstanceMain } from './instance-bundle.js'
import { PG_URL } from './stores.js'

/** What an instance is started with, as JSON in its `INSTANCE_CONFIG`. */
export interface InstanceConfig {
  pgUrl: string
  schema: string
  revocationSyncMs: number
  /** Redis for the counters of the limits, shared by the instances; `null`: each instance counts in its memory. */
  redisUrl: string | null
  failedAttemptsPerAccount: number
  lockoutMs: number
}

/** How often the instances load the logouts made by the others. */
export const INSTANCE_SYNC_MS = 100

/** The instances' limit on sign-in attempts per account without a success, and their first lockout. */
export const INSTANCE_LIMITS = { failedAttemptsPerAccount: 4, lockoutMs: 60_000 }

/** An app instance in a process of its own, as a load balancer sees it. */
export interface Instance {
  /** For messages: `A`, `B`. */
  name: string
  /** `http://127.0.0.1:<port>`. */
  url: string
}

type InstanceChild = ChildProcessByStdio<Writable, Readable, null>

/** How long a stopped instance may take to close before it is killed. */
const CLOSE_WAIT_MS = 5_000

/**
 * Starts one instance per name (see `instance-main.ts`), all on the PostgreSQL schema `schema` and
 * the Redis at `redisUrl`, and waits until they listen. They are stopped in teardown whatever
 * happened, and stop by themselves if the test process dies.
 */
export async function startInstances (t: Test, { schema, redisUrl }: { schema: string, redisUrl: string | null }, names: string[]): Promise<Instance[]> {
  const config: InstanceConfig = { pgUrl: PG_URL, schema, revocationSyncMs: INSTANCE_SYNC_MS, redisUrl, ...INSTANCE_LIMITS }
  const main = await bundleInstanceMain(t)
  // Without the preloads of NODE_OPTIONS (the test runner's coverage hook): the bundle maps to no source file.
  const env = { ...process.env, NODE_OPTIONS: '', INSTANCE_CONFIG: JSON.stringify(config) }
  const children = names.map(() => spawn(process.execPath, [main], { env, stdio: ['pipe', 'pipe', 'inherit'] }))
  t.teardown(async () => { await Promise.all(children.map(stop)) })
  return await Promise.all(children.map(async (child, i) => ({ name: names[i], url: `http://127.0.0.1:${await listeningPort(child, names[i])}` })))
}

/** The port the instance prints once it listens; rejects if it exits or fails to start first. */
async function listeningPort (child: InstanceChild, name: string): Promise<number> {
  return await new Promise((resolve, reject) => {
    const exited = (code: number | null): void => { reject(new Error(`instance ${name} exited with code ${String(code)} before listening`)) }
    child.once('exit', exited).once('error', reject)
    createInterface({ input: child.stdout }).once('line', (line) => {
      child.off('exit', exited).off('error', reject)
      resolve(Number(line))
    })
  })
}

/** Ends the instance's stdin so it closes its app, and kills it if that takes longer than `CLOSE_WAIT_MS`. Never throws. */
async function stop (child: InstanceChild): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const kill = setTimeout(() => child.kill('SIGKILL'), CLOSE_WAIT_MS)
  child.stdin.end()
  await exited
  clearTimeout(kill)
}
