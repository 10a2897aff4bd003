// The plugin's types as a consumer sees them: imported by package name, resolved through the exports map to dist/*.d.ts.
import Fastify from 'fastify'
import type { FastifyPluginAsync } from 'fastify'
import fastifyPasskeyMfa, { StepUpRequiredError, FactorChangeStepUpError, OptionsInvalidError } from 'fastify-passkey-mfa'
import type { MfaLevel, MfaUser, NextStep, PasskeyMfaOptions } from 'fastify-passkey-mfa'
import { expectTrue } from './expect.js'
import type { Equal } from './expect.js'

interface AppUser extends MfaUser { email: string }
declare const users: Map<string, AppUser>
const LIMITS = { failedAttemptsPerAccount: 5 }
const base = {
  sessionKey: Buffer.alloc(32),
  engine: { rpId: 'localhost', rpName: 'Example', origins: ['http://localhost:3000'] }
}

const app = Fastify()

// findUser's return type flows into issueToken and policy, also with options held in variables.
await app.register(fastifyPasskeyMfa, {
  ...base,
  limits: LIMITS,
  findUser: async (externalId) => users.get(externalId) ?? null,
  issueToken: async (user) => {
    expectTrue<Equal<typeof user, AppUser>>()
    return user.email
  },
  policy: async (user) => user.email.endsWith('@example.com') ? 'required' : 'optional'
})

// Naming the user type works too.
await app.register(fastifyPasskeyMfa<AppUser>, {
  ...base,
  findUser: async (externalId) => users.get(externalId) ?? null,
  issueToken: async (user) => user.email
})

// A plain MfaUser host needs no annotation.
await app.register(fastifyPasskeyMfa, {
  ...base,
  findUser: async (externalId) => ({ externalId, displayName: externalId }),
  issueToken: async (user) => user.externalId
})

// A wrong user type: a property findUser's user lacks.
await app.register(fastifyPasskeyMfa, {
  ...base,
  findUser: async (externalId) => users.get(externalId) ?? null,
  // @ts-expect-error AppUser has no `phone`
  issueToken: async (user) => user.phone
})

// A wrong option value, and a missing required option.
const findAppUser = async (externalId: string): Promise<AppUser | null> => users.get(externalId) ?? null
const issueAppToken = async (user: AppUser): Promise<string> => user.email
// @ts-expect-error policy is 'required', 'optional' or a function
await app.register(fastifyPasskeyMfa, { ...base, findUser: findAppUser, issueToken: issueAppToken, policy: 'sometimes' })
// @ts-expect-error sessionKey is required
await app.register(fastifyPasskeyMfa, { engine: base.engine, findUser: findAppUser, issueToken: issueAppToken })
await app.register(fastifyPasskeyMfa, { ...base, findUser: findAppUser, issueToken: issueAppToken, policy: 'optional' })

// For every user type, the plugin is a FastifyPluginAsync of its options.
const asPlugin: FastifyPluginAsync<PasskeyMfaOptions<AppUser>> = fastifyPasskeyMfa
void asPlugin

// request.mfa.state and completeFirstFactor's answer are literal unions.
app.post('/login', async (request) => {
  expectTrue<Equal<typeof request.mfa.state, 'anonymous' | 'first-factor' | 'passkey-pending' | 'authenticated'>>()
  expectTrue<Equal<MfaLevel, typeof request.mfa.state>>()
  // @ts-expect-error a misspelled state never matches
  if (request.mfa.state === 'authenticatd') return { ok: false }
  const next = await request.mfa.completeFirstFactor({ externalId: 'u1', displayName: 'u1@example.com' })
  expectTrue<Equal<typeof next, 'authenticate' | 'enroll' | 'done'>>()
  expectTrue<Equal<NextStep, 'first-factor' | 'authenticate' | 'enroll' | 'done'>>()
  // @ts-expect-error 'first-factor' is never the next step after the first factor
  if (next === 'first-factor') return { ok: false }
  return { next }
})

// instanceof narrows to the class's literal code and status.
app.setErrorHandler(async (error, _request, reply) => {
  if (error instanceof StepUpRequiredError) {
    expectTrue<Equal<typeof error.code, 'FST_PASSKEY_MFA_STEP_UP_REQUIRED'>>()
    expectTrue<Equal<typeof error.statusCode, 401>>()
    return reply.code(error.statusCode).send({ code: error.code })
  }
  if (error instanceof OptionsInvalidError) {
    expectTrue<Equal<typeof error.code, 'FST_PASSKEY_MFA_OPTIONS_INVALID'>>()
    // @ts-expect-error the code is a literal: a misspelled code never matches
    if (error.code === 'FST_PASSKEY_MFA_OPTION_INVALID') return reply.code(500).send()
  }
  return reply.send(error)
})

// Error classes take their message's arguments and `{ cause }`, nothing else.
void new FactorChangeStepUpError('5 minutes')
void new StepUpRequiredError({ cause: new Error('why') })
// @ts-expect-error StepUpRequiredError's message has no argument
void new StepUpRequiredError('5 minutes')
