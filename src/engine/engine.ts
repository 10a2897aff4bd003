import { randomBytes } from 'node:crypto'
import { completeAuthentication, finishAuthentication } from './authentication/finish-authentication.js'
import type { CompleteAuthenticationArgs, FinishAuthenticationArgs } from './authentication/finish-authentication.js'
import { finishDiscoverableAuthentication, startDiscoverableAuthentication } from './authentication/discoverable-authentication.js'
import type { FinishDiscoverableAuthenticationArgs } from './authentication/discoverable-authentication.js'
import { beginAuthentication, startAuthentication } from './authentication/start-authentication.js'
import type { BegunAuthentication, StartAuthenticationArgs, StartedAuthentication } from './authentication/start-authentication.js'
import type { EngineContext } from './context.js'
import { redeemNonce } from './nonces.js'
import { generateRecoveryCodes, redeemRecoveryCode } from './recovery-codes.js'
import type { ExpectedClaims } from './nonces.js'
import { resolveEngineOptions } from './options.js'
import type { EngineOptions } from './options.js'
import { listPasskeys, renamePasskey, revokePasskey } from './passkeys.js'
import type { PasskeyInfo, RevokePasskeyOptions } from './passkeys.js'
import type { CompletedCeremony, FinishedCeremony } from './rejection.js'
import { completeRegistration, finishRegistration } from './registration/finish-registration.js'
import type { CompleteRegistrationArgs, FinishRegistrationArgs } from './registration/finish-registration.js'
import { beginRegistration, startRegistration } from './registration/start-registration.js'
import type {
  BeginRegistrationArgs, BegunRegistration, StartRegistrationArgs, StartedRegistration
} from './registration/start-registration.js'
import type { NonceClaims, Revocation } from './store.js'
import { createAuthenticateTransaction, createRegisterTransaction } from './transactions.js'
import type { CreateAuthenticateTransactionArgs, CreateRegisterTransactionArgs } from './transactions.js'
import { listTrustedBrowsers, revokeTrustedBrowser, trustBrowser, useTrustedBrowser } from './trusted-browsers.js'
import type { BrowserTrust, TrustedBrowserInfo } from './trusted-browsers.js'
import { unavailableOnFailure } from './unavailable-on-failure.js'
import { describeUser } from './users.js'
import type { UserDescription } from './users.js'

/** The longest an MFA session can live (the plugin's largest absolute lifetime), and a margin for clocks. */
const MAX_SESSION_MS = 31 * 24 * 60 * 60_000

/**
 * The self-hosted Passkey Flex engine: transactions, WebAuthn ceremonies, one-time nonces and
 * passkeys, over a {@link PasskeyStore}. Its server API has the shape of Passage's Passkey Flex SDK.
 *
 * @example
 * const engine = new PasskeyEngine({
 *   appId: 'my-app', rpId: 'example.com', rpName: 'Example', origins: ['https://example.com'],
 *   store: new SqliteStore({ filename: 'passkeys.db' })
 * })
 * const transactionId = await engine.createRegisterTransaction({ externalId, passkeyDisplayName: email })
 * // ... the browser registers with transactionId and returns a nonce ...
 * const externalId = await engine.verifyNonce(nonce)
 */
export class PasskeyEngine {
  /** The app ID of the engine routes' paths. */
  readonly appId: string
  /** The WebAuthn relying party ID (a domain). */
  readonly rpId: string
  /** The exact origins ceremonies may come from. */
  readonly origins: readonly string[]
  /** The origins of other sites that share the RP ID, whose ceremonies are accepted too (`/.well-known/webauthn`). */
  readonly relatedOrigins: readonly string[]
  /** The engine's clock, in epoch milliseconds. */
  readonly now: () => number
  /** The same operations grouped as in Passage's SDK (`passage.auth.*`), for code moving from it. */
  readonly auth: Pick<PasskeyEngine, 'createRegisterTransaction' | 'createAuthenticateTransaction' | 'verifyNonce'>
  readonly #ctx: EngineContext
  readonly #sweeper: NodeJS.Timeout | undefined
  #ready: Promise<void> | undefined

