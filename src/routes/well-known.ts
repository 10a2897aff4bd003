import type { FastifyInstance } from 'fastify'
import { Type } from '@sinclair/typebox'

/** Answer of `GET /.well-known/webauthn`: the origins allowed to use the RP ID. */
const WellKnownWebauthnReply = Type.Object({ origins: Type.Array(Type.String()) })

/**
 * `GET /.well-known/webauthn` at the host's root (WebAuthn related origin requests): `{ origins }`,
 * the engine's related origins, which a browser fetches from the RP ID's site before it accepts a
 * ceremony from one of them. Cached for an hour.
 *
 * @example
 * await fastify.register(wellKnownWebauthnRoute, { origins: engine.relatedOrigins })
 */
export async function wellKnownWebauthnRoute (fastify: FastifyInstance, { origins }: { origins: readonly string[] }): Promise<void> {
  const body = { origins: [...origins] }
  fastify.get('/.well-known/webauthn', { schema: { response: { 200: WellKnownWebauthnReply } } }, async (_request, reply) => {
    return reply.header('cache-control', 'public, max-age=3600').send(body)
  })
}
