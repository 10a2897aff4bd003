import type { FastifyInstance } from 'fastify'
import { StateInvalidError } from '../errors.js'
import type { MfaRuntime, RequestMfa } from '../mfa/request-mfa.js'
import { ERROR_REPLIES } from '../reply-error.js'
import { VerifyBody, VerifyReply } from '../schemas/routes.js'
import { findUserOrFail } from './find-user.js'

/**
 * `POST /verify`: redeems the nonce of the browser's ceremony. It must have been issued for the
 * transaction this session recorded, of that transaction's kind, for this session's user; the nonce
 * is spent whatever the outcome. Completing a sign-in calls the host's `issueToken`, and the session
 * moves only once that succeeded.
 */
export async function verifyRoute (fastify: FastifyInstance, { runtime }: { runtime: MfaRuntime }): Promise<void> {
  const { engine, options } = runtime

  fastify.post<{ Body: VerifyBody }>('/verify', {
    schema: { body: VerifyBody, response: { 200: VerifyReply, ...ERROR_REPLIES } }
  }, async (request, reply): Promise<VerifyReply> => {
    const mfa = request.mfa as RequestMfa
    const session = mfa.session
    if (session.level !== 'passkey-pending' && session.level !== 'authenticated') throw new StateInvalidError()
    const { transaction, externalId } = session
    if (transaction === undefined) throw new StateInvalidError()
    try {
      await engine.redeemNonce(request.body.nonce, { transactionId: transaction.id, kind: transaction.kind, externalId })
    } catch (error) {
      runtime.audit(request, { type: 'nonce-refused', externalId, kind: transaction.kind, code: (error as { code?: string }).code })
      throw error
    }
    runtime.audit(request, { type: 'nonce-redeemed', externalId, kind: transaction.kind })
    const next = mfa.next({ type: 'verified' })
    const signingIn = session.level === 'passkey-pending'
    const token = signingIn ? await options.issueToken(await findUserOrFail(options, externalId, request), request, reply) : undefined
    mfa.commit(next)
    if (transaction.kind === 'authenticate') await runtime.limiter?.succeeded(request, 'account', externalId)
    return token === undefined ? { state: 'authenticated' } : { state: 'authenticated', auth_token: token }
  })
}
