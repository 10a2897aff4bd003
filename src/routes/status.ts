import type { FastifyInstance } from 'fastify'
import type { MfaRuntime, NextStep, RequestMfa } from '../mfa/request-mfa.js'
import { ERROR_REPLIES } from '../reply-error.js'
import { StatusReply } from '../schemas/routes.js'

/** `GET /status`: the session's state, what the user must do next, and until when. */
export async function statusRoute (fastify: FastifyInstance, { runtime }: { runtime: MfaRuntime }): Promise<void> {
  fastify.get('/status', {
    schema: { response: { 200: StatusReply, ...ERROR_REPLIES } }
  }, async (request): Promise<StatusReply> => {
    const session = (request.mfa as RequestMfa).session
    if (session.level === 'anonymous') return { state: 'anonymous', next: 'first-factor', hasPasskeys: false, pendingUntil: null }
    const hasPasskeys = (await runtime.engine.listPasskeys(session.externalId)).length > 0
    if (session.level === 'authenticated') return { state: 'authenticated', next: 'done', hasPasskeys, pendingUntil: null }
    const next: NextStep = hasPasskeys ? 'authenticate' : 'enroll'
    return { state: session.level, next, hasPasskeys, pendingUntil: new Date(session.deadline).toISOString() }
  })
}
