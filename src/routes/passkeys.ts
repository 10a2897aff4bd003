import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { PasskeyInfo } from '../engine/passkeys.js'
import { authenticatedSession } from '../mfa/guards.js'
import { assertRecentPasskey } from '../mfa/factor-change.js'
import type { MfaRuntime, RequestMfa } from '../mfa/request-mfa.js'
import { ERROR_REPLIES } from '../reply-error.js'
import { PasskeyListReply, PasskeyParams, PasskeyView, RenameBody } from '../schemas/routes.js'
import { syncHook } from '../sync-hook.js'
import { authenticatorIconUrls } from './authenticator-icons.js'
import { findUserOrFail } from './find-user.js'

/**
 * `GET /passkeys`, `PATCH /passkeys/:id` (rename) and `DELETE /passkeys/:id`, for authenticated
 * sessions; renaming and removing are factor changes, which need a recent passkey authentication.
 * Removing a passkey ends the user's other sessions (`revokeSessionsOnPasskeyRemoval`).
 */
export async function passkeyRoutes (fastify: FastifyInstance, { runtime }: { runtime: MfaRuntime }): Promise<void> {
  const { engine, options, revoked } = runtime
  fastify.addHook('preHandler', syncHook((request) => { authenticatedSession(request) }))

  fastify.get('/passkeys', {
    schema: { response: { 200: PasskeyListReply, ...ERROR_REPLIES } }
  }, async (request) => {
    const externalId = externalIdOf(request)
    const [passkeys, { displayName }] = await Promise.all([engine.listPasskeys(externalId), findUserOrFail(options, externalId, request)])
    return {
      passkeys: passkeys.map((passkey) => toView(passkey, fastify.prefix)),
      rpId: engine.rpId,
      user: { id: passkeys[0]?.userHandle ?? null, name: displayName, displayName }
    }
  })

  fastify.patch<{ Params: PasskeyParams, Body: RenameBody }>('/passkeys/:id', {
    schema: { params: PasskeyParams, body: RenameBody, response: { 200: PasskeyView, ...ERROR_REPLIES } }
  }, async (request) => {
    const externalId = factorChanger(request)
    const passkey = await engine.renamePasskey(externalId, request.params.id, request.body.name)
    runtime.audit(request, { type: 'passkey-renamed', externalId, passkeyId: passkey.id })
    return toView(passkey, fastify.prefix)
  })

  fastify.delete<{ Params: PasskeyParams }>('/passkeys/:id', {
    schema: { params: PasskeyParams, response: { 204: { type: 'null' }, ...ERROR_REPLIES } }
  }, async (request, reply) => {
    const externalId = factorChanger(request)
    const keepOne = await options.policy(await findUserOrFail(options, externalId, request)) !== 'optional'
    const revokeSessionsUntil = options.revokeSessionsOnPasskeyRemoval ? revoked.userRevocationExpiry() : null
    const position = await engine.revokePasskey(externalId, request.params.id, { keepOne, revokeSessionsUntil })
    runtime.audit(request, { type: 'passkey-revoked', externalId, passkeyId: request.params.id })
    if (position !== null) {
      revoked.noteUserRevocation(externalId, position)
      ;(request.mfa as RequestMfa).apply({ type: 'others-revoked', epoch: position })
      runtime.audit(request, { type: 'sessions-revoked', externalId })
    }
    return reply.code(204).send()
  })

  /** The user of a session that may change factors now, or the coded refusal. */
  function factorChanger (request: FastifyRequest): string {
    const session = authenticatedSession(request)
    assertRecentPasskey(session, engine.now(), options.factorChangeMaxAgeMs)
    return session.externalId
  }
}

function externalIdOf (request: FastifyRequest): string {
  return authenticatedSession(request).externalId
}

/** A passkey as answered, its icon's URLs under `prefix`. */
function toView (passkey: PasskeyInfo, prefix: string): PasskeyView {
  const { userHandle, createdAt, lastUsedAt, ...rest } = passkey
  return {
    ...rest,
    icon: authenticatorIconUrls(prefix, passkey.aaguid),
    createdAt: createdAt.toISOString(),
    lastUsedAt: lastUsedAt?.toISOString() ?? null
  }
}
