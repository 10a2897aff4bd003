import { createRequire } from 'node:module'
import type pg from 'pg'
import { OptionsInvalidError } from '../../errors.js'

/**
 * Loads the `pg` driver, an optional peer dependency that only {@link PostgresStore} needs.
 * `require` is for tests, to load it from elsewhere.
 *
 * @throws OptionsInvalidError when `pg` is not installed.
 * @internal
 */
export function loadPg (require: NodeJS.Require = createRequire(import.meta.url)): typeof pg {
  let path: string
  try {
    path = require.resolve('pg')
  } catch {
    throw new OptionsInvalidError('PostgresStore needs the pg package: npm install pg')
  }
  return require(path) as typeof pg
}
