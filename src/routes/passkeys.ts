import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { PasskeyInfo } from '../engine/passkeys.js'
import { authenticatedSession } from '../mfa/guards.js'
import type { MfaRuntime } from '../mfa/request-mfa.js'
import { ERROR_REPLIES } from '../reply-error.js'
import { PasskeyListReply, PasskeyParams, PasskeyView, RenameBody } from '../schemas/routes.js'
import { syncHook } from '../sync-hook.js'
import { findUserOrFail } from './find-user.js'

/** `GET /passkeys`, `PATCH /passkeys/:id` (rename) and `DELETE /passkeys/:id`, for authenticated sessions. */
export async function passkeyRoutes (fastify: FastifyInstance, { runtime }: { runtime: MfaRuntime }): Promise<void> {
  const { engine, options } = runtime
  fastify.addHook('preHandler', syncHook((request) => { authenticatedSession(request) }))

  fastify.get('/passkeys', {
    schema: { response: { 200: PasskeyListReply, ...ERROR_REPLIES } }
  }, async (request) => {
    const passkeys = await engine.listPasskeys(externalIdOf(request))
    return { passkeys: passkeys.map(toView) }
  })

  fastify.patch<{ Params: PasskeyParams, Body: RenameBody }>('/passkeys/:id', {
    schema: { params: PasskeyParams, body: RenameBody, response: { 200: PasskeyView, ...ERROR_REPLIES } }
  }, async (request) => {
    const externalId = externalIdOf(request)
    const passkey = await engine.renamePasskey(externalId, request.params.id, request.body.name)
    runtime.audit(request, { type: 'passkey-renamed', externalId, passkeyId: passkey.id })
    return toView(passkey)
  })

  fastify.delete<{ Params: PasskeyParams }>('/passkeys/:id', {
    schema: { params: PasskeyParams, response: { 204: { type: 'null' }, ...ERROR_REPLIES } }
  }, async (request, reply) => {
    const externalId = externalIdOf(request)
    const keepOne = await options.policy(await findUserOrFail(options, externalId, request)) !== 'optional'
    await engine.revokePasskey(externalId, request.params.id, keepOne)
    runtime.audit(request, { type: 'passkey-revoked', externalId, passkeyId: request.params.id })
    return reply.code(204).send()
  })
}

function externalIdOf (request: FastifyRequest): string {
  return authenticatedSession(request).externalId
}

function toView (passkey: PasskeyInfo): PasskeyView {
  const { credentialId, createdAt, lastUsedAt, ...rest } = passkey
  return { ...rest, createdAt: createdAt.toISOString(), lastUsedAt: lastUsedAt?.toISOString() ?? null }
}
