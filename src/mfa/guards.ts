import type { FastifyError, FastifyRequest, preHandlerHookHandler } from 'fastify'
import { ArgumentInvalidError, NotAuthenticatedError, StepUpRequiredError } from '../errors.js'
import type { PasskeyEngine } from '../engine/engine.js'
import type { RequestMfa } from './request-mfa.js'
import type { Authenticated } from './state-machine.js'
import { replyWithCode } from '../reply-error.js'
import { hasRecentPasskey } from './factor-change.js'

/**
 * Guards for host routes, as `fastify.mfa`: callback-style preHandlers, as they run on every request
 * of the routes they protect.
 */
export interface MfaGuards {
  /** preHandler: only sessions that completed the passkey step pass (`FST_PASSKEY_MFA_NOT_AUTHENTICATED`). */
  requireAuthenticated: preHandlerHookHandler
  /**
   * preHandler factory: only sessions whose last passkey check is at most `maxAgeSeconds` old pass
   * (`FST_PASSKEY_MFA_STEP_UP_REQUIRED`); the browser then runs `POST {prefix}/authenticate` and `/verify`.
   */
  requireRecentPasskey: (maxAgeSeconds: number) => preHandlerHookHandler
}

/** The guards, on the engine's clock. */
export function createGuards (engine: PasskeyEngine): MfaGuards {
  return {
    requireAuthenticated: guard(function requireAuthenticated (request) {
      authenticatedSession(request)
    }),
    requireRecentPasskey (maxAgeSeconds) {
      if (!Number.isFinite(maxAgeSeconds) || maxAgeSeconds <= 0) throw new ArgumentInvalidError('maxAgeSeconds must be a positive number')
      const maxAgeMs = maxAgeSeconds * 1000
      return guard(function requireRecentPasskey (request) {
        if (!hasRecentPasskey(authenticatedSession(request), engine.now(), maxAgeMs)) throw new StepUpRequiredError()
      })
    }
  }
}

/**
 * A callback-style preHandler that runs `check`, which throws a coded error to refuse the request.
 * It answers the refusal itself, as the plugin's routes do ({@link replyWithCode}: a 4xx logged at
 * info without a stack), whatever error handler the host's route has: the host's would answer in
 * its own shape, and Fastify's default one logs every refusal with its stack.
 */
function guard (check: (request: FastifyRequest) => void): preHandlerHookHandler {
  return function (request, reply, done) {
    try {
      check(request)
    } catch (error) {
      replyWithCode(error as FastifyError, request, reply)
      return
    }
    done()
  }
}

/** The authenticated session of `request` (touched for its idle timeout), or `FST_PASSKEY_MFA_NOT_AUTHENTICATED`. */
export function authenticatedSession (request: FastifyRequest): Authenticated {
  const mfa = request.mfa as RequestMfa
  const session = mfa.session
  if (session.level !== 'authenticated') throw new NotAuthenticatedError()
  mfa.touch()
  return session
}
