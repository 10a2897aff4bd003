import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * An `onSend` hook that makes every answer of its scope uncacheable (`Cache-Control: no-store`),
 * errors included: the plugin's answers carry account data, transactions and nonces. A route that
 * set its own `Cache-Control` (the public browser bundle) keeps it.
 */
export function noStore (_request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void): void {
  if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store')
  done(null, payload)
}
