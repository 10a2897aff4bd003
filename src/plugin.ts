import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { audit, auditInstance } from './audit.js'
import type { AuditEventType } from './audit.js'
import { engineRoutes } from './engine/routes.js'
import { AttemptLimiter } from './limits/attempt-limiter.js'
import { RefusalEvents } from './limits/refusal-events.js'
import { registerRequestLimits } from './limits/request-limits.js'
import { refuseCrossSite } from './mfa/cross-site.js'
import { createMfaInstance } from './mfa/instance.js'
import { RequestMfa } from './mfa/request-mfa.js'
import type { MfaRuntime } from './mfa/request-mfa.js'
import { RevokedSessions } from './mfa/revoked-sessions.js'
import { SessionCookie } from './mfa/session-cookie.js'
import { TrustedBrowserCookie } from './mfa/trusted-browser-cookie.js'
import { registerSessionSeal } from './mfa/session-seal.js'
import { resolveOptions } from './options.js'
import type { MfaUser, PasskeyMfaOptions } from './options.js'
import { replyWithCode } from './reply-error.js'
import { noStore } from './no-store.js'
import { warnAboutUnsafeTrustProxy } from './trust-proxy.js'
import { clientScriptRoute } from './routes/client-script.js'
import { notFoundRoute } from './routes/not-found.js'
import { logoutRoutes } from './routes/logout.js'
import { passkeyRoutes } from './routes/passkeys.js'
import { signInRoute } from './routes/sign-in.js'
import { recoveryRoutes } from './routes/recovery.js'
import { statusRoute } from './routes/status.js'
import { trustedBrowserRoutes } from './routes/trusted-browsers.js'
import { transactionRoutes } from './routes/transactions.js'
import { verifyRoute } from './routes/verify.js'
import { wellKnownWebauthnRoute } from './routes/well-known.js'
import { authenticatorIconRoute } from './routes/authenticator-icons.js'

const kMfa = Symbol('passkey-mfa.request')

type RequestWithMfa = FastifyRequest & { [kMfa]: RequestMfa | null }

/**
 * The plugin: `request.mfa`, `fastify.mfa` guards, the host routes and the ceremony routes under `prefix`.
 * Generic in the host's user type, which `findUser` sets and `issueToken` and `policy` receive.
 */
export async function passkeyMfa<User extends MfaUser = MfaUser> (fastify: FastifyInstance, pluginOptions: PasskeyMfaOptions<User>): Promise<void> {
  const options = resolveOptions(pluginOptions)
  warnAboutUnsafeTrustProxy(fastify)
  const { engine, lifetimes, prefix } = options
  if (options.ownsEngine) fastify.addHook('onClose', async () => engine.close())
  await engine.ready()
  if (options.sqlitePath !== null) fastify.log.info({ sqlitePath: options.sqlitePath }, 'passkey-mfa: passkeys are stored in SQLite')

  const seal = await registerSessionSeal(fastify, options.sessionKey, Math.ceil((lifetimes.absolute + lifetimes.pending) / 1000))
  const cookie = new SessionCookie(seal, { name: options.cookieName, secure: options.secure, sameSite: options.sameSite })
  const { limits, onEvent } = options
  const revoked = new RevokedSessions(engine, {
    syncMs: options.revocationSyncMs,
    maxStalenessMs: options.revocationMaxStalenessMs,
    sessionLifetimeMs: lifetimes.pending + lifetimes.absolute,
    onHealth: (health, error) => {
      const type: AuditEventType = health === 'stale' ? 'revocation-sync-stale' : 'revocation-sync-recovered'
      const { code } = (error ?? {}) as { code?: string }
      const details = code === undefined ? { type, externalId: null } : { type, externalId: null, code }
      auditInstance(fastify.log, health === 'stale' ? 'error' : 'info', onEvent, details, engine.now())
    }
  })
  await revoked.start()
  fastify.addHook('onClose', async () => revoked.stop())
  const record: MfaRuntime['audit'] = (request, details) => { audit(request, onEvent, details, engine.now()) }
  const refusals = new RefusalEvents(engine.now, (request, scope, retryAfterSeconds) => {
    record(request, { type: 'rate-limited', externalId: scope === 'address' ? null : request.mfa.externalId, scope, retryAfterSeconds })
  })
  const limiter = limits === null
    ? null
    : new AttemptLimiter(limits, engine.now, (request, scope, retryAfterSeconds, lockedOut) => {
      if (!lockedOut) refusals.refused(request, 'attempts', scope, retryAfterSeconds)
      else record(request, { type: 'locked-out', externalId: scope === 'account' ? request.mfa.externalId : null, scope, retryAfterSeconds })
    })
  const trustedCookie = options.trustedBrowsers === null
    ? null
    : new TrustedBrowserCookie({ name: options.trustedBrowsers.cookieName, secure: options.secure, sameSite: options.sameSite })
  const runtime: MfaRuntime = { options, engine, cookie, trustedCookie, revoked, audit: record, limiter, transactionCaps: null }

  fastify.decorateRequest(kMfa, null)
  fastify.decorateRequest('mfa', {
    getter (this: FastifyRequest) {
      const request = this as RequestWithMfa
      request[kMfa] ??= new RequestMfa(runtime, request)
      return request[kMfa]
    }
  })
  fastify.decorate('mfa', createMfaInstance(runtime, fastify.log))
  fastify.addHook('onSend', (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: (error: null, payload: unknown) => void) => {
    (request as RequestWithMfa)[kMfa]?.save(reply)
    done(null, payload)
  })

  // Rate limits apply to the routes registered in this scope only, never to the host's.
  await fastify.register(async function passkeyMfaLimitedRoutes (limited) {
    if (limits !== null) {
      runtime.transactionCaps = await registerRequestLimits(limited, limits, (request, scope, retryAfterSeconds) => {
        refusals.refused(request, 'requests', scope, retryAfterSeconds)
      })
    }
    await limited.register(async function passkeyMfaRoutes (scope) {
      scope.setValidatorCompiler(TypeBoxValidatorCompiler)
      scope.setErrorHandler(replyWithCode)
      scope.addHook('onRequest', refuseCrossSite([...engine.origins, ...engine.relatedOrigins], record))
      scope.addHook('onSend', noStore)
      await scope.register(transactionRoutes, { runtime })
      await scope.register(verifyRoute, { runtime })
      await scope.register(statusRoute, { runtime })
      await scope.register(passkeyRoutes, { runtime })
      await scope.register(authenticatorIconRoute)
      await scope.register(recoveryRoutes, { runtime })
      if (options.passkeySignIn) await scope.register(signInRoute, { runtime })
      await scope.register(trustedBrowserRoutes, { runtime })
      await scope.register(logoutRoutes, { runtime })
      await scope.register(clientScriptRoute, {})
      await scope.register(notFoundRoute)
    }, { prefix })
    await limited.register(engineRoutes, { engine, corsOrigins: options.corsOrigins, prefix, onEvent, limiter, passkeySignIn: options.passkeySignIn })
  })
  if (options.wellKnownWebauthn) await fastify.register(wellKnownWebauthnRoute, { origins: engine.relatedOrigins })
}
