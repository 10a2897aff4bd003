import Fastify from 'fastify'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import fastifyPasskeyMfa from '../../src/index.js'
import type { MfaUser, PasskeyMfaOptions } from '../../src/index.js'
import { PasskeyEngine } from '../../src/engine/engine.js'
import type { PasskeyStore } from '../../src/engine/store.js'
import { MemoryStore } from '../../src/engine/stores/memory.js'
import { Browser } from './browser.js'
import { authenticate, register } from './ceremonies.js'
import { APP_ID, ORIGIN, RP_ID } from './engine-app.js'
import type { TestClock } from './engine-app.js'
import type { SoftwareAuthenticator } from './software-authenticator.js'

/** The session key of test apps. */
export const SESSION_KEY = Buffer.alloc(32, 7)

/** Where the test apps mount the plugin, and their engine routes. */
export const PREFIX = '/passkey'

/** A host app with the plugin, its users, the tokens it issued, and the test clock. */
export interface MfaApp {
  app: FastifyInstance
  engine: PasskeyEngine
  clock: TestClock
  users: Map<string, MfaUser>
  /** External IDs `issueToken` was called for, in order. */
  issued: string[]
}

/** Options for {@link buildMfaApp}: the plugin's, plus the engine's store and store timeout. */
export type MfaAppOptions = Partial<Omit<PasskeyMfaOptions, 'engine'>> & { store?: PasskeyStore, storeTimeoutMs?: number, logger?: object, trustProxy?: boolean }

/**
 * A host app: `POST /login {externalId}` completes the first factor for a known user;
 * `GET /protected` needs the passkey step; `GET /sensitive` needs a passkey check of the last minute;
 * `GET /recovered` tells whether the session signed in with a recovery code (`request.mfa.recovered`).
 * Limits are off unless `options.limits` turns them on.
 */
export async function buildMfaApp (t: Test, { store = new MemoryStore(), storeTimeoutMs, logger, trustProxy = false, ...options }: MfaAppOptions = {}): Promise<MfaApp> {
  const clock: TestClock = { now: Date.now(), advance (ms) { this.now += ms } }
  const engine = new PasskeyEngine({
    appId: APP_ID, rpId: RP_ID, rpName: 'Test', origins: [ORIGIN], store, now: () => clock.now, sweepIntervalMs: 0, storeTimeoutMs
  })
  const users = new Map<string, MfaUser>()
  const issued: string[] = []
  const app = Fastify({ logger: logger ?? false, trustProxy })
  await app.register(fastifyPasskeyMfa, {
    sessionKey: SESSION_KEY,
    engine,
    limits: false,
    findUser: async (externalId) => users.get(externalId) ?? null,
    issueToken: async (user) => {
      issued.push(user.externalId)
      return `token-for-${user.externalId}`
    },
    ...options
  })
  app.post<{ Body: { externalId: string } }>('/login', async (request, reply) => {
    const user = users.get(request.body.externalId)
    if (user === undefined) return reply.code(401).send({ error: 'bad credentials' })
    return { next: await request.mfa.completeFirstFactor(user) }
  })
  app.get('/protected', { preHandler: app.mfa.requireAuthenticated }, async (request) => ({ externalId: request.mfa.externalId }))
  app.get('/sensitive', { preHandler: app.mfa.requireRecentPasskey(60) }, async () => ({ ok: true }))
  app.get('/recovered', { preHandler: app.mfa.requireAuthenticated }, async (request) => ({ recovered: request.mfa.recovered }))
  t.teardown(async () => {
    await app.close()
    await engine.close()
  })
  return { app, engine, clock, users, issued }
}

/** Adds a user to the host app. */
export function addUser (mfa: MfaApp, externalId: string): MfaUser {
  const user = { externalId, displayName: `${externalId}@example.com` }
  mfa.users.set(externalId, user)
  return user
}

/** Runs the browser's registration ceremony for `POST {prefix}/register` and returns the nonce. */
export async function registerPasskey (mfa: MfaApp, browser: Browser, authenticator: SoftwareAuthenticator): Promise<string> {
  const { transactionId } = (await browser.post(`${PREFIX}/register`)).json()
  return (await register(scoped(mfa), authenticator, transactionId)).nonce as string
}

/** Runs the browser's authentication ceremony for `POST {prefix}/authenticate` and returns the nonce. */
export async function authenticatePasskey (mfa: MfaApp, browser: Browser, authenticator: SoftwareAuthenticator): Promise<string> {
  const { transactionId } = (await browser.post(`${PREFIX}/authenticate`)).json()
  return (await authenticate(scoped(mfa), authenticator, transactionId)).nonce as string
}

/** Signs a user up with a first passkey (policy `required`): first factor, enrollment, verify. */
export async function signUp (mfa: MfaApp, externalId: string, authenticator: SoftwareAuthenticator): Promise<Browser> {
  addUser(mfa, externalId)
  const browser = new Browser(mfa.app)
  await browser.post('/login', { externalId })
  await browser.post(`${PREFIX}/verify`, { nonce: await registerPasskey(mfa, browser, authenticator) })
  return browser
}

/** Confirms with the passkey in a signed-in `browser` (a step-up), as factor changes need; returns the verify answer. */
export async function stepUp (mfa: MfaApp, browser: Browser, authenticator: SoftwareAuthenticator): Promise<LightMyRequestResponse> {
  return browser.post(`${PREFIX}/verify`, { nonce: await authenticatePasskey(mfa, browser, authenticator) })
}

/** Signs a user with a passkey in: first factor, passkey step, verify. */
export async function signIn (mfa: MfaApp, externalId: string, authenticator: SoftwareAuthenticator): Promise<Browser> {
  const browser = new Browser(mfa.app)
  await browser.post('/login', { externalId })
  await browser.post(`${PREFIX}/verify`, { nonce: await authenticatePasskey(mfa, browser, authenticator) })
  return browser
}

/** The app seen through the ceremony helpers, with the engine routes under the plugin's prefix. */
function scoped (mfa: MfaApp): FastifyInstance {
  return { inject: async (options: { url: string }) => mfa.app.inject({ ...options, url: `${PREFIX}${options.url}` }) } as unknown as FastifyInstance
}
