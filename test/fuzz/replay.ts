import fc from 'fast-check'
import { checkRequest } from './check.js'
import type { Checked } from './check.js'
import type { FuzzProperty } from './fuzz-property.js'
import { SessionMint } from './session-mint.js'
import { WorldPool } from './world.js'
import type { WorldStore } from './world.js'

/**
 * Runs case `index` (counted from 0) of a fuzz run of `property` with `seed` on its own, and checks
 * it as the run did. fast-check draws the cases of a seed in a fixed order, so a failure a long run
 * found is replayed without its earlier cases.
 */
export async function replayCase<Case> (property: FuzzProperty<Case>, store: WorldStore, seed: number, index: number): Promise<Checked> {
  const testCase = fc.sample(property.arbitrary, { seed, numRuns: index + 1 })[index] as Case
  const mint = await SessionMint.open()
  const pool = new WorldPool(store, mint)
  try {
    const world = await pool.next()
    return await checkRequest(world, await property.prepare(world, testCase))
  } finally {
    await pool.close()
    await mint.close()
  }
}
