import t from 'tap'
import type { Test } from 'tap'
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SqliteStore } from '../src/engine/stores/sqlite.js'
import { nonce, passkey } from './helpers/store-contract.js'

/**
 * Records, for every statement the store runs, the `synchronous` setting it runs under: the pragma
 * calls and prepared `PRAGMA synchronous = …` statements change it, every other statement logs its
 * first words with it.
 */
function recordSynchronous (t: Test): string[] {
  const log: string[] = []
  let mode = 'FULL'
  const { prepare, pragma } = Database.prototype
  t.teardown(() => Object.assign(Database.prototype, { prepare, pragma }))
  const track = (source: string): boolean => {
    const set = /synchronous\s*=\s*(\w+)/i.exec(source)
    if (set !== null) mode = set[1]!.toUpperCase()
    return set !== null
  }
  Database.prototype.pragma = function (this: Database.Database, source: string, options?: Database.PragmaOptions) {
    track(source)
    return pragma.call(this, source, options)
  }
  Database.prototype.prepare = function (this: Database.Database, source: string) {
    const statement = prepare.call(this, source)
    for (const method of ['run', 'get', 'all'] as const) {
      const execute = statement[method].bind(statement) as (...args: unknown[]) => unknown
      Object.assign(statement, {
        [method]: (...args: unknown[]) => {
          if (!track(source)) log.push(`${source.trim().split(/\s+/).slice(0, 3).join(' ')} @${mode}`)
          return execute(...args)
        }
      })
    }
    return statement
  } as typeof prepare
  return log
}

t.test('takes, counters, passkey and revocation writes commit with an fsync; creating a transaction and starting its ceremony do not', async (t) => {
  const log = recordSynchronous(t)
  const dir = mkdtempSync(join(tmpdir(), 'pkmfa-durability-'))
  const store = new SqliteStore({ filename: join(dir, 'passkeys.db') })
  t.teardown(async () => {
    await store.close()
    rmSync(dir, { recursive: true, force: true })
  })
  await store.init()
  const calls: Array<[string, () => Promise<unknown>, string[]]> = [
    ['createTransaction', async () => store.createTransaction({
      key: 't', kind: 'authenticate', externalId: 'u', passkeyDisplayName: null, firstPasskeyOnly: false, handshake: null, expiresAt: 9e12
    }), ['INSERT INTO passkey_transactions @NORMAL']],
    ['saveHandshake', async () => store.saveHandshake('t', { id: 'h', challenge: 'c', userHandle: null, expiresAt: 9e12 }), ['UPDATE passkey_transactions SET @NORMAL']],
    ['takeTransaction', async () => store.takeTransaction('t'), ['DELETE FROM passkey_transactions @FULL']],
    ['addPasskey', async () => store.addPasskey(passkey(), nonce({ key: 'n1' }), false), ['INSERT INTO passkeys @FULL', 'INSERT INTO passkey_nonces @FULL']],
    ['renamePasskey', async () => store.renamePasskey(passkey().externalId, passkey().id, 'renamed'), ['UPDATE passkeys SET @FULL']],
    ['revokeSession', async () => store.revokeSession({ sessionId: 's', revokedAt: 1, expiresAt: 2 }), ['INSERT INTO passkey_revoked_sessions @FULL']],
    ['recordPasskeyUse', async () => store.recordPasskeyUse(
      { id: passkey().id, previousCounter: passkey().counter, counter: passkey().counter + 1, backedUp: false, lastUsedAt: 5 }, nonce({ key: 'n2' })
    ), ['UPDATE passkeys SET @FULL', 'INSERT INTO passkey_nonces @FULL']],
    ['takeNonce', async () => store.takeNonce('n2'), ['DELETE FROM passkey_nonces @FULL']],
    ['deletePasskey', async () => store.deletePasskey(passkey().externalId, passkey().id, false), ['DELETE FROM passkeys @FULL']]
  ]
  for (const [name, call, writes] of calls) {
    log.length = 0
    await call()
    t.strictSame(log.filter((line) => /^(INSERT|UPDATE|DELETE)/.test(line)), writes, name)
  }
  log.length = 0
  await store.listPasskeys('u')
  t.strictSame(log, ['SELECT * FROM @NORMAL'], 'a durable write leaves the connection without fsync for what follows')
})
