import Fastify from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import fastifyPasskeyMfa from '../../src/index.js'
import { deleteAccount, sessions, users } from './your-app.js' // your users, sessions and handlers

// 32 random bytes, made once and kept secret, e.g. in your secret store:
//   node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"
const sessionKey = process.env.MFA_SESSION_KEY
if (sessionKey === undefined) throw new Error('MFA_SESSION_KEY is not set: make one with the command above')

const app = Fastify().withTypeProvider<TypeBoxTypeProvider>()
await app.register(fastifyPasskeyMfa, {
  sessionKey: Buffer.from(sessionKey, 'base64'),
  engine: { rpId: 'example.com', rpName: 'Example', origins: ['https://example.com'] },
  findUser: async (externalId) => users.findByExternalId(externalId), // { externalId, displayName } | null
  // Once both factors are done: your own session token, answered to the browser as `auth_token`.
  issueToken: async (user) => sessions.create(user.externalId)
})

// Your first factor stays yours. Afterwards, the plugin says what comes next.
const Credentials = Type.Object({ email: Type.String(), password: Type.String() })
app.post('/login', { schema: { body: Credentials } }, async (request, reply) => {
  const user = await users.checkPassword(request.body.email, request.body.password)
  if (user === null) return reply.code(401).send({ statusCode: 401, code: 'CREDENTIALS_INVALID', error: 'Unauthorized', message: 'Wrong email or password' })
  return { next: await request.mfa.completeFirstFactor(user) } // 'authenticate' | 'enroll' | 'done'
})

// Routes that need both factors, or a passkey check of the last five minutes.
app.get('/account', { preHandler: app.mfa.requireAuthenticated }, async (request) => {
  return users.findByExternalId(request.mfa.externalId!)
})
app.post('/account/delete', { preHandler: app.mfa.requireRecentPasskey(300) }, deleteAccount)

// After a password reset or an account deletion: end the user's sessions on every device.
app.post('/password-reset', { schema: { body: Credentials } }, async (request) => {
  const user = await users.resetPassword(request.body.email, request.body.password)
  if (user !== null) await app.mfa.revokeUserSessions(user.externalId)
  return { done: true }
})
