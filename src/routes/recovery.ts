import type { FastifyInstance, FastifyRequest } from 'fastify'
import { authenticatedSession } from '../mfa/guards.js'
import { assertRecentPasskey } from '../mfa/factor-change.js'
import type { MfaRuntime, RequestMfa } from '../mfa/request-mfa.js'
import { StateInvalidError } from '../errors.js'
import { ERROR_REPLIES } from '../reply-error.js'
import { RecoveryBody, RecoveryCodesReply, VerifyReply } from '../schemas/routes.js'
import { findUserOrFail } from './find-user.js'

/**
 * `POST /recovery-codes`: a new set of recovery codes (a factor change: it needs a recent passkey
 * check), answered once. `POST /recovery { code }`: after the first factor, a recovery code stands in
 * for the passkey step. The code is taken atomically and counts as a failed attempt of the account
 * and the address until it succeeds; the session is signed in without a passkey check (`recovered`),
 * the host's token is issued, the user's trusted browsers are revoked, and so are the user's other
 * sessions (`revokeSessionsOnRecovery`).
 */
export async function recoveryRoutes (fastify: FastifyInstance, { runtime }: { runtime: MfaRuntime }): Promise<void> {
  const { engine, options, limiter } = runtime

  fastify.post('/recovery-codes', {
    schema: { response: { 200: RecoveryCodesReply, ...ERROR_REPLIES } }
  }, async (request): Promise<RecoveryCodesReply> => {
    const session = authenticatedSession(request)
    assertRecentPasskey(session, engine.now(), options.factorChangeMaxAgeMs)
    const codes = await engine.generateRecoveryCodes(session.externalId)
    runtime.audit(request, { type: 'recovery-codes-generated', externalId: session.externalId, recoveryCodesLeft: codes.length })
    return { codes }
  })

  fastify.post<{ Body: RecoveryBody }>('/recovery', {
    schema: { body: RecoveryBody, response: { 200: VerifyReply, ...ERROR_REPLIES } }
  }, async (request, reply): Promise<VerifyReply> => {
    const mfa = request.mfa as RequestMfa
    const { externalId } = pastFirstFactor(request)
    // A user the host no longer knows is refused before anything is spent or revoked.
    const user = await findUserOrFail(options, externalId, request)
    await limiter?.reserve(request, 'account', externalId)
    await limiter?.reserve(request, 'address', request.ip)
    let left: number
    try {
      left = await engine.redeemRecoveryCode(externalId, request.body.code)
    } catch (error) {
      runtime.audit(request, { type: 'recovery-code-refused', externalId, code: (error as { code?: string }).code })
      throw error
    }
    const next = mfa.next({ type: 'recovered' })
    // A lost passkey may have been lost with a trusted browser: its trust ends with the user's sessions, or alone.
    const epoch = options.revokeSessionsOnRecovery ? await mfa.revokeUserSessions(externalId) : null
    if (epoch === null) await engine.revokeTrustedBrowsers(externalId)
    const token = await options.issueToken(user, request, reply)
    mfa.commit(next)
    if (epoch !== null) mfa.apply({ type: 'others-revoked', epoch })
    await limiter?.succeeded(request, 'account', externalId)
    await limiter?.succeeded(request, 'address', request.ip)
    runtime.audit(request, { type: 'recovery-code-used', externalId, recoveryCodesLeft: left })
    return { state: 'authenticated', auth_token: token }
  })
}

/** The session of a request past the first factor and before the passkey step, or `FST_PASSKEY_MFA_STATE_INVALID`. */
function pastFirstFactor (request: FastifyRequest): { externalId: string } {
  const session = (request.mfa as RequestMfa).session
  if (session.level !== 'first-factor' && session.level !== 'passkey-pending') throw new StateInvalidError()
  return session
}
