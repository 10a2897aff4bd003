import type { FastifyInstance } from 'fastify'
import type { RequestMfa } from '../mfa/request-mfa.js'
import { ERROR_REPLIES } from '../reply-error.js'
import { LogoutReply } from '../schemas/routes.js'

/** `POST /logout`: ends the session in any state; saved copies of its cookie stop passing guards. */
export async function logoutRoute (fastify: FastifyInstance): Promise<void> {
  fastify.post('/logout', {
    schema: { response: { 200: LogoutReply, ...ERROR_REPLIES } }
  }, async (request): Promise<LogoutReply> => {
    await (request.mfa as RequestMfa).logout()
    return { state: 'anonymous' }
  })
}
