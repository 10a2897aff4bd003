import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import {
  BodyInvalidError, BodyTooLargeError, InternalError, MediaTypeUnsupportedError
} from './errors.js'
import { ErrorReply } from './schemas/wire.js'

/** Response schemas of every error answer of the plugin's routes. */
export const ERROR_REPLIES = { '4xx': ErrorReply, '5xx': ErrorReply }

/** An error as this library answers it: a coded `FST_PASSKEY_MFA_*` error with a 4xx or 503 status. */
export interface CodedError {
  statusCode: number
  code: string
  message: string
}

/**
 * The coded error to answer for `error`: our own errors as they are, Fastify's validation and body
 * parsing failures as `FST_PASSKEY_MFA_BODY_*`, anything else as a generic 500.
 */
export function toCodedError (error: FastifyError): CodedError {
  const status = error.statusCode ?? 500
  if (error.code?.startsWith('FST_PASSKEY_MFA_') && status !== 500) return error as CodedError
  if (error.validation !== undefined) return new BodyInvalidError(error.message)
  if (status === 413) return new BodyTooLargeError()
  if (status === 415) return new MediaTypeUnsupportedError()
  if (status >= 400 && status < 500) return new BodyInvalidError(error.message)
  return new InternalError()
}

/** The answer to `error`: `{ statusCode, code, error, message }`, `error` being the HTTP reason phrase. */
function errorBody ({ statusCode, code, message }: CodedError): ErrorReply {
  return { statusCode, code, error: STATUS_CODES[statusCode] as string, message }
}

type ErrorHandler = (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => FastifyReply

function errorHandler (bodyOf: (coded: CodedError) => ErrorReply): ErrorHandler {
  return function (error, request, reply) {
    const coded = toCodedError(error)
    const { statusCode, code } = coded
    if (statusCode === 500) request.log.error({ err: error }, 'passkey-mfa: request failed')
    else if (statusCode === 503) request.log.warn({ err: error, code }, 'passkey-mfa: store unavailable')
    else request.log.info({ statusCode, code, reason: (error as { reason?: string }).reason }, 'passkey-mfa: request refused')
    const { retryAfterSeconds } = error as { retryAfterSeconds?: number }
    if (retryAfterSeconds !== undefined) reply.header('retry-after', retryAfterSeconds)
    return reply.code(statusCode).send(bodyOf(coded))
  }
}

/**
 * The error handler of the plugin's routes: answers {@link errorBody} (a rate-limited answer adds
 * `Retry-After`), logs refusals at info with their code and reason, and unexpected failures with
 * their stack, without sending their details.
 */
export const replyWithCode = errorHandler(errorBody)

/**
 * The error handler of the engine's Passage-compatible routes: as {@link replyWithCode}, but `error`
 * repeats the message, which Passage's browser SDK shows as the message of its `PassageError`.
 */
export const replyToPassageSdk = errorHandler((coded) => ({ ...errorBody(coded), error: coded.message }))
