import { checkDuration, checkOption } from '../check-option.js'
import type { PasskeyStore } from './store.js'

/** Signature algorithms a passkey may use. */
export type PasskeyAlgorithm = 'ES256' | 'RS256' | 'EdDSA'

/** Configuration of a {@link PasskeyEngine}. */
export interface EngineOptions {
  /** The app ID in the engine routes' paths (`/apps/:appId/...`). */
  appId: string
  /** WebAuthn relying party ID: the site's registrable domain, e.g. `example.com` or `localhost`. */
  rpId: string
  /** Relying party name shown by authenticators. */
  rpName: string
  /** Exact origins allowed to run ceremonies, e.g. `['https://example.com']`. */
  origins: string[]
  store: PasskeyStore
  /** Top-level origins allowed to embed a cross-origin ceremony; none by default (refused). */
  topOrigins?: string[]
  /**
   * Origins of other sites that share `rpId` (WebAuthn related origin requests): their ceremonies are
   * accepted and they may call the engine routes cross-origin. The plugin can serve them at
   * `/.well-known/webauthn` (`wellKnownWebauthn`). None by default.
   */
  relatedOrigins?: string[]
  /**
   * AAGUIDs of the only authenticators that may register (e.g. a company's security keys); any by
   * default. The AAGUID is the authenticator's own claim (no attestation certificate is checked): a
   * policy, not a proof.
   */
  allowedAaguids?: string[]
  /** Default `'required'`: every ceremony must verify the user (PIN, biometrics). */
  userVerification?: 'required' | 'preferred' | 'discouraged'
  /** Default `'none'`. */
  attestation?: 'none' | 'direct'
  /** Default all three. */
  algorithms?: PasskeyAlgorithm[]
  /** Lifetime of a transaction, at most and by default 5 minutes. */
  transactionLifetimeMs?: number
  /** Lifetime of a nonce, at most and by default 60 seconds. */
  nonceLifetimeMs?: number
  /** The WebAuthn `timeout` and the lifetime of a started ceremony; default 2 minutes. */
  ceremonyTimeoutMs?: number
  /** How often expired records are swept; default every minute, `0` to never. */
  sweepIntervalMs?: number
  /**
   * How long one store call may take, at most 1 minute; default 5 seconds. A call that has not settled
   * by then fails the operation with `FST_PASSKEY_MFA_STORE_UNAVAILABLE` (503).
   */
  storeTimeoutMs?: number
  /** Clock in epoch milliseconds; defaults to `Date.now`. */
  now?: () => number
  /** Where background failures (a failed sweep) are reported; a Fastify/pino logger fits. */
  logger?: EngineLogger
}

/** The part of a pino-style logger the engine uses. */
export interface EngineLogger {
  warn: (details: object, message: string) => void
}

/** Engine options with every default applied (`allowedAaguids` lowercased; `[]` when any may register). */
export type ResolvedEngineOptions = Required<EngineOptions>

const MAX_TRANSACTION_LIFETIME_MS = 5 * 60_000
const MAX_NONCE_LIFETIME_MS = 60_000
const MAX_STORE_TIMEOUT_MS = 60_000
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const COSE_ALGORITHMS: Record<PasskeyAlgorithm, number> = { ES256: -7, EdDSA: -8, RS256: -257 }

/** The COSE identifiers of `algorithms`. */
export function coseAlgorithms (algorithms: PasskeyAlgorithm[]): number[] {
  return algorithms.map((algorithm) => COSE_ALGORITHMS[algorithm])
}