  constructor (options: EngineOptions) {
    const resolved = resolveEngineOptions(options)
    this.appId = resolved.appId
    this.rpId = resolved.rpId
    this.origins = resolved.origins
    this.relatedOrigins = resolved.relatedOrigins
    this.now = resolved.now
    this.#ctx = { options: resolved, store: unavailableOnFailure(resolved.store, resolved.storeTimeoutMs), decoyKey: randomBytes(32) }
    this.auth = {
      createRegisterTransaction: (args) => this.createRegisterTransaction(args),
      createAuthenticateTransaction: (args) => this.createAuthenticateTransaction(args),
      verifyNonce: (nonce) => this.verifyNonce(nonce)
    }
    if (resolved.sweepIntervalMs > 0) {
      const sweepOrWarn = (): void => {
        this.sweep().catch((err: unknown) => { resolved.logger.warn({ err }, 'passkey-mfa: sweeping expired records failed') })
      }
      this.#sweeper = setInterval(sweepOrWarn, resolved.sweepIntervalMs).unref()
    }
  }

  /** Prepares the store (once; retried after a failure). Every operation waits for it. */
  async ready (): Promise<void> {
    this.#ready ??= this.#ctx.store.init().catch((error: unknown) => {
      this.#ready = undefined
      throw error
    })
    return this.#ready
  }

  /** Creates a register transaction for a user; returns the transaction ID for the browser. */
  async createRegisterTransaction (args: CreateRegisterTransactionArgs): Promise<string> {
    return this.#run(createRegisterTransaction, args)
  }

  /** Creates an authenticate transaction for a user; returns the transaction ID for the browser. */
  async createAuthenticateTransaction (args: CreateAuthenticateTransactionArgs): Promise<string> {
    return this.#run(createAuthenticateTransaction, args)
  }

  /** Redeems a nonce once and returns the external ID of the user it was issued to. */
  async verifyNonce (nonce: string): Promise<string> {
    return (await this.redeemNonce(nonce)).externalId
  }

  /**
   * Redeems a nonce once, checks it carries the `expected` claims (transaction, kind, user) and
   * returns its claims. The nonce is spent even when a check fails.
   */
  async redeemNonce (nonce: string, expected?: ExpectedClaims): Promise<NonceClaims> {
    return this.#run(redeemNonce, nonce, expected)
  }

  /** Ceremony step 1 of registration (browser-facing). */
  async startRegistration (args: StartRegistrationArgs): Promise<StartedRegistration> {
    return this.#run(startRegistration, args)
  }

  /** Ceremony step 2 of registration (browser-facing); returns the nonce, the user and the new passkey's ID. */
  async finishRegistration (args: FinishRegistrationArgs): Promise<FinishedCeremony> {
    return this.#run(finishRegistration, args)
  }

  /** Ceremony step 1 of authentication (browser-facing). */
  async startAuthentication (args: StartAuthenticationArgs): Promise<StartedAuthentication> {
    return this.#run(startAuthentication, args)
  }

  /** Ceremony step 2 of authentication (browser-facing); returns the nonce, the user and the passkey's ID. */
  async finishAuthentication (args: FinishAuthenticationArgs): Promise<FinishedCeremony> {
    return this.#run(finishAuthentication, args)
  }

  /**
   * Starts a passkey-first sign-in (browser-facing; no transaction): a challenge any of the RP's
   * discoverable passkeys may answer, with user verification required.
   */
  async startDiscoverableAuthentication (): Promise<StartedAuthentication> {
    return this.#run(startDiscoverableAuthentication)
  }

  /**
   * Finishes a passkey-first sign-in (browser-facing); returns the nonce, its user (the passkey's)
   * and the passkey's ID. `verifyNonce` redeems the nonce; the plugin's `POST /sign-in` does.
   */
  async finishDiscoverableAuthentication (args: FinishDiscoverableAuthenticationArgs): Promise<FinishedCeremony> {
    return this.#run(finishDiscoverableAuthentication, args)
  }

  /**
   * Creates a register transaction with its ceremony started, for a server that sends the browser
   * its WebAuthn options itself (two requests instead of four); finish with {@link PasskeyEngine.completeRegistration}.
   */
  async beginRegistration (args: BeginRegistrationArgs): Promise<BegunRegistration> {
    return this.#run(beginRegistration, args)
  }

  /** Finishes a ceremony of {@link PasskeyEngine.beginRegistration} for its user, issuing no nonce; returns the new passkey's ID. */
  async completeRegistration (args: CompleteRegistrationArgs): Promise<CompletedCeremony> {
    return this.#run(completeRegistration, args)
  }

  /**
   * Creates an authenticate transaction with its ceremony started, in one store call, for a server
   * that sends the browser its WebAuthn options itself; finish with {@link PasskeyEngine.completeAuthentication}.
   */
  async beginAuthentication (args: CreateAuthenticateTransactionArgs): Promise<BegunAuthentication> {
    return this.#run(beginAuthentication, args)
  }

  /** Finishes a ceremony of {@link PasskeyEngine.beginAuthentication} for its user, issuing no nonce; returns the passkey's ID. */
  async completeAuthentication (args: CompleteAuthenticationArgs): Promise<CompletedCeremony> {
    return this.#run(completeAuthentication, args)
  }

  /** The user's passkeys, oldest first. */
  async listPasskeys (externalId: string): Promise<PasskeyInfo[]> {
    return this.#run(listPasskeys, externalId)
  }

  /** Renames one of the user's passkeys. */
  async renamePasskey (externalId: string, passkeyId: string, name: string): Promise<PasskeyInfo> {
    return this.#run(renamePasskey, externalId, passkeyId, name)
  }

  /**
   * Deletes one of the user's passkeys; with `keepOne`, refuses (`FST_PASSKEY_MFA_LAST_PASSKEY`) to
   * delete the only one. With `revokeSessionsUntil`, the same write revokes the user's sessions (as
   * {@link PasskeyEngine.revokeUserSessions}) and the revocation's position is returned; else `null`.
   */
  async revokePasskey (externalId: string, passkeyId: string, options: RevokePasskeyOptions = {}): Promise<number | null> {
    return this.#run(revokePasskey, externalId, passkeyId, options)
  }

  /**
   * Revokes every MFA session of the user begun so far, on every instance sharing the store ("sign
   * out everywhere", after a password reset or an account deletion). `expiresAt` is when the last of
   * them would have died anyway (default: the longest session lifetime the plugin allows, 30 days,
   * and a margin). Returns the revocation's position in the store.
   */
  async revokeUserSessions (externalId: string, expiresAt = this.now() + MAX_SESSION_MS): Promise<number> {
    return this.#run(async (ctx) => ctx.store.revoke('user', externalId, expiresAt))
  }

  /** The position of the user's latest unexpired revocation of all sessions; `0` when none. */
  async userRevokedAt (externalId: string): Promise<number> {
    return this.#run(async (ctx) => ctx.store.userRevokedAt(externalId))
  }

  /** Makes a new set of the user's recovery codes (replacing the old one) and returns them: show them once, they are stored as digests only. */
  async generateRecoveryCodes (externalId: string): Promise<string[]> {
    return this.#run(generateRecoveryCodes, externalId)
  }

  /** Uses up one of the user's recovery codes (as typed: any case, dashes optional); returns how many are left. */
  async redeemRecoveryCode (externalId: string, code: string): Promise<number> {
    return this.#run(redeemRecoveryCode, externalId, code)
  }

  /** How many recovery codes the user has left. */
  async countRecoveryCodes (externalId: string): Promise<number> {
    return this.#run(async (ctx) => ctx.store.countRecoveryCodes(externalId))
  }

  /**
   * Trusts a browser of the user for `maxAgeMs` (at most 30 days): until then, {@link PasskeyEngine.useTrustedBrowser}
   * with its token finds it. Returns the token (256 bits; the store keeps its digest) for the browser's
   * cookie. The user's trust of `replacesToken` (the browser's former token), if any, is revoked in the same write.
   */
  async trustBrowser (externalId: string, name: string, maxAgeMs: number, replacesToken: string | null = null): Promise<BrowserTrust> {
    return this.#run(trustBrowser, externalId, name, maxAgeMs, replacesToken)
  }

  /** The user's trusted browser of this token, its use recorded; `null` when the token is not a live trust of this user. */
  async useTrustedBrowser (externalId: string, token: string): Promise<TrustedBrowserInfo | null> {
    return this.#run(useTrustedBrowser, externalId, token)
  }

  /** The user's trusted browsers, oldest first; the one of `currentToken` (the asking browser's) is marked `current`. */
  async listTrustedBrowsers (externalId: string, currentToken?: string): Promise<TrustedBrowserInfo[]> {
    return this.#run(listTrustedBrowsers, externalId, currentToken)
  }

  /** Revokes one of the user's trusted browsers (`FST_PASSKEY_MFA_TRUSTED_BROWSER_NOT_FOUND` when there is none of that ID). */
  async revokeTrustedBrowser (externalId: string, id: string): Promise<void> {
    return this.#run(revokeTrustedBrowser, externalId, id)
  }

  /** Revokes all of the user's trusted browsers; returns how many there were. */
  async revokeTrustedBrowsers (externalId: string): Promise<number> {
    return this.#run(async (ctx) => ctx.store.deleteTrustedBrowsers(externalId, null))
  }

  /** What the engine holds about the user (passkeys, recovery codes left, trusted browsers, latest sign-in), for a support desk. */
  async describeUser (externalId: string): Promise<UserDescription> {
    return this.#run(describeUser, externalId)
  }

  /**
   * Resets the user's MFA after the help desk proved who they are: deletes their passkeys, recovery
   * codes, trusted browsers and ceremonies in flight, and revokes their sessions (as
   * {@link PasskeyEngine.revokeUserSessions}, in the same write). Their next first factor enrolls a
   * passkey anew. Returns the revocation's position.
   */
  async resetUser (externalId: string, expiresAt = this.now() + MAX_SESSION_MS): Promise<number> {
    return this.#run(async (ctx) => ctx.store.eraseUser(externalId, 'factors', expiresAt))
  }

  /**
   * Erases every row about the user in every table, and revokes their sessions in the same write.
   * That revocation is the one row left naming the user; it is swept at `expiresAt`, when the last
   * session it ends would have died anyway. Returns its position.
   */
  async deleteUser (externalId: string, expiresAt = this.now() + MAX_SESSION_MS): Promise<number> {
    return this.#run(async (ctx) => ctx.store.eraseUser(externalId, 'everything', expiresAt))
  }

  /** Records that an MFA session was logged out, until `expiresAt` when it would have died anyway; returns its position. */
  async revokeSession (sessionId: string, expiresAt: number): Promise<number> {
    return this.#run(async (ctx) => ctx.store.revoke('session', sessionId, expiresAt))
  }

  /** The revocations after position `after`, in the order the store committed them. */
  async listRevocations (after: number): Promise<Revocation[]> {
    return this.#run(async (ctx) => ctx.store.listRevocations(after))
  }

  /** Deletes expired transactions, nonces, revocations and trusted browsers now; returns how many. Also runs on an interval. */
  async sweep (): Promise<number> {
    await this.ready()
    return this.#ctx.store.sweep(this.#ctx.options.now())
  }

  /** Stops the sweeper and closes the store. */
  async close (): Promise<void> {
    clearInterval(this.#sweeper)
    await this.#ctx.store.close()
  }

  async #run<A extends unknown[], R> (operation: (ctx: EngineContext, ...args: A) => Promise<R>, ...args: A): Promise<R> {
    await this.ready()
    return operation(this.#ctx, ...args)
  }
}
