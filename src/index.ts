import type { FastifyBaseLogger, FastifyInstance, FastifyRegisterOptions, FastifyTypeProvider, RawServerBase, RawServerDefault } from 'fastify'
import fp from 'fastify-plugin'
import type { MfaInstance } from './mfa/instance.js'
import type { MfaRequest } from './mfa/request-mfa.js'
import type { MfaUser, PasskeyMfaOptions } from './options.js'
import { passkeyMfa } from './plugin.js'

/**
 * The plugin's type: for every host user type `User`, a `FastifyPluginAsync<PasskeyMfaOptions<User>>`.
 * `app.register` infers `User` from what `findUser` returns (or name it: `fastifyPasskeyMfa<AppUser>`).
 */
export interface FastifyPasskeyMfa {
  <User extends MfaUser = MfaUser> (instance: FastifyInstance, options: PasskeyMfaOptions<User>): Promise<void>
  /**
   * Types only: Fastify's own `register` overloads take a plugin's options from its last signature;
   * this one fails them, so that the `register` overload declared below infers `User`.
   */
  (instance: FastifyInstance, options: PasskeyMfaOptions<never>): Promise<void>
}

declare module 'fastify' {
  interface FastifyRegister<
    T = void,
    RawServer extends RawServerBase = RawServerDefault,
    TypeProviderDefault extends FastifyTypeProvider = FastifyTypeProvider,
    LoggerDefault extends FastifyBaseLogger = FastifyBaseLogger
  > {
    /** Registers `fastify-passkey-mfa`, with `User` inferred from `findUser`. */
    <User extends MfaUser> (plugin: FastifyPasskeyMfa, options: FastifyRegisterOptions<PasskeyMfaOptions<User>>): T
  }
  interface FastifyRequest {
    /** The MFA session of this request (read from its cookie on first use). */
    mfa: MfaRequest
  }
  interface FastifyInstance {
    /** Guards for host routes, and `revokeUserSessions`. */
    mfa: MfaInstance
  }
}

/**
 * Passkey multi-factor authentication for Fastify.
 *
 * @example
 * await app.register(fastifyPasskeyMfa, {
 *   sessionKey: Buffer.from(process.env.MFA_SESSION_KEY, 'base64'),
 *   engine: { rpId: 'example.com', rpName: 'Example', origins: ['https://example.com'] },
 *   findUser: async (externalId) => users.byExternalId(externalId),
 *   issueToken: async (user) => tokens.issue(user.externalId)
 * })
 * app.get('/account', { preHandler: app.mfa.requireAuthenticated }, handler)
 */
const fastifyPasskeyMfa = fp(passkeyMfa, { fastify: '5.x', name: 'fastify-passkey-mfa' }) as FastifyPasskeyMfa
export default fastifyPasskeyMfa
export { fastifyPasskeyMfa }
export type { MfaGuards } from './mfa/guards.js'
export type { MfaInstance, PasskeyUserDetails } from './mfa/instance.js'
export type { MfaRequest, NextStep } from './mfa/request-mfa.js'
export type { MfaLevel } from './mfa/state-machine.js'
export type { MfaPolicy, MfaUser, PasskeyMfaOptions, PluginEngineOptions } from './options.js'
export type { AuditEvent, AuditEventType, AuditListener } from './audit.js'
export type { LimitsOptions, RateWindow, RedisClient } from './limits/options.js'
export type { CompletedCeremony, FinishedCeremony } from './engine/rejection.js'
export { PasskeyEngine } from './engine/engine.js'
export type { EngineOptions, EngineLogger, PasskeyAlgorithm } from './engine/options.js'
export type { PasskeyInfo, RevokePasskeyOptions } from './engine/passkeys.js'
export type { ExpectedClaims } from './engine/nonces.js'
export type { AuthenticatorAttachment, BeginRegistrationArgs, BegunRegistration, StartedRegistration } from './engine/registration/start-registration.js'
export type { BegunAuthentication, StartedAuthentication } from './engine/authentication/start-authentication.js'
export type { CompleteAuthenticationArgs } from './engine/authentication/finish-authentication.js'
export type { CompleteRegistrationArgs } from './engine/registration/finish-registration.js'
export type { CreateAuthenticateTransactionArgs, CreateRegisterTransactionArgs } from './engine/transactions.js'
export { engineRoutes } from './engine/routes.js'
export type { EngineRoutesOptions } from './engine/routes.js'
export type {
  AddPasskeyResult, AuthenticationStart, CeremonyKind, EraseScope, HandshakeRecord, NonceClaims, NonceRecord, PasskeyRecord, PasskeyStore,
  PasskeyUse, Revocation, TakenTransaction, TransactionRecord, TrustedBrowserRecord
} from './engine/store.js'
export type { BrowserTrust, TrustedBrowserInfo } from './engine/trusted-browsers.js'
export type { UserDescription } from './engine/users.js'
export { MemoryStore } from './engine/stores/memory.js'
export { SqliteStore } from './engine/stores/sqlite.js'
export type { SqliteStoreOptions } from './engine/stores/sqlite.js'
export { PostgresStore } from './engine/stores/postgres.js'
export type { PostgresPool, PostgresStoreOptions } from './engine/stores/postgres.js'
export {
  OptionsInvalidError, BodyInvalidError, AppNotFoundError, TransactionNotFoundError,
  TransactionExpiredError, TransactionKindError, HandshakeInvalidError, HandshakeExpiredError,
  RegistrationRejectedError, CredentialExistsError, AuthenticationRejectedError, NonceInvalidError,
  NonceExpiredError, NonceMismatchError, PasskeyNotFoundError, StoreUnavailableError,
  ArgumentInvalidError, PasskeyNameInvalidError, BodyTooLargeError, MediaTypeUnsupportedError,
  InternalError, NotAuthenticatedError, StateInvalidError, RegistrationForbiddenError,
  StepUpRequiredError, LastPasskeyError, CrossSiteRequestError, UserNotFoundError, ClientNotBuiltError,
  FactorChangeStepUpError, ReauthenticationRequiredError, RouteNotFoundError, RateLimitedError, RecoveryCodeInvalidError,
  TrustedBrowserNotFoundError, AuthenticatorNotAllowedError, AuthenticatorIconNotFoundError, TransactionMismatchError,
  CredentialUnknownError
} from './errors.js'
