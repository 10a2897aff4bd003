import { build } from 'esbuild'
import { mkdtemp, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'

const MAIN = fileURLToPath(new URL('./instance-main.ts', import.meta.url))
const NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url))

/**
 * Bundles `instance-main.ts` and the sources it imports into one JavaScript file, in a temporary
 * folder (removed in teardown) that sees the project's `node_modules`; returns its path. Plain
 * `node` starts it with a quarter of the CPU time the TypeScript loader needs for the sources.
 */
export async function bundleInstanceMain (t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'passkey-mfa-instance-'))
  t.teardown(async () => rm(dir, { recursive: true, force: true }))
  await symlink(NODE_MODULES, join(dir, 'node_modules'), 'dir')
  const outfile = join(dir, 'instance-main.mjs')
  await build({ entryPoints: [MAIN], outfile, bundle: true, packages: 'external', platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent' })
  return outfile
}
