import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppNotFoundError } from '../errors.js'
import { ERROR_REPLIES, replyWithCode } from '../reply-error.js'
import {
  AppParams, AuthenticateFinishBody, AuthenticateStartBody, FinishReply, RegisterFinishBody,
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
const START_REPLIES = { 200: StartReply, ...ERROR_REPLIES }
const FINISH_REPLIES = { 200: FinishReply, ...ERROR_REPLIES }

/**
 * The browser-facing ceremony routes, wire-compatible with Passage's browser API v1, under
 * `/flex/v1/apps/:appId/...` of wherever this plugin is registered. They carry no session: the
 * short-lived transaction ID is the capability. Bodies are validated strictly (no coercion).
 *
 * @example
 * await app.register(engineRoutes, { engine, prefix: '/passkey' })
 */
export async function engineRoutes (instance: FastifyInstance, { engine, corsOrigins = [] }: EngineRoutesOptions): Promise<void> {
  const fastify = instance.withTypeProvider<TypeBoxTypeProvider>()
  const base = '/flex/v1/apps/:appId'
  fastify.setValidatorCompiler(TypeBoxValidatorCompiler)
  fastify.setErrorHandler(replyWithCode)
  allowCrossOrigin(fastify, `${base}/*`, corsOrigins)
  fastify.addHook('preHandler', async (request) => {
    if ((request.params as AppParams).appId !== engine.appId) throw new AppNotFoundError()
  })

  fastify.post(`${base}/register/transactions/webauthn/start`, {
    bodyLimit: BODY_LIMIT,
    schema: { params: AppParams, body: RegisterStartBody, response: START_REPLIES }
  }, async (request) => {
    const { transaction_id: transactionId, authenticator_attachment: authenticatorAttachment } = request.body
    const { handshakeId, publicKey } = await engine.startRegistration({ transactionId, authenticatorAttachment })
    return { handshake: { id: handshakeId, challenge: { publicKey } }, transaction_id: transactionId }
  })

  fastify.post(`${base}/register/transactions/webauthn/finish`, {
    bodyLimit: BODY_LIMIT,
    schema: { params: AppParams, body: RegisterFinishBody, response: FINISH_REPLIES }
  }, async (request, reply) => {
    const { transaction_id: transactionId, handshake_id: handshakeId, handshake_response: answer } = request.body
    const nonce = await engine.finishRegistration({ transactionId, handshakeId, response: toRegistrationResponse(answer) })
    return finished(request, reply, nonce, 'registration')
  })

  fastify.post(`${base}/authenticate/transactions/webauthn/start`, {
    bodyLimit: BODY_LIMIT,
    schema: { params: AppParams, body: AuthenticateStartBody, response: START_REPLIES }
  }, async (request) => {
    const { transaction_id: transactionId } = request.body
    const { handshakeId, publicKey } = await engine.startAuthentication({ transactionId })
    return { handshake: { id: handshakeId, challenge: { publicKey } }, transaction_id: transactionId }
  })

  fastify.post(`${base}/authenticate/transactions/webauthn/finish`, {
    bodyLimit: BODY_LIMIT,
    schema: { params: AppParams, body: AuthenticateFinishBody, response: FINISH_REPLIES }
  }, async (request, reply) => {
    const { transaction_id: transactionId, handshake_id: handshakeId, handshake_response: answer } = request.body
    const nonce = await engine.finishAuthentication({ transactionId, handshakeId, response: toAuthenticationResponse(answer) })
    return finished(request, reply, nonce, 'authentication')
  })
}


function finished (request: FastifyRequest, reply: FastifyReply, nonce: string, ceremony: string): FinishReply {
  request.log.info(`passkey-mfa: ${ceremony} ceremony succeeded`)
  reply.header('cache-control', 'no-store')
  return { nonce }
}
