import type { FastifyInstance } from 'fastify'
import { StateInvalidError } from '../errors.js'
import type { MfaRuntime, RequestMfa } from '../mfa/request-mfa.js'
import { ERROR_REPLIES } from '../reply-error.js'
import { VerifyBody, VerifyReply } from '../schemas/routes.js'
import { assertMayTrust, setTrustCookie, trustBrowser } from '../mfa/browser-trust.js'
import { findUserOrFail } from './find-user.js'

/**
 * `POST /verify`: redeems the nonce of the browser's ceremony. It must have been issued for the
 * transaction this session recorded, of that transaction's kind, for this session's user; the nonce
 * is spent whatever the outcome. Completing a sign-in calls the host's `issueToken`, and the session
 * moves only once that succeeded. With `trustBrowser`, a passkey authentication also trusts this
 * browser (trusted browsers on).
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
    const trusting = request.body.trustBrowser === true
    if (trusting) assertMayTrust(runtime, transaction.kind)
    try {
      await engine.redeemNonce(request.body.nonce, { transactionId: transaction.id, kind: transaction.kind, externalId })
    } catch (error) {
      runtime.audit(request, { type: 'nonce-refused', externalId, kind: transaction.kind, code: (error as { code?: string }).code })
      throw error
    }
    runtime.audit(request, { type: 'nonce-redeemed', externalId, kind: transaction.kind })
    const next = mfa.next({ type: 'verified' })
    const signingIn = session.level === 'passkey-pending'
    const user = signingIn ? await findUserOrFail(options, externalId, request) : null
    const trust = trusting ? await trustBrowser(runtime, request, externalId) : null
    const token = user === null ? undefined : await options.issueToken(user, request, reply)
    mfa.commit(next)
    if (trust !== null) setTrustCookie(runtime, request, reply, externalId, trust)
    if (transaction.kind === 'authenticate') await runtime.limiter?.succeeded(request, 'account', externalId)
    return token === undefined ? { state: 'authenticated' } : { state: 'authenticated', auth_token: token }
  })
}
