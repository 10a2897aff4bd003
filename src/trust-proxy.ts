import type { FastifyInstance } from 'fastify'

/**
 * The host's `trustProxy`, when it defeats the per-address limits: `true`, under which `request.ip`
 * is whatever `X-Forwarded-For` claims first, or a hop count, which Fastify 5.12.1 and later ignore
 * (they trust no proxy: every client behind one has its address) and earlier releases also believe
 * from a client that reaches the app directly. `null` for a list of proxy addresses, a function or
 * none. Fastify keeps its options under a symbol only (`initialConfig` leaves `trustProxy` out).
 */
export function unsafeTrustProxy (fastify: FastifyInstance): true | number | null {
  for (let instance: object | null = fastify; instance !== null; instance = Object.getPrototypeOf(instance)) {
    const symbol = Object.getOwnPropertySymbols(instance).find((candidate) => candidate.description === 'fastify.options')
    if (symbol === undefined) continue
    const { trustProxy } = (instance as Record<symbol, { trustProxy?: unknown }>)[symbol]
    return trustProxy === true || typeof trustProxy === 'number' ? trustProxy : null
  }
  return null
}

/** Logs a startup warning when the host's `trustProxy` defeats the per-address limits (see {@link unsafeTrustProxy}). */
export function warnAboutUnsafeTrustProxy (fastify: FastifyInstance): void {
  const trustProxy = unsafeTrustProxy(fastify)
  if (trustProxy === true) {
    fastify.log.warn('passkey-mfa: trustProxy is true, so any client can fake X-Forwarded-For and rotate past the per-address limits; set the addresses of your proxies')
  } else if (trustProxy !== null) {
    fastify.log.warn('passkey-mfa: trustProxy is a hop count, which Fastify 5.12.1 and later ignore (every client gets your proxy\'s address and shares its limits) and earlier releases also believe from clients that reach the app directly; set the addresses of your proxies')
  }
}
