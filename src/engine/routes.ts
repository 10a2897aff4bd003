import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppNotFoundError } from '../errors.js'
import { toCodedError } from '../reply-error.js'
import {
  AppParams, AuthenticateFinishBody, AuthenticateStartBody, ErrorReply, FinishReply, RegisterFinishBody,
  RegisterStartBody, StartReply
} from '../schemas/wire.js'
import { allowCrossOrigin } from './cors.js'
import type { PasskeyEngine } from './engine.js'
import { toAuthenticationResponse, toRegistrationResponse } from './wire-responses.js'

/** Options of {@link engineRoutes}. */
export interface EngineRoutesOptions {
  engine: PasskeyEngine
  /** Exact origins allowed to call the routes cross-origin (CORS, no credentials); none by default. */
  corsOrigins?: string[]
}

const BODY_LIMIT = 64 * 1024
const ERROR_REPLIES = { '4xx': ErrorReply, '5xx': ErrorReply }

/**
 * The browser-facing ceremony routes, wire-compatible with Passage's browser API v1, under
 * `/flex/v1/apps/:appId/...` of wherever this plugin is registered. They carry no session: the
 * short-lived transaction ID is the capability.
 *
 * @example
 * await app.register(engineRoutes, { engine, prefix: '/passkey' })
 */
export async function engineRoutes (fastify: FastifyInstance, { engine, corsOrigins = [] }: EngineRoutesOptions): Promise<void> {
  const base = '/flex/v1/apps/:appId'

  fastify.setErrorHandler((error: FastifyError, request, reply) => {
    const coded = toCodedError(error)
    if (coded.statusCode === 500) request.log.error({ err: error }, 'passkey-mfa: ceremony route failed')
    else request.log.info({ code: coded.code, reason: (error as { reason?: string }).reason }, 'passkey-mfa: ceremony refused')
    return reply.code(coded.statusCode).send({ statusCode: coded.statusCode, code: coded.code, error: coded.message })
  })

  allowCrossOrigin(fastify, `${base}/*`, corsOrigins)

  fastify.addHook('preHandler', async (request: FastifyRequest<{ Params: AppParams }>) => {
    if (request.params.appId !== engine.appId) throw new AppNotFoundError()
  })

  const route = { bodyLimit: BODY_LIMIT }
  const startSchema = (body: typeof RegisterStartBody | typeof AuthenticateStartBody) =>
    ({ params: AppParams, body, response: { 200: StartReply, ...ERROR_REPLIES } })
  const finishSchema = (body: typeof RegisterFinishBody | typeof AuthenticateFinishBody) =>
    ({ params: AppParams, body, response: { 200: FinishReply, ...ERROR_REPLIES } })

  fastify.post<{ Body: RegisterStartBody }>(`${base}/register/transactions/webauthn/start`,
    { ...route, schema: startSchema(RegisterStartBody) },
    async (request) => {
      const { transaction_id: transactionId, authenticator_attachment: authenticatorAttachment } = request.body
      const started = await engine.startRegistration({ transactionId, authenticatorAttachment })
      return startReply(transactionId, started.handshakeId, started.publicKey)
    })

  fastify.post<{ Body: RegisterFinishBody }>(`${base}/register/transactions/webauthn/finish`,
    { ...route, schema: finishSchema(RegisterFinishBody) },
    async (request, reply) => {
      const { transaction_id: transactionId, handshake_id: handshakeId, handshake_response: answer } = request.body
      const nonce = await engine.finishRegistration({ transactionId, handshakeId, response: toRegistrationResponse(answer) })
      return finished(request, reply, nonce, 'registration')
    })

  fastify.post<{ Body: AuthenticateStartBody }>(`${base}/authenticate/transactions/webauthn/start`,
    { ...route, schema: startSchema(AuthenticateStartBody) },
    async (request) => {
      const { transaction_id: transactionId } = request.body
      const started = await engine.startAuthentication({ transactionId })
      return startReply(transactionId, started.handshakeId, started.publicKey)
    })

  fastify.post<{ Body: AuthenticateFinishBody }>(`${base}/authenticate/transactions/webauthn/finish`,
    { ...route, schema: finishSchema(AuthenticateFinishBody) },
    async (request, reply) => {
      const { transaction_id: transactionId, handshake_id: handshakeId, handshake_response: answer } = request.body
      const nonce = await engine.finishAuthentication({ transactionId, handshakeId, response: toAuthenticationResponse(answer) })
      return finished(request, reply, nonce, 'authentication')
    })
}

function startReply (transactionId: string, handshakeId: string, publicKey: StartReply['handshake']['challenge']['publicKey']): StartReply {
  return { handshake: { id: handshakeId, challenge: { publicKey } }, transaction_id: transactionId }
}

function finished (request: FastifyRequest, reply: FastifyReply, nonce: string, ceremony: string): FinishReply {
  request.log.info(`passkey-mfa: ${ceremony} ceremony succeeded`)
  reply.header('cache-control', 'no-store')
  return { nonce }
}
