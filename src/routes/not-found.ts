import type { FastifyInstance } from 'fastify'
import { RouteNotFoundError } from '../errors.js'

/** How much of a path the refusal repeats. */
const MAX_PATH = 100

/**
 * Answers every unknown method and path under the plugin's prefix (its host routes and the ceremony
 * routes share it) with a coded `404 FST_PASSKEY_MFA_ROUTE_NOT_FOUND`, never Fastify's uncoded one.
 */
export async function notFoundRoute (fastify: FastifyInstance): Promise<void> {
  fastify.setNotFoundHandler((request) => {
    const path = request.url.split('?', 1)[0]!
    throw new RouteNotFoundError(request.method, path.length > MAX_PATH ? `${path.slice(0, MAX_PATH)}…` : path)
  })
}
