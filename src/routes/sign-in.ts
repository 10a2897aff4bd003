import type { FastifyInstance } from 'fastify'
import type { RequestMfa, MfaRuntime } from '../mfa/request-mfa.js'
import { ERROR_REPLIES } from '../reply-error.js'
import { SignInBody, VerifyReply } from '../schemas/routes.js'
import { findUserOrFail } from './find-user.js'

/**
 * `POST /sign-in { nonce }` (option `passkeySignIn`): a passkey alone signs the user in, from any
 * state. The nonce must come from a passkey-first ceremony (no transaction: the browser's autofill
 * or its passkey picker), whose user verification makes the passkey both factors; a nonce of a
 * transaction is refused, as a passkey-first nonce is at `POST /verify`. The nonce is spent whatever
 * the outcome and counts as a failed attempt of the address until it succeeds. The session starts
 * anew (a new session ID; a signed-in session it replaces is revoked) in `authenticated`, with a
 * passkey check now, once the host's `issueToken` succeeded.
 */
export async function signInRoute (fastify: FastifyInstance, { runtime }: { runtime: MfaRuntime }): Promise<void> {
  const { engine, options, limiter } = runtime

  fastify.post<{ Body: SignInBody }>('/sign-in', {
    schema: { body: SignInBody, response: { 200: VerifyReply, ...ERROR_REPLIES } }
  }, async (request, reply): Promise<VerifyReply> => {
    const mfa = request.mfa as RequestMfa
    await limiter?.reserve(request, 'address', request.ip)
    let externalId: string
    try {
      externalId = (await engine.redeemNonce(request.body.nonce, { discoverable: true })).externalId
    } catch (error) {
      runtime.audit(request, { type: 'nonce-refused', externalId: null, kind: 'authenticate', code: (error as { code?: string }).code })
      throw error
    }
    runtime.audit(request, { type: 'nonce-redeemed', externalId, kind: 'authenticate' })
    const user = await findUserOrFail(options, externalId, request)
    const next = await mfa.passkeySignIn(externalId)
    const token = await options.issueToken(user, request, reply)
    mfa.commit(next)
    await limiter?.succeeded(request, 'address', request.ip)
    runtime.audit(request, { type: 'passkey-sign-in', externalId })
    return { state: 'authenticated', auth_token: token }
  })
}
