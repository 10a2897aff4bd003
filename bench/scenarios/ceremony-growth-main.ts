/**
 * The entry of the memory-and-growth process (run with `--expose-gc`): `CEREMONIES` authentication
 * ceremonies on an SQLite store through the engine, some of them abandoned with their transaction,
 * their handshake or their nonce left behind; then the clock moves past every lifetime, one sweep
 * runs, and the process reports its RSS after a garbage collection every `CHECKPOINT_EVERY` ceremonies
 * (the first after a warm-up) and the expired rows left, on IPC.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { PasskeyEngine } from '../../src/engine/engine.js'
import { SqliteStore } from '../../src/engine/stores/sqlite.js'
import { APP_ID, ORIGIN, RP_ID } from '../../test/helpers/engine-app.js'
import { SoftwareAuthenticator } from '../../test/helpers/software-authenticator.js'

const CEREMONIES = Number(process.argv[2])
const WARMUP = 5_000
const CHECKPOINT_EVERY = 10_000
const USERS = 8
/** Past every lifetime: transactions (5 min) and nonces (1 min). */
const LATER_MS = 10 * 60_000

const dir = await mkdtemp(join(tmpdir(), 'pkmfa-bench-growth-'))
const filename = join(dir, 'passkeys.db')
let skew = 0
const engine = new PasskeyEngine({
  appId: APP_ID, rpId: RP_ID, rpName: 'Bench', origins: [ORIGIN], store: new SqliteStore({ filename }), now: () => Date.now() + skew
})
const users = await Promise.all(Array.from({ length: USERS }, async (_, index) => enroll(`user-${index}`)))

/** One ceremony of user `index % USERS`; ceremonies 1, 2 and 3 of every 10 are abandoned at a different stage. */
async function ceremony (index: number): Promise<void> {
  const { externalId, authenticator } = users[index % USERS]
  const transactionId = await engine.createAuthenticateTransaction({ externalId })
  if (index % 10 === 1) return
  const { handshakeId, publicKey } = await engine.startAuthentication({ transactionId })
  if (index % 10 === 2) return
  const { nonce } = await engine.finishAuthentication({ transactionId, handshakeId, response: authenticator.get(publicKey) })
  if (index % 10 === 3) return
  await engine.redeemNonce(nonce, { transactionId, kind: 'authenticate', externalId })
}

/** Runs ceremonies `from` to `to` (excluded), one per user at a time. */
async function run (from: number, to: number): Promise<void> {
  await Promise.all(Array.from({ length: USERS }, async (_, lane) => {
    for (let index = from + lane; index < to; index += USERS) await ceremony(index)
  }))
}

async function enroll (externalId: string): Promise<{ externalId: string, authenticator: SoftwareAuthenticator }> {
  const authenticator = new SoftwareAuthenticator()
  const transactionId = await engine.createRegisterTransaction({ externalId, passkeyDisplayName: externalId })
  const { handshakeId, publicKey } = await engine.startRegistration({ transactionId, authenticatorAttachment: 'platform' })
  const { nonce } = await engine.finishRegistration({ transactionId, handshakeId, response: authenticator.create(publicKey) })
  await engine.redeemNonce(nonce)
  return { externalId, authenticator }
}

/** RSS after a full garbage collection. */
function rss (): number {
  globalThis.gc!()
  return process.memoryUsage().rss
}

await run(0, WARMUP)
const checkpoints = [rss()]
const started = performance.now()
for (let done = 0; done < CEREMONIES; done += CHECKPOINT_EVERY) {
  await run(WARMUP + done, WARMUP + done + CHECKPOINT_EVERY)
  checkpoints.push(rss())
}
const seconds = (performance.now() - started) / 1000

skew = LATER_MS
const swept = await engine.sweep()
const now = Date.now() + skew
const db = new Database(filename, { readonly: true })
const count = (sql: string): number => db.prepare<[number], number>(sql).pluck().get(now)!
const left = {
  transactions: count('SELECT count(*) FROM passkey_transactions WHERE expires_at <= ?'),
  handshakes: count("SELECT count(*) FROM passkey_transactions WHERE handshake IS NOT NULL AND handshake ->> 'expiresAt' <= ?"),
  nonces: count('SELECT count(*) FROM passkey_nonces WHERE expires_at <= ?')
}
db.close()
await engine.close()
await rm(dir, { recursive: true, force: true })
process.send!({ ceremonies: CEREMONIES, perSecond: CEREMONIES / seconds, checkpoints, swept, left })
