import type { FastifyInstance } from 'fastify'
import { access, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { buildExampleApp } from '../../../example/app.js'

const ROOT = new URL('../../../', import.meta.url)

/** The example app listening on a free port, its origin and its data folder. */
export interface ExampleServer {
  app: FastifyInstance
  origin: string
  dataDir: string
}

/**
 * Starts the example app (which imports the built package, `dist/` and `browser/`) on a free port of
 * 127.0.0.1 with a fresh data folder; browse it at its `origin`, `http://localhost:<port>`.
 * Closed and its data removed in teardown.
 */
export async function startExampleServer (t: Test): Promise<ExampleServer> {
  for (const built of ['dist/index.js', 'browser/passkey-mfa-client.js']) {
    await access(new URL(built, ROOT)).catch(() => { throw new Error(`${built} is missing: run npm run build first`) })
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'passkey-mfa-example-'))
  let app: FastifyInstance | undefined
  t.teardown(async () => {
    await app?.close()
    await rm(dataDir, { recursive: true, force: true })
  })
  const port = await freePort()
  app = await buildExampleApp({ dataDir, port })
  await app.listen({ port, host: '127.0.0.1' })
  return { app, origin: `http://localhost:${port}`, dataDir }
}

/** A port free on 127.0.0.1 right now. */
export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}
