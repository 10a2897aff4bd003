import fastifySecureSession from '@fastify/secure-session'
import type { FastifyInstance } from 'fastify'
import type { SessionSeal } from './session-cookie.js'

const SESSION_NAME = 'passkeyMfa'

/**
 * Registers `@fastify/secure-session` under its own session name in an encapsulated scope with no
 * routes, and returns its sealing primitives. Its hooks thus run on no route (the plugin reads the
 * cookie only where MFA is used), and it never collides with a session of the host's.
 */
export async function registerSessionSeal (fastify: FastifyInstance, key: Buffer[], expirySeconds: number): Promise<SessionSeal> {
  let seal: SessionSeal | undefined
  await fastify.register(async function passkeyMfaSessionSeal (scope) {
    await scope.register(fastifySecureSession, { key, sessionName: SESSION_NAME, cookieName: SESSION_NAME, expiry: expirySeconds })
    seal = {
      decode: (cookie, log) => scope.decodeSecureSession(cookie, log, SESSION_NAME),
      encode: (session) => scope.encodeSecureSession(session, SESSION_NAME),
      create: (data) => scope.createSecureSession(data as Record<string, unknown>)
    }
  })
  return seal as SessionSeal
}
