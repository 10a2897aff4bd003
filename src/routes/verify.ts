import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { CompletedCeremony } from '../engine/rejection.js'
import { toAuthenticationResponse, toRegistrationResponse } from '../engine/wire-responses.js'
import { BodyInvalidError, StateInvalidError, TransactionMismatchError } from '../errors.js'
import type { MfaRuntime, RequestMfa } from '../mfa/request-mfa.js'
import type { PendingTransaction } from '../mfa/state-machine.js'
import { ERROR_REPLIES } from '../reply-error.js'
import { VerifyBody, VerifyReply } from '../schemas/routes.js'
import type { CeremonyVerifyBody } from '../schemas/routes.js'
import type { AuthenticationAnswer, RegistrationAnswer } from '../schemas/wire.js'
import { assertMayTrust, setTrustCookie, trustBrowser } from '../mfa/browser-trust.js'
import { findUserOrFail } from './find-user.js'

/**
 * `POST /verify`: completes the passkey step of the transaction this session recorded, with either
 * - the nonce of a ceremony run over the engine routes: it must have been issued for that
 *   transaction, of its kind, for this session's user, and is spent whatever the outcome; or
 * - `{ transactionId, response }`, the browser's answer to the ceremony `POST /authenticate` or
 *   `/register` began (two requests in all): the transaction must be this session's, and is spent
 *   whatever the outcome; no nonce is issued.
 *
 * Completing a sign-in calls the host's `issueToken`, and the session moves only once that
 * succeeded. With `trustBrowser`, a passkey authentication also trusts this browser (trusted
 * browsers on).
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
    const { body } = request
    const trusting = body.trustBrowser === true
    if (trusting) assertMayTrust(runtime, transaction.kind)
    const next = mfa.next({ type: 'verified' })
    // The user first: a sign-in of a user the host no longer knows is refused before a passkey is added or used.
    const user = session.level === 'passkey-pending' ? await findUserOrFail(options, externalId, request) : null
    if ('nonce' in body) await redeemNonce(request, body.nonce, transaction, externalId)
    else await completeCeremony(request, body, transaction, externalId)
    const trust = trusting ? await trustBrowser(runtime, request, externalId) : null
    const token = user === null ? undefined : await options.issueToken(user, request, reply)
    mfa.commit(next)
    if (trust !== null) setTrustCookie(runtime, request, reply, externalId, trust)
    if (transaction.kind === 'authenticate') await runtime.limiter?.succeeded(request, 'account', externalId)
    return token === undefined ? { state: 'authenticated' } : { state: 'authenticated', auth_token: token }
  })

  async function redeemNonce (request: FastifyRequest, nonce: string, transaction: PendingTransaction, externalId: string): Promise<void> {
    const { kind } = transaction
    try {
      await engine.redeemNonce(nonce, { transactionId: transaction.id, kind, externalId })
    } catch (error) {
      runtime.audit(request, { type: 'nonce-refused', externalId, kind, code: (error as { code?: string }).code })
      throw error
    }
    runtime.audit(request, { type: 'nonce-redeemed', externalId, kind })
  }

  /**
   * Finishes the ceremony of the session's own transaction, as the engine routes' finish would: one
   * attempt of the client's address, and the ceremony events. A transaction ID that is not the
   * session's, or an answer of the other kind, is refused before anything is spent.
   */
  async function completeCeremony (
    request: FastifyRequest, { transactionId, response }: CeremonyVerifyBody, transaction: PendingTransaction, externalId: string
  ): Promise<void> {
    const { kind } = transaction
    if (transactionId !== transaction.id) throw new TransactionMismatchError()
    const registration = 'attestationObject' in response.response
    if (registration !== (kind === 'register')) throw new BodyInvalidError(`response must answer ${kind === 'register' ? 'a registration' : 'an authentication'}`)
    await runtime.limiter?.reserve(request, 'address', request.ip)
    let completed: CompletedCeremony
    try {
      completed = registration
        ? await engine.completeRegistration({
          transactionId, externalId, response: toRegistrationResponse(response as RegistrationAnswer), userAgent: request.headers['user-agent']
        })
        : await engine.completeAuthentication({ transactionId, externalId, response: toAuthenticationResponse(response as AuthenticationAnswer) })
    } catch (error) {
      const { code, reason } = error as { code?: string, reason?: string }
      runtime.audit(request, { type: 'ceremony-failed', kind, externalId, code, reason })
      throw error
    }
    await runtime.limiter?.succeeded(request, 'address', request.ip)
    runtime.audit(request, { type: 'ceremony-succeeded', kind, externalId, passkeyId: completed.passkeyId })
    if (registration) runtime.audit(request, { type: 'passkey-added', externalId, passkeyId: completed.passkeyId })
  }
}
