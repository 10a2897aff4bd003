import { checkDuration, checkOption } from './check-option.js'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { PasskeyEngine } from './engine/engine.js'
import type { EngineOptions } from './engine/options.js'
import type { PasskeyStore } from './engine/store.js'
import { SqliteStore } from './engine/stores/sqlite.js'
import { MAX_TRUST_MS } from './engine/trusted-browsers.js'
import type { MfaLifetimes } from './mfa/state-machine.js'
import type { AuditListener } from './audit.js'
import { resolveLimits } from './limits/options.js'
import type { LimitsOptions, ResolvedLimits } from './limits/options.js'

/** A user as the plugin needs to know them. */
export interface MfaUser {
  /** The host's ID for the user: stable, not secret, not an email (it is stored with each passkey). */
  externalId: string
  /** Shown by authenticators next to the passkey, e.g. the user's email. */
  displayName: string
}

/** `required`: every user must have and use a passkey. `optional`: users without one pass on the first factor. */
export type MfaPolicy = 'required' | 'optional'

/** Engine settings for an engine the plugin makes (and closes) itself. */
export type PluginEngineOptions = Omit<EngineOptions, 'appId' | 'store'> & {
  /** Default `'default'`. */
  appId?: string
  /** Default: an {@link SqliteStore} in `sqlitePath`. */
  store?: PasskeyStore
  /** The SQLite file used when no store is given; default `passkey-mfa.db` in the working directory. */
  sqlitePath?: string
}

/** Options of the `fastify-passkey-mfa` plugin. */
export interface PasskeyMfaOptions<User extends MfaUser = MfaUser> {
  /** 32-byte key(s) that seal the session cookie; the first seals, all open (for rotation). */
  sessionKey: Buffer | Buffer[]
  /** Looks a user up by external ID; `null` when there is none. */
  findUser: (externalId: string, request: FastifyRequest) => Promise<User | null>
  /** Issues the host's token once the passkey step is done; returned to the browser as `auth_token`. */
  issueToken: (user: User, request: FastifyRequest, reply: FastifyReply) => Promise<string>
  /** Default `'required'`. */
  policy?: MfaPolicy | ((user: User) => MfaPolicy | Promise<MfaPolicy>)
  /** An engine to use (the host closes it), or the settings of one the plugin makes. */
  engine: PasskeyEngine | PluginEngineOptions
  /** Where the routes live; default `/passkey`. */
  prefix?: string
  /** Default `__Host-passkey_mfa` when an origin is https (a sibling subdomain cannot plant it), else `passkey_mfa`. */
  cookieName?: string
  /** Default `'lax'`. */
  sameSite?: 'lax' | 'strict'
  /** Deadline of the passkey step after the first factor; at most and by default 5 minutes. */
  pendingLifetimeMs?: number
  /** The authenticated state ends after this long without a guarded request; default 30 minutes. */
  idleTimeoutMs?: number
  /** The authenticated state ends this long after the passkey step, whatever happens; default 12 hours. */
  absoluteLifetimeMs?: number
  /** Origins allowed to call the ceremony routes cross-origin (for Passage's SDK on another host). */
  corsOrigins?: string[]
  /**
   * Opt-in (it is at the host's root, outside `prefix`): serve `GET /.well-known/webauthn` with the
   * engine's `relatedOrigins`, which browsers fetch to accept a ceremony from one of them.
   */
  wellKnownWebauthn?: boolean
  /**
   * Opt-in: a passkey alone signs the user in (`POST /sign-in` with the nonce of a passkey-first
   * ceremony: the browser's autofill or passkey picker, user verification required), besides the
   * first factor + passkey step. Off, the engine routes refuse a ceremony without a transaction.
   */
  passkeySignIn?: boolean
  /** How often logouts made by other instances are loaded; default 1 second. */
  revocationSyncMs?: number
  /**
   * How long the load of revocations may fail before sessions are refused with 503 (never let a
   * revoked one through); default 3 × `revocationSyncMs`, at least 5 seconds.
   */
  revocationMaxStalenessMs?: number
  /** Adding, renaming or removing a passkey needs a passkey authentication this recent; default 5 minutes. */
  factorChangeMaxAgeMs?: number
  /** Removing a passkey ends the user's other sessions (on every instance); default `true`. */
  revokeSessionsOnPasskeyRemoval?: boolean
  /** A sign-in with a recovery code ends the user's other sessions (on every instance); default `true`. */
  revokeSessionsOnRecovery?: boolean
  /**
   * Opt-in: after a passkey authentication the user may trust the browser for `maxAgeMs` (at most 30
   * days). On it, the user's first factor then signs in without the passkey step (no passkey check:
   * step-up routes still ask for one). Its 256-bit token lives in its own `HttpOnly` cookie,
   * `cookieName` (default `__Host-passkey_mfa_trusted` when an origin is https, else `passkey_mfa_trusted`).
   */
  trustedBrowsers?: TrustedBrowsersOptions | false
  /** Abuse limits (on by default, counters in memory); `false` turns them off. */
  limits?: LimitsOptions | false
  /** Receives every authentication event (they are also logged at info). */
  onEvent?: AuditListener
}

