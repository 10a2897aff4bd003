import fastifySecureSession from '@fastify/secure-session'
import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import { SESSION_KEY } from '../lib/config.js'
import './session-data.js'

/**
 * The guard's baseline: a bare `@fastify/secure-session` (its `onRequest` hook unseals the cookie on
 * every route); `POST /login` stores the user, `GET /account` reads it back.
 */
export async function secureSessionApp (): Promise<FastifyInstance> {
  const app = Fastify()
  await app.register(fastifySecureSession, { key: SESSION_KEY, cookie: { path: '/', httpOnly: true, sameSite: 'lax' } })
  app.post<{ Body: { externalId: string } }>('/login', async (request) => {
    request.session.set('externalId', request.body.externalId)
    return { next: 'done' }
  })
  app.get('/account', async (request) => ({ externalId: request.session.get('externalId') }))
  return app
}

/** The baseline of routes that do not use MFA: the same `GET /hello` in an app without the plugin. */
export async function plainApp (): Promise<FastifyInstance> {
  const app = Fastify()
  app.get('/hello', async () => ({ hello: 'world' }))
  return app
}
