import type { FastifyInstance } from 'fastify'
import type { MfaRuntime, NextStep, RequestMfa } from '../mfa/request-mfa.js'
import { ERROR_REPLIES } from '../reply-error.js'
import { StatusReply } from '../schemas/routes.js'

/** `GET /status`: the session's state, what the user must do next, and until when. */
export async function statusRoute (fastify: FastifyInstance, { runtime }: { runtime: MfaRuntime }): Promise<void> {
  const { engine, options } = runtime
  const trustedBrowserLifetimeMs = options.trustedBrowsers?.maxAgeMs ?? null
  const { passkeySignIn } = options
  fastify.get('/status', {
    schema: { response: { 200: StatusReply, ...ERROR_REPLIES } }
  }, async (request): Promise<StatusReply> => {
    const mfa = request.mfa as RequestMfa
    const session = mfa.session
    const settled = { pendingUntil: null, recoveryCodesLeft: null, recovered: false, trustedBrowserLifetimeMs, passkeySignIn }
    if (session.level === 'anonymous') return { state: 'anonymous', next: 'first-factor', hasPasskeys: false, ...settled }
    const { externalId } = session
    if (session.level === 'authenticated') {
      const [passkeys, recoveryCodesLeft] = await Promise.all([engine.listPasskeys(externalId), engine.countRecoveryCodes(externalId)])
      return { state: 'authenticated', next: 'done', hasPasskeys: passkeys.length > 0, ...settled, recoveryCodesLeft, recovered: mfa.recovered }
    }
    const hasPasskeys = (await engine.listPasskeys(externalId)).length > 0
    const next: NextStep = hasPasskeys ? 'authenticate' : 'enroll'
    return { state: session.level, next, hasPasskeys, ...settled, pendingUntil: new Date(session.deadline).toISOString() }
  })
}