/** Settings of trusted browsers (`trustedBrowsers`). */
export interface TrustedBrowsersOptions {
  /** How long a browser stays trusted; at most 30 days. */
  maxAgeMs: number
  cookieName?: string
}

/** Trusted browsers, when on: how long they last, and their cookie. */
export interface ResolvedTrustedBrowsers {
  maxAgeMs: number
  cookieName: string
}

/** Plugin options with defaults applied and the engine made. */
export interface ResolvedOptions {
  engine: PasskeyEngine
  ownsEngine: boolean
  sqlitePath: string | null
  sessionKey: Buffer[]
  findUser: (externalId: string, request: FastifyRequest) => Promise<MfaUser | null>
  issueToken: (user: MfaUser, request: FastifyRequest, reply: FastifyReply) => Promise<string>
  policy: (user: MfaUser) => MfaPolicy | Promise<MfaPolicy>
  prefix: string
  cookieName: string
  sameSite: 'lax' | 'strict'
  lifetimes: MfaLifetimes
  corsOrigins: string[]
  wellKnownWebauthn: boolean
  passkeySignIn: boolean
  revocationSyncMs: number
  revocationMaxStalenessMs: number
  factorChangeMaxAgeMs: number
  revokeSessionsOnPasskeyRemoval: boolean
  revokeSessionsOnRecovery: boolean
  /** Whether an origin is https: the cookie is then `Secure`. */
  secure: boolean
  /** `null` when trusted browsers are off. */
  trustedBrowsers: ResolvedTrustedBrowsers | null
  limits: ResolvedLimits | null
  onEvent: AuditListener | null
}

const MAX_PENDING_MS = 5 * 60_000

