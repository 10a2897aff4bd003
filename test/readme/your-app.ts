import type { FastifyReply, FastifyRequest } from 'fastify'
import type { MfaUser } from '../../src/index.js'

/** The host's own parts that the README's snippet (`snippet.ts`) uses: just enough to type-check it. */
export declare const users: {
  findByExternalId: (externalId: string) => Promise<MfaUser | null>
  checkPassword: (email: string, password: string) => Promise<MfaUser | null>
  resetPassword: (email: string, password: string) => Promise<MfaUser | null>
}

export declare const sessions: {
  create: (externalId: string) => Promise<string>
}

export declare function deleteAccount (request: FastifyRequest, reply: FastifyReply): Promise<void>
