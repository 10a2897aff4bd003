import { startAuthentication, startRegistration } from '@simplewebauthn/browser'
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser'
import type {
  CeremonyVerifyBody, LogoutBody, PasskeyListReply, PasskeyView, RecoveryBody, RecoveryCodesReply, RegisterBody, RenameBody, SignInBody,
  StatusReply, TransactionReply, TrustedBrowserListReply, TrustedBrowserView, VerifyReply
} from '../schemas/routes.js'
import type { AuthenticationAnswer, RegistrationAnswer } from '../schemas/wire.js'
import { runCeremony } from './ceremony-error.js'
import { PasskeyClientError } from './errors.js'
import { requestJson } from './http.js'
import { PassageFlex } from './passage-flex.js'
import { signalAllAcceptedCredentials, signalCurrentUserDetails } from './signals.js'
import type { CurrentUserDetails } from './signals.js'
import type { Passkey, PasskeyCreationOptions } from './passkey.js'

/** The server's answer to a factor change without a recent passkey check. */
const STEP_UP_REQUIRED = 'FST_PASSKEY_MFA_STEP_UP_REQUIRED'

/** Options of {@link PasskeyMfaClient}. */
export interface PasskeyMfaClientOptions {
  /** The plugin's `prefix`; default `/passkey`. */
  prefix?: string
  /** The engine's app ID; default `default`. */
  appId?: string
}

/**
 * The plugin's host routes and the passkey ceremonies, for the pages of the host app. Requests carry
 * the page's cookies (same origin); every failure is a {@link PasskeyClientError}. A passkey step
 * takes two requests: the options, then the browser's answer (`passkey` runs Passage's four).
 *
 * @example
 * const mfa = new PasskeyMfaClient()
 * const { next } = await mfa.status()
 * if (next === 'enroll') await mfa.enroll()
 * if (next === 'authenticate') await mfa.signIn()
 */
export class PasskeyMfaClient {
  /** The ceremonies, for a custom flow. */
  readonly passkey: Passkey
  private readonly prefix: string

  constructor ({ prefix = '/passkey', appId = 'default' }: PasskeyMfaClientOptions = {}) {
    this.prefix = prefix.replace(/\/+$/, '')
    this.passkey = new PassageFlex(appId, { baseUrl: this.prefix }).passkey
  }

  /** The session's MFA state and what the user must do next. */
  async status (): Promise<StatusReply> {
    return await this.request('GET', '/status')
  }

  /**
   * The passkey step after the first factor: authenticates and verifies; the answer has the host's
   * `auth_token`. Signed in, it is a step-up: a fresh passkey check, without a token. With
   * `trustBrowser` (trusted browsers on: `status().trustedBrowserLifetimeMs`), this browser is
   * trusted: the user's next first factors on it skip the passkey step until the trust expires.
   */
  async signIn ({ trustBrowser = false }: { trustBrowser?: boolean } = {}): Promise<VerifyReply> {
    this.passkey.cancel() // a pending passkey autofill, even one still waiting for its options
    const { transactionId, options } = await this.request<TransactionReply>('POST', '/authenticate')
    const optionsJSON = options as PublicKeyCredentialRequestOptionsJSON
    const response = await runCeremony(async () => await startAuthentication({ optionsJSON }))
    return await this.verify(transactionId, response as AuthenticationAnswer, trustBrowser)
  }

  /**
   * Creates the user's first passkey after the first factor and verifies it, which completes the sign-in.
   * Any authenticator will do by default (this device, a security key, a phone); `{ authenticatorAttachment: 'platform' }`
   * asks for this device's.
   */
  async enroll ({ authenticatorAttachment = 'any' }: PasskeyCreationOptions = {}): Promise<VerifyReply> {
    this.passkey.cancel()
    const body: RegisterBody = { authenticatorAttachment }
    const { transactionId, options } = await this.request<TransactionReply>('POST', '/register', body)
    const optionsJSON = options as PublicKeyCredentialCreationOptionsJSON
    const response = await runCeremony(async () => await startRegistration({ optionsJSON }))
    return await this.verify(transactionId, response as RegistrationAnswer)
  }

  /**
   * Adds a passkey to a signed-in user's account (the same routes as {@link PasskeyMfaClient.enroll}).
   * When the server wants a fresh passkey check first, the user confirms with an existing passkey
   * (one more prompt) and the passkey is then added.
   */
  async addPasskey (options?: PasskeyCreationOptions): Promise<VerifyReply> {
    return await this.withStepUp(async () => await this.enroll(options))
  }

  /**
   * Signs in with a passkey alone, from any state (the host's `passkeySignIn` must be on): the user
   * picks one of their passkeys, and the answer has the host's `auth_token`. With `autofill`, the
   * browser offers the passkeys in the autofill of an `<input autocomplete="username webauthn">`;
   * `passkey.cancel()` (before a password sign-in, say) makes it reject with `cancelled`.
   *
   * @example
   * if (await mfa.passkey.canUseConditionalMediation()) mfa.signInWithPasskey({ autofill: true }).then(goToAccount, showError)
   */
  async signInWithPasskey ({ autofill = false }: { autofill?: boolean } = {}): Promise<VerifyReply> {
    const body: SignInBody = { nonce: await this.passkey.authenticate({ isConditionalMediation: autofill }) }
    return await this.request('POST', '/sign-in', body)
  }

