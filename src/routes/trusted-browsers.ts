import type { FastifyInstance } from 'fastify'
import type { TrustedBrowserInfo } from '../engine/trusted-browsers.js'
import { authenticatedSession } from '../mfa/guards.js'
import type { MfaRuntime, RequestMfa } from '../mfa/request-mfa.js'
import { ERROR_REPLIES } from '../reply-error.js'
import { TrustedBrowserListReply, TrustedBrowserParams } from '../schemas/routes.js'
import type { TrustedBrowserView } from '../schemas/routes.js'
import { syncHook } from '../sync-hook.js'

/**
 * `GET /trusted-browsers`, `DELETE /trusted-browsers/:id` and `DELETE /trusted-browsers`, for
 * authenticated sessions. Revoking needs no fresh passkey check: it only takes a shortcut away, and
 * the user must be able to do it from any signed-in device. Revoking this browser clears its cookie.
 */
export async function trustedBrowserRoutes (fastify: FastifyInstance, { runtime }: { runtime: MfaRuntime }): Promise<void> {
  const { engine } = runtime
  fastify.addHook('preHandler', syncHook((request) => { authenticatedSession(request) }))

  fastify.get('/trusted-browsers', {
    schema: { response: { 200: TrustedBrowserListReply, ...ERROR_REPLIES } }
  }, async (request): Promise<TrustedBrowserListReply> => {
    const { externalId } = authenticatedSession(request)
    const browsers = await engine.listTrustedBrowsers(externalId, tokenOf(request.mfa as RequestMfa))
    return { trustedBrowsers: browsers.map(toView) }
  })

  fastify.delete<{ Params: TrustedBrowserParams }>('/trusted-browsers/:id', {
    schema: { params: TrustedBrowserParams, response: { 204: { type: 'null' }, ...ERROR_REPLIES } }
  }, async (request, reply) => {
    const { externalId } = authenticatedSession(request)
    const current = (await engine.listTrustedBrowsers(externalId, tokenOf(request.mfa as RequestMfa))).find(({ current }) => current)
    await engine.revokeTrustedBrowser(externalId, request.params.id)
    if (current?.id === request.params.id) runtime.trustedCookie?.clear(reply)
    runtime.audit(request, { type: 'trusted-browser-revoked', externalId, trustedBrowserId: request.params.id })
    return reply.code(204).send()
  })

  fastify.delete('/trusted-browsers', {
    schema: { response: { 204: { type: 'null' }, ...ERROR_REPLIES } }
  }, async (request, reply) => {
    const { externalId } = authenticatedSession(request)
    await engine.revokeTrustedBrowsers(externalId)
    if (tokenOf(request.mfa as RequestMfa) !== undefined) runtime.trustedCookie?.clear(reply)
    runtime.audit(request, { type: 'trusted-browser-revoked', externalId })
    return reply.code(204).send()
  })
}

function tokenOf (mfa: RequestMfa): string | undefined {
  return mfa.trustedBrowserToken ?? undefined
}

function toView ({ createdAt, lastUsedAt, expiresAt, ...rest }: TrustedBrowserInfo): TrustedBrowserView {
  return { ...rest, createdAt: createdAt.toISOString(), lastUsedAt: lastUsedAt.toISOString(), expiresAt: expiresAt.toISOString() }
}