/** Applies defaults and validates engine options; throws `FST_PASSKEY_MFA_OPTIONS_INVALID`. */
export function resolveEngineOptions (options: EngineOptions): ResolvedEngineOptions {
  const resolved: ResolvedEngineOptions = {
    topOrigins: [],
    relatedOrigins: [],
    allowedAaguids: [],
    userVerification: 'required',
    attestation: 'none',
    algorithms: ['ES256', 'EdDSA', 'RS256'],
    transactionLifetimeMs: MAX_TRANSACTION_LIFETIME_MS,
    nonceLifetimeMs: MAX_NONCE_LIFETIME_MS,
    ceremonyTimeoutMs: 2 * 60_000,
    sweepIntervalMs: 60_000,
    storeTimeoutMs: 5000,
    now: () => Date.now(),
    logger: { warn () {} },
    ...withoutUndefined(options)
  }
  const { appId, rpId, rpName, origins, topOrigins, store, algorithms } = resolved
  checkOption(typeof appId === 'string' && /^[\w-]{1,64}$/.test(appId), 'appId must be 1-64 letters, digits, "_" or "-"')
  checkOption(typeof rpId === 'string' && /^[a-z0-9.-]+$/.test(rpId) && !rpId.startsWith('.'), 'rpId must be a lowercase domain name')
  checkOption(typeof rpName === 'string' && rpName.length > 0, 'rpName must be a non-empty string')
  checkOption(Array.isArray(origins) && origins.length > 0, 'origins must list at least one origin')
  for (const origin of origins) checkOrigin(origin, 'origins', rpId)
  checkOption(Array.isArray(topOrigins), 'topOrigins must be an array of origins')
  for (const origin of topOrigins) checkOrigin(origin, 'topOrigins')
  checkOption(Array.isArray(resolved.relatedOrigins), 'relatedOrigins must be an array of origins')
  for (const origin of resolved.relatedOrigins) checkOrigin(origin, 'relatedOrigins')
  if (options.allowedAaguids !== undefined) {
    const { allowedAaguids } = options
    checkOption(Array.isArray(allowedAaguids) && allowedAaguids.length > 0 && allowedAaguids.every((aaguid) => typeof aaguid === 'string' && UUID.test(aaguid)),
      'allowedAaguids must list at least one AAGUID (a UUID)')
    resolved.allowedAaguids = allowedAaguids.map((aaguid) => aaguid.toLowerCase())
  }
  checkOption(typeof store?.takeNonce === 'function', 'store must implement PasskeyStore')
  checkOption(['required', 'preferred', 'discouraged'].includes(resolved.userVerification), 'userVerification must be required, preferred or discouraged')
  checkOption(['none', 'direct'].includes(resolved.attestation), 'attestation must be none or direct')
  checkOption(Array.isArray(algorithms) && algorithms.length > 0 && algorithms.every((a) => a in COSE_ALGORITHMS), 'algorithms must list ES256, EdDSA or RS256')
  checkDuration(resolved.transactionLifetimeMs, 'transactionLifetimeMs', MAX_TRANSACTION_LIFETIME_MS)
  checkDuration(resolved.nonceLifetimeMs, 'nonceLifetimeMs', MAX_NONCE_LIFETIME_MS)
  checkDuration(resolved.ceremonyTimeoutMs, 'ceremonyTimeoutMs', resolved.transactionLifetimeMs)
  checkOption(Number.isInteger(resolved.sweepIntervalMs) && resolved.sweepIntervalMs >= 0, 'sweepIntervalMs must be a non-negative integer')
  checkDuration(resolved.storeTimeoutMs, 'storeTimeoutMs', MAX_STORE_TIMEOUT_MS)
  checkOption(typeof resolved.now === 'function', 'now must be a function')
  checkOption(typeof resolved.logger?.warn === 'function', 'logger must have a warn method')
  return resolved
}

function checkOrigin (origin: string, name: string, rpId?: string): void {
  let url: URL | undefined
  try { url = new URL(origin) } catch {}
  checkOption(url !== undefined && url.origin === origin, `${name}: "${origin}" is not an exact origin (scheme://host[:port])`)
  const local = url.hostname === 'localhost' || url.hostname.endsWith('.localhost')
  checkOption(url.protocol === 'https:' || (url.protocol === 'http:' && local), `${name}: "${origin}" must use https (http is allowed for localhost only)`)
  if (rpId !== undefined) {
    checkOption(url.hostname === rpId || url.hostname.endsWith(`.${rpId}`), `${name}: "${origin}" is not within rpId "${rpId}"`)
  }
}



function withoutUndefined<T extends object> (options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as T
}
