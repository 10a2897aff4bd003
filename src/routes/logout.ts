import type { FastifyInstance } from 'fastify'
import type { RequestMfa } from '../mfa/request-mfa.js'
import { ERROR_REPLIES } from '../reply-error.js'
import { LogoutBody, LogoutReply } from '../schemas/routes.js'
import { syncHook } from '../sync-hook.js'

/**
 * `POST /logout`: ends the session in any state; saved copies of its cookie stop passing guards.
 * `{ "everywhere": true }` (authenticated sessions) also ends every other session of the user.
 */
export async function logoutRoute (fastify: FastifyInstance): Promise<void> {
  fastify.post<{ Body: LogoutBody }>('/logout', {
    schema: { body: LogoutBody, response: { 200: LogoutReply, ...ERROR_REPLIES } },
    // A logout without a body (no Content-Type) is the plain one.
    preValidation: syncHook((request) => { request.body ??= {} })
  }, async (request): Promise<LogoutReply> => {
    await (request.mfa as RequestMfa).logout({ everywhere: request.body.everywhere === true })
    return { state: 'anonymous' }
  })
}