/** Applies defaults and validates the plugin options; throws `FST_PASSKEY_MFA_OPTIONS_INVALID`. */
export function resolveOptions (options: PasskeyMfaOptions<any>): ResolvedOptions {
  const {
    sessionKey, findUser, issueToken, policy = 'required', engine, prefix = '/passkey', cookieName,
    sameSite = 'lax', pendingLifetimeMs = MAX_PENDING_MS, idleTimeoutMs = 30 * 60_000,
    absoluteLifetimeMs = 12 * 60 * 60_000, corsOrigins = [], wellKnownWebauthn = false, passkeySignIn = false, revocationSyncMs = 1000,
    revocationMaxStalenessMs = Math.max(3 * revocationSyncMs, 5000), factorChangeMaxAgeMs = 5 * 60_000,
    revokeSessionsOnPasskeyRemoval = true, revokeSessionsOnRecovery = true, trustedBrowsers = false, limits, onEvent = null
  } = options
  const keys = Array.isArray(sessionKey) ? sessionKey : [sessionKey]
  checkOption(keys.length > 0 && keys.every((key) => Buffer.isBuffer(key) && key.length === 32), 'sessionKey must be a 32-byte Buffer (or an array of them, newest first): make one with `node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'base64\'))"`, keep it secret, and pass Buffer.from(key, \'base64\')')
  checkOption(typeof findUser === 'function', 'findUser must be a function')
  checkOption(typeof issueToken === 'function', 'issueToken must be a function')
  checkOption(policy === 'required' || policy === 'optional' || typeof policy === 'function', 'policy must be required, optional or a function')
  checkOption(typeof engine === 'object' && engine !== null, 'engine must be a PasskeyEngine or its options')
  checkOption(/^\/[\w/-]*[^/]$/.test(prefix), 'prefix must start with "/" and not end with one')
  checkOption(cookieName === undefined || /^[\w-]{1,64}$/.test(cookieName), 'cookieName must be 1-64 letters, digits, "_" or "-"')
  checkOption(sameSite === 'lax' || sameSite === 'strict', 'sameSite must be lax or strict')
  checkDuration(pendingLifetimeMs, 'pendingLifetimeMs', MAX_PENDING_MS)
  checkDuration(idleTimeoutMs, 'idleTimeoutMs', absoluteLifetimeMs)
  checkDuration(absoluteLifetimeMs, 'absoluteLifetimeMs', 30 * 24 * 60 * 60_000)
  checkDuration(revocationSyncMs, 'revocationSyncMs', 60_000)
  checkDuration(revocationMaxStalenessMs, 'revocationMaxStalenessMs', 10 * 60_000)
  checkOption(revocationMaxStalenessMs >= revocationSyncMs, 'revocationMaxStalenessMs must be at least revocationSyncMs')
  checkDuration(factorChangeMaxAgeMs, 'factorChangeMaxAgeMs', 60 * 60_000)
  checkOption(typeof revokeSessionsOnPasskeyRemoval === 'boolean', 'revokeSessionsOnPasskeyRemoval must be a boolean')
  checkOption(typeof revokeSessionsOnRecovery === 'boolean', 'revokeSessionsOnRecovery must be a boolean')
  checkOption(Array.isArray(corsOrigins), 'corsOrigins must be an array of origins')
  checkOption(onEvent === null || typeof onEvent === 'function', 'onEvent must be a function')
  const resolvedLimits = resolveLimits(limits)
  const made = engine instanceof PasskeyEngine ? null : makeEngine(engine)
  const resolvedEngine = made?.engine ?? engine as PasskeyEngine
  checkOption(typeof wellKnownWebauthn === 'boolean', 'wellKnownWebauthn must be a boolean')
  checkOption(typeof passkeySignIn === 'boolean', 'passkeySignIn must be a boolean')
  checkOption(!wellKnownWebauthn || resolvedEngine.relatedOrigins.length > 0, 'wellKnownWebauthn needs engine.relatedOrigins')
  const secure = resolvedEngine.origins.some((origin) => origin.startsWith('https:'))
  checkOption(secure || !/^__(Host|Secure)-/i.test(cookieName ?? ''), 'cookieName with a __Host- or __Secure- prefix needs https origins')
  const resolvedCookieName = cookieName ?? (secure ? '__Host-passkey_mfa' : 'passkey_mfa')
  return {
    engine: resolvedEngine,
    ownsEngine: made !== null,
    sqlitePath: made?.sqlitePath ?? null,
    sessionKey: keys,
    findUser,
    issueToken,
    policy: typeof policy === 'function' ? policy : () => policy,
    prefix,
    cookieName: resolvedCookieName,
    secure,
    sameSite,
    lifetimes: { pending: pendingLifetimeMs, idle: idleTimeoutMs, absolute: absoluteLifetimeMs },
    corsOrigins,
    wellKnownWebauthn,
    passkeySignIn,
    revocationSyncMs,
    revocationMaxStalenessMs,
    factorChangeMaxAgeMs,
    revokeSessionsOnPasskeyRemoval,
    revokeSessionsOnRecovery,
    trustedBrowsers: resolveTrustedBrowsers(trustedBrowsers, secure, resolvedCookieName),
    limits: resolvedLimits,
    onEvent
  }
}

function resolveTrustedBrowsers (options: TrustedBrowsersOptions | false, secure: boolean, sessionCookieName: string): ResolvedTrustedBrowsers | null {
  if (options === false) return null
  checkOption(typeof options === 'object' && options !== null, 'trustedBrowsers must be { maxAgeMs } or false')
  const { maxAgeMs, cookieName = secure ? '__Host-passkey_mfa_trusted' : 'passkey_mfa_trusted' } = options
  checkDuration(maxAgeMs, 'trustedBrowsers.maxAgeMs', MAX_TRUST_MS)
  checkOption(/^[\w-]{1,64}$/.test(cookieName), 'trustedBrowsers.cookieName must be 1-64 letters, digits, "_" or "-"')
  checkOption(secure || !/^__(Host|Secure)-/i.test(cookieName), 'trustedBrowsers.cookieName with a __Host- or __Secure- prefix needs https origins')
  checkOption(cookieName !== sessionCookieName, 'trustedBrowsers.cookieName must differ from cookieName')
  return { maxAgeMs, cookieName }
}

function makeEngine ({ appId = 'default', store, sqlitePath = 'passkey-mfa.db', ...options }: PluginEngineOptions): { engine: PasskeyEngine, sqlitePath: string | null } {
  return store === undefined
    ? { engine: new PasskeyEngine({ ...options, appId, store: new SqliteStore({ filename: sqlitePath }) }), sqlitePath }
    : { engine: new PasskeyEngine({ ...options, appId, store }), sqlitePath: null }
}
