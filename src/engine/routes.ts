import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { audit } from '../audit.js'
import type { AuditListener } from '../audit.js'
import { AppNotFoundError, BodyInvalidError } from '../errors.js'
import type { AttemptLimiter } from '../limits/attempt-limiter.js'
import { ERROR_REPLIES, replyToPassageSdk } from '../reply-error.js'
import {
  AppParams, AuthenticateFinishBody, AuthenticateStartBody, FinishReply, RegisterFinishBody,
  RegisterStartBody, StartReply
} from '../schemas/wire.js'
import { allowCrossOrigin } from './cors.js'
import type { PasskeyEngine } from './engine.js'
import type { FinishedCeremony } from './rejection.js'
import type { CeremonyKind } from './store.js'
import { toAuthenticationResponse, toRegistrationResponse } from './wire-responses.js'
import { noStore } from '../no-store.js'
import { syncHook } from '../sync-hook.js'

/** Options of {@link engineRoutes}. */
export interface EngineRoutesOptions {
  engine: PasskeyEngine
  /** Exact origins allowed to call the routes cross-origin (CORS, no credentials), besides the engine's `relatedOrigins`; none by default. */
  corsOrigins?: string[]
  /** Receives the ceremonies' audit events (they are also logged at info). */
  onEvent?: AuditListener | null
  /** Limits finishes without a success per client address. */
  limiter?: AttemptLimiter | null
  /**
   * Whether an authentication start without `transaction_id` begins a passkey-first sign-in (the
   * browser's autofill, as Passage's SDK runs it); default `true`. Off, it is `FST_PASSKEY_MFA_BODY_INVALID`.
   */
  passkeySignIn?: boolean
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
export async function engineRoutes (
  instance: FastifyInstance, { engine, corsOrigins = [], onEvent = null, limiter = null, passkeySignIn = true }: EngineRoutesOptions
): Promise<void> {
  const fastify = instance.withTypeProvider<TypeBoxTypeProvider>()
  const base = '/flex/v1/apps/:appId'
  fastify.setValidatorCompiler(TypeBoxValidatorCompiler)
  fastify.setErrorHandler(replyToPassageSdk)
  fastify.addHook('onSend', noStore)
  allowCrossOrigin(fastify, `${base}/*`, [...corsOrigins, ...engine.relatedOrigins])
  fastify.addHook('preHandler', syncHook((request) => {
    if ((request.params as AppParams).appId !== engine.appId) throw new AppNotFoundError()
  }))

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
  }, async (request) => {
    const { transaction_id: transactionId, handshake_id: handshakeId, handshake_response: answer } = request.body
    return finish(request, 'register', async () => engine.finishRegistration({
      transactionId, handshakeId, response: toRegistrationResponse(answer), userAgent: request.headers['user-agent']
    }))
  })

  fastify.post(`${base}/authenticate/transactions/webauthn/start`, {
    bodyLimit: BODY_LIMIT,
    schema: { params: AppParams, body: AuthenticateStartBody, response: START_REPLIES }
  }, async (request) => {
    const { transaction_id: transactionId } = request.body
    if (transactionId === undefined) {
      if (!passkeySignIn) throw new BodyInvalidError('transaction_id is required: passkey sign-in is off')
      const { handshakeId, publicKey } = await engine.startDiscoverableAuthentication()
      return { handshake: { id: handshakeId, challenge: { publicKey } } }
    }
    const { handshakeId, publicKey } = await engine.startAuthentication({ transactionId })
    return { handshake: { id: handshakeId, challenge: { publicKey } }, transaction_id: transactionId }
  })

  fastify.post(`${base}/authenticate/transactions/webauthn/finish`, {
    bodyLimit: BODY_LIMIT,
    schema: { params: AppParams, body: AuthenticateFinishBody, response: FINISH_REPLIES }
  }, async (request) => {
    const { transaction_id: transactionId, handshake_id: handshakeId, handshake_response: answer } = request.body
    const response = toAuthenticationResponse(answer)
    return finish(request, 'authenticate', async () => transactionId === undefined
      ? engine.finishDiscoverableAuthentication({ handshakeId, response })
      : engine.finishAuthentication({ transactionId, handshakeId, response }))
  })

  /**
   * Runs a ceremony finish as one attempt of the client's address, and records its outcome; a
   * failure after the transaction was found names its user.
   */
  async function finish (
    request: FastifyRequest, kind: CeremonyKind, run: () => Promise<FinishedCeremony>
  ): Promise<FinishReply> {
    await limiter?.reserve(request, 'address', request.ip)
    let finished: FinishedCeremony
    try {
      finished = await run()
    } catch (error) {
      const { externalId = null, code, reason } = error as { externalId?: string, code?: string, reason?: string }
      audit(request, onEvent, { type: 'ceremony-failed', kind, externalId, code, reason }, engine.now())
      throw error
    }
    const { nonce, externalId, passkeyId } = finished
    await limiter?.succeeded(request, 'address', request.ip)
    audit(request, onEvent, { type: 'ceremony-succeeded', kind, externalId, passkeyId }, engine.now())
    if (kind === 'register') audit(request, onEvent, { type: 'passkey-added', externalId, passkeyId }, engine.now())
    return { nonce }
  }
}
