import type { FastifyInstance } from 'fastify'
import { syncHook } from '../sync-hook.js'

/**
 * Lets the browsers of `origins` call the routes under `path` cross-origin: `POST` with the headers
 * Passage's SDK sends, no credentials, and `Retry-After` readable (a client tells how long a lock
 * lasts). Other origins get no CORS headers, so browsers refuse them.
 */
export function allowCrossOrigin (fastify: FastifyInstance, path: string, origins: string[]): void {
  fastify.addHook('onRequest', syncHook((request, reply) => {
    const origin = request.headers.origin
    if (origin !== undefined && origins.includes(origin)) {
      reply.header('access-control-allow-origin', origin).header('access-control-expose-headers', 'Retry-After').header('vary', 'Origin')
    }
  }))
  fastify.options(path, async (_request, reply) => {
    if (reply.hasHeader('access-control-allow-origin')) {
      reply
        .header('access-control-allow-methods', 'POST, OPTIONS')
        .header('access-control-allow-headers', 'Content-Type, Passage-Flex-Version')
        .header('access-control-max-age', '600')
    }
    return reply.code(204).send()
  })
}
