import t from 'tap'
import Fastify from 'fastify'
import { mkdtempSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fastifyPasskeyMfa from '../src/index.js'
import type { PasskeyMfaOptions } from '../src/index.js'
import { MemoryStore } from '../src/engine/stores/memory.js'

const ENGINE = { rpId: 'localhost', rpName: 'Test', origins: ['http://localhost:3000'], store: new MemoryStore(), sweepIntervalMs: 0 }
const VALID: PasskeyMfaOptions = {
  sessionKey: Buffer.alloc(32, 1),
  findUser: async () => null,
  issueToken: async () => 'token',
  engine: ENGINE
}

t.test('invalid options fail register with a coded error', async (t) => {
  const cases: Array<[string, Partial<Record<keyof PasskeyMfaOptions, unknown>>]> = [
    ['sessionKey', { sessionKey: Buffer.alloc(16) }],
    ['sessionKey', { sessionKey: 'a'.repeat(32) }],
    ['sessionKey', { sessionKey: [] }],
    ['findUser', { findUser: undefined }],
    ['issueToken', { issueToken: 'token' }],
    ['policy', { policy: 'sometimes' }],
    ['engine', { engine: undefined }],
    ['rpId', { engine: { ...ENGINE, rpId: 'Bad Domain' } }],
    ['prefix', { prefix: 'passkey' }],
    ['prefix', { prefix: '/passkey/' }],
    ['cookieName', { cookieName: 'bad name' }],
    ['sameSite', { sameSite: 'none' }],
    ['pendingLifetimeMs', { pendingLifetimeMs: 10 * 60_000 }],
    ['idleTimeoutMs', { idleTimeoutMs: 0 }],
    ['idleTimeoutMs', { idleTimeoutMs: 2 * 60 * 60_000, absoluteLifetimeMs: 60 * 60_000 }],
    ['absoluteLifetimeMs', { absoluteLifetimeMs: 31 * 24 * 60 * 60_000 }],
    ['revocationSyncMs', { revocationSyncMs: 0 }],
    ['revocationMaxStalenessMs', { revocationMaxStalenessMs: 0 }],
    ['revocationMaxStalenessMs', { revocationSyncMs: 2000, revocationMaxStalenessMs: 1000 }],
    ['factorChangeMaxAgeMs', { factorChangeMaxAgeMs: 0 }],
    ['factorChangeMaxAgeMs', { factorChangeMaxAgeMs: 2 * 60 * 60_000 }],
    ['revokeSessionsOnPasskeyRemoval', { revokeSessionsOnPasskeyRemoval: 'yes' }],
    ['corsOrigins', { corsOrigins: 'https://partner.test' }],
    ['trustedBrowsers', { trustedBrowsers: true }],
    ['trustedBrowsers', { trustedBrowsers: null }],
    ['trustedBrowsers.maxAgeMs', { trustedBrowsers: {} }],
    ['trustedBrowsers.maxAgeMs', { trustedBrowsers: { maxAgeMs: 31 * 24 * 60 * 60_000 } }],
    ['trustedBrowsers.cookieName', { trustedBrowsers: { maxAgeMs: 60_000, cookieName: 'bad name' } }],
    ['trustedBrowsers.cookieName', { trustedBrowsers: { maxAgeMs: 60_000, cookieName: '__Host-trusted' } }],
    ['trustedBrowsers.cookieName', { trustedBrowsers: { maxAgeMs: 60_000, cookieName: 'passkey_mfa' } }],
    ['onEvent', { onEvent: 'log' }],
    ['limits', { limits: true }],
    ['limits', { limits: null }],
    ['limits.redis', { limits: { redis: { get: () => null } } }],
    ['limits.redisPrefix', { limits: { redisPrefix: 1 } }],
    ['limits.requestsPerAddress', { limits: { requestsPerAddress: 100 } }],
    ['limits.transactionsPerSession.max', { limits: { transactionsPerSession: { max: 0, windowMs: 60_000 } } }],
    ['limits.transactionsPerAccount.windowMs', { limits: { transactionsPerAccount: { max: 1, windowMs: 0 } } }],
    ['limits.failedAttemptsPerAccount', { limits: { failedAttemptsPerAccount: 1.5 } }],
    ['limits.failedAttemptsPerAddress', { limits: { failedAttemptsPerAddress: -1 } }],
    ['limits.failureWindowMs', { limits: { failureWindowMs: 0 } }],
    ['limits.lockoutMs', { limits: { lockoutMs: 20 * 60_000 } }],
    ['limits.maxLockoutMs', { limits: { maxLockoutMs: 'long' } }],
    ['limits.timeoutMs', { limits: { timeoutMs: 0 } }]
  ]
  for (const [name, change] of cases) {
    const app = Fastify()
    await t.rejects(async () => app.register(fastifyPasskeyMfa, { ...VALID, ...change } as PasskeyMfaOptions).ready(),
      { code: 'FST_PASSKEY_MFA_OPTIONS_INVALID', message: new RegExp(name) }, `${name}: ${JSON.stringify(change)}`)
    await app.close()
  }
})

t.test('without a store, the plugin keeps passkeys in an SQLite file, says where, and closes it', async (t) => {
  const sqlitePath = join(mkdtempSync(join(tmpdir(), 'pkmfa-')), 'passkeys.db')
  const lines: string[] = []
  const app = Fastify({ logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } } })
  const { store, ...engine } = ENGINE
  await app.register(fastifyPasskeyMfa, { ...VALID, engine: { ...engine, sqlitePath } })
  await app.ready()
  t.ok(existsSync(sqlitePath), 'the file exists')
  t.ok(lines.some((line) => line.includes('passkey-mfa: passkeys are stored in SQLite') && line.includes(sqlitePath)))
  await app.close()
})

t.test('requireRecentPasskey needs a positive age', async (t) => {
  const app = Fastify()
  t.teardown(async () => app.close())
  await app.register(fastifyPasskeyMfa, VALID)
  for (const age of [0, -1, Number.NaN]) {
    t.throws(() => app.mfa.requireRecentPasskey(age), { code: 'FST_PASSKEY_MFA_ARGUMENT_INVALID' })
  }
})

t.test('trusted browsers are off by default; on, their cookie is __Host- prefixed over https, and a name of its own on http', async (t) => {
  const { resolveOptions } = await import('../src/options.js')
  t.equal(resolveOptions(VALID).trustedBrowsers, null)
  const https = { ...ENGINE, rpId: 'example.com', origins: ['https://example.com'] }
  t.same(resolveOptions({ ...VALID, engine: https, trustedBrowsers: { maxAgeMs: 60_000 } }).trustedBrowsers,
    { maxAgeMs: 60_000, cookieName: '__Host-passkey_mfa_trusted' })
  t.same(resolveOptions({ ...VALID, trustedBrowsers: { maxAgeMs: 60_000 } }).trustedBrowsers,
    { maxAgeMs: 60_000, cookieName: 'passkey_mfa_trusted' })
})
