import type { FastifyInstance } from 'fastify'

/**
 * Whether the host set `trustProxy: true`, under which `request.ip` is whatever `X-Forwarded-For`
 * claims first. Fastify keeps its options under a symbol only (`initialConfig` leaves `trustProxy` out).
 */
export function trustsEveryProxy (fastify: FastifyInstance): boolean {
  for (let instance: object | null = fastify; instance !== null; instance = Object.getPrototypeOf(instance)) {
    const symbol = Object.getOwnPropertySymbols(instance).find((candidate) => candidate.description === 'fastify.options')
    if (symbol !== undefined) return (instance as Record<symbol, { trustProxy?: unknown }>)[symbol]?.trustProxy === true
  }
  return false
}
