import t from 'tap'
import Fastify from 'fastify'
import fastifySwagger from '@fastify/swagger'
import fastifyPasskeyMfa from '../src/index.js'
import { MemoryStore } from '../src/engine/stores/memory.js'

t.test('with @fastify/swagger registered first, every route is documented with its schemas', async (t) => {
  const app = Fastify()
  t.teardown(async () => app.close())
  await app.register(fastifySwagger, { openapi: { info: { title: 'test', version: '1' } } })
  await app.register(fastifyPasskeyMfa, {
    sessionKey: Buffer.alloc(32, 1),
    findUser: async () => null,
    issueToken: async () => 'token',
    engine: { appId: 'app', rpId: 'localhost', rpName: 'Test', origins: ['http://localhost:3000'], store: new MemoryStore(), sweepIntervalMs: 0 }
  })
  await app.ready()
  const { paths } = app.swagger() as unknown as { paths: Record<string, Record<string, { requestBody?: unknown, responses: Record<string, unknown> }>> }
  const documented = Object.entries(paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
  const expected = [
    'POST /passkey/register', 'POST /passkey/authenticate', 'POST /passkey/verify', 'GET /passkey/status',
    'GET /passkey/passkeys', 'PATCH /passkey/passkeys/{id}', 'DELETE /passkey/passkeys/{id}', 'POST /passkey/logout',
    'POST /passkey/flex/v1/apps/{appId}/register/transactions/webauthn/start',
    'POST /passkey/flex/v1/apps/{appId}/register/transactions/webauthn/finish',
    'POST /passkey/flex/v1/apps/{appId}/authenticate/transactions/webauthn/start',
    'POST /passkey/flex/v1/apps/{appId}/authenticate/transactions/webauthn/finish'
  ]
  for (const route of expected) t.ok(documented.includes(route), `${route} is documented`)
  t.ok(paths['/passkey/verify'].post.requestBody, 'with its body schema')
  t.ok(paths['/passkey/verify'].post.responses['200'], 'and its answer schema')
  t.ok(paths['/passkey/flex/v1/apps/{appId}/register/transactions/webauthn/finish'].post.requestBody)
})