  /** The signed-in user's passkeys, oldest first; tells the browser which ones the server accepts (WebAuthn Signal API). */
  async listPasskeys (): Promise<PasskeyView[]> {
    const { passkeys, rpId, user } = await this.request<PasskeyListReply>('GET', '/passkeys')
    await signalAllAcceptedCredentials({ rpId, userId: user.id, credentialIds: passkeys.map(({ credentialId }) => credentialId) })
    return passkeys
  }

  /** Renames one of the signed-in user's passkeys, after a passkey check when the server wants a fresh one. */
  async renamePasskey (id: string, name: string): Promise<PasskeyView> {
    const body: RenameBody = { name }
    return await this.withStepUp(async () => await this.request<PasskeyView>('PATCH', `/passkeys/${encodeURIComponent(id)}`, body))
  }

  /**
   * Removes one of the signed-in user's passkeys, after a passkey check when the server wants a fresh
   * one, then tells the browser which passkeys are left (its passkey provider may hide the removed one).
   */
  async removePasskey (id: string): Promise<void> {
    await this.withStepUp(async () => await this.request<undefined>('DELETE', `/passkeys/${encodeURIComponent(id)}`))
    await this.listPasskeys().catch(() => {})
  }

  /**
   * Tells the browser the user's current name and display name (WebAuthn Signal API), from the
   * host's `fastify.mfa.currentUserDetails(externalId)`; resolves to whether the browser took it.
   */
  async signalCurrentUserDetails (details: CurrentUserDetails): Promise<boolean> {
    return await signalCurrentUserDetails(details)
  }

  /**
   * A new set of recovery codes for the signed-in user (the old set stops working), after a passkey
   * check when the server wants a fresh one. Show them once: the server keeps only their digests.
   */
  async generateRecoveryCodes (): Promise<string[]> {
    return (await this.withStepUp(async () => await this.request<RecoveryCodesReply>('POST', '/recovery-codes'))).codes
  }

  /**
   * Signs in with a recovery code instead of the passkey step, after the first factor; the answer
   * has the host's `auth_token`. The code is used up; the user's other sessions end.
   */
  async recover (code: string): Promise<VerifyReply> {
    const body: RecoveryBody = { code }
    return await this.request('POST', '/recovery', body)
  }

  /**
   * Ends the signed-in user's sessions on every other device (and revokes their trusted browsers),
   * keeping this one; after a passkey check when the server wants a fresh one.
   */
  async signOutOtherDevices (): Promise<void> {
    await this.withStepUp(async () => await this.request('POST', '/sign-out-others'))
  }

  /** The signed-in user's trusted browsers, oldest first; this one is `current`. */
  async listTrustedBrowsers (): Promise<TrustedBrowserView[]> {
    return (await this.request<TrustedBrowserListReply>('GET', '/trusted-browsers')).trustedBrowsers
  }

  /** Revokes one of the signed-in user's trusted browsers: its next sign-in asks for the passkey again. */
  async revokeTrustedBrowser (id: string): Promise<void> {
    await this.request('DELETE', `/trusted-browsers/${encodeURIComponent(id)}`)
  }

  /** Revokes all of the signed-in user's trusted browsers. */
  async revokeTrustedBrowsers (): Promise<void> {
    await this.request('DELETE', '/trusted-browsers')
  }

  /**
   * Ends the session; with `everywhere`, also every other session of the user, on every device.
   *
   * @example
   * await mfa.logout({ everywhere: true })
   */
  async logout ({ everywhere = false }: LogoutBody = {}): Promise<void> {
    const body: LogoutBody | undefined = everywhere ? { everywhere: true } : undefined
    await this.request('POST', '/logout', body)
  }

  /**
   * Runs a factor change; when the server answers `FST_PASSKEY_MFA_STEP_UP_REQUIRED`, confirms with
   * a passkey (the step-up: authenticate, then verify) and runs the change once more.
   */
  private async withStepUp<T> (change: () => Promise<T>): Promise<T> {
    try {
      return await change()
    } catch (error) {
      if (!(error instanceof PasskeyClientError && error.serverCode === STEP_UP_REQUIRED)) throw error
    }
    await this.signIn()
    return await change()
  }

  private async verify (transactionId: string, response: CeremonyVerifyBody['response'], trustBrowser = false): Promise<VerifyReply> {
    const body: CeremonyVerifyBody = trustBrowser ? { transactionId, response, trustBrowser } : { transactionId, response }
    return await this.request('POST', '/verify', body)
  }

  private async request<T> (method: string, path: string, body?: object): Promise<T> {
    return await requestJson<T>(method, `${this.prefix}${path}`, body)
  }
}
