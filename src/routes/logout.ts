import type { FastifyInstance } from 'fastify'
import { assertRecentPasskey } from '../mfa/factor-change.js'
import { authenticatedSession } from '../mfa/guards.js'
import type { MfaRuntime, RequestMfa } from '../mfa/request-mfa.js'
import { ERROR_REPLIES } from '../reply-error.js'
import { LogoutBody, LogoutReply, SignOutOthersReply } from '../schemas/routes.js'
import { syncHook } from '../sync-hook.js'

/**
 * `POST /logout`: ends the session in any state; saved copies of its cookie stop passing guards.
 * `{ "everywhere": true }` (authenticated sessions) also ends every other session of the user.
 *
 * `POST /sign-out-others`: ends every other session of the user and keeps this one. It needs a
 * passkey check of the last `factorChangeMaxAgeMs`: with a stolen cookie alone, a thief could
 * otherwise sign the owner out and stay in.
 */
export async function logoutRoutes (fastify: FastifyInstance, { runtime }: { runtime: MfaRuntime }): Promise<void> {
  const { engine, options } = runtime
  fastify.post<{ Body: LogoutBody }>('/logout', {
    schema: { body: LogoutBody, response: { 200: LogoutReply, ...ERROR_REPLIES } },
    // A logout without a body (no Content-Type) is the plain one.
    preValidation: syncHook((request) => { request.body ??= {} })
  }, async (request): Promise<LogoutReply> => {
    await (request.mfa as RequestMfa).logout({ everywhere: request.body.everywhere === true })
    return { state: 'anonymous' }
  })

  fastify.post('/sign-out-others', {
    schema: { response: { 200: SignOutOthersReply, ...ERROR_REPLIES } }
  }, async (request): Promise<SignOutOthersReply> => {
    const session = authenticatedSession(request)
    assertRecentPasskey(session, engine.now(), options.factorChangeMaxAgeMs)
    const mfa = request.mfa as RequestMfa
    mfa.apply({ type: 'others-revoked', epoch: await mfa.revokeUserSessions(session.externalId) })
    return { state: 'authenticated' }
  })
}
