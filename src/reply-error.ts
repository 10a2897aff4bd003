import type { FastifyError } from 'fastify'
import {
  BodyInvalidError, BodyTooLargeError, InternalError, MediaTypeUnsupportedError
} from './errors.js'

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
