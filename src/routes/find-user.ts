import type { FastifyRequest } from 'fastify'
import { UserNotFoundError } from '../errors.js'
import type { MfaUser, ResolvedOptions } from '../options.js'

/** The host's user for `externalId`; `FST_PASSKEY_MFA_USER_NOT_FOUND` when the host no longer knows them. */
export async function findUserOrFail (options: ResolvedOptions, externalId: string, request: FastifyRequest): Promise<MfaUser> {
  const user = await options.findUser(externalId, request)
  if (user === null) throw new UserNotFoundError()
  return user
}
