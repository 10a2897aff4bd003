import t from 'tap'
import Fastify from 'fastify'
import fastifyPasskeyMfa from '../src/index.js'
import type { PasskeyMfaOptions } from '../src/index.js'
import { MemoryStore } from '../src/engine/stores/memory.js'

const ENGINE = { rpId: 'localhost', rpName: 'Test', origins: ['http://localhost:3000'], store: new MemoryStore(), sweepIntervalMs: 0 }
const HOW = /sessionKey must be a 32-byte Buffer .*randomBytes\(32\)\.toString\('base64'\).*Buffer\.from\(key, 'base64'\)/

t.test('a missing or wrong sessionKey fails register with a message that says how to make one', async (t) => {
  const cases: Array<[string, unknown]> = [
    ['missing', undefined],
    ['an unset environment variable read as a string', process.env.NO_SUCH_MFA_SESSION_KEY],
    ['a base64 string not made a Buffer', 'a'.repeat(44)],
    ['16 bytes', Buffer.alloc(16)],
    ['no keys', []]
  ]
  for (const [name, sessionKey] of cases) {
    const app = Fastify()
    t.teardown(async () => app.close())
    const options = { findUser: async () => null, issueToken: async () => 'token', engine: ENGINE, sessionKey } as unknown as PasskeyMfaOptions
    await t.rejects(async () => { await app.register(fastifyPasskeyMfa, options).ready() }, { code: 'FST_PASSKEY_MFA_OPTIONS_INVALID', message: HOW }, name)
  }
})
