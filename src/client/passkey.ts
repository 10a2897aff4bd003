import {
  browserSupportsWebAuthn, browserSupportsWebAuthnAutofill, startAuthentication, startRegistration, WebAuthnAbortService
} from '@simplewebauthn/browser'
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser'
import type {
  AuthenticateFinishBody, AuthenticateStartBody, FinishReply, RegisterFinishBody, RegisterStartBody, StartReply
} from '../schemas/wire.js'
import { runCeremony } from './ceremony-error.js'
import { PasskeyClientError } from './errors.js'
import { requestJson } from './http.js'
import { signalUnknownCredential } from './signals.js'
import { toAuthenticateAnswer, toRegisterAnswer } from './wire-answers.js'

/** Which authenticators the user may create the passkey with; `any` means no preference (security keys too). */
export type AuthenticatorAttachment = 'platform' | 'cross-platform' | 'any'

/** Options of {@link Passkey.register}. */
export interface PasskeyCreationOptions {
  /** Default `'platform'` in {@link Passkey.register}, as in Passage's SDK; `'any'` in the MFA client's `enroll` and `addPasskey`. */
  authenticatorAttachment?: AuthenticatorAttachment
}

/** Options of {@link Passkey.authenticate}. */
export interface PasskeyAuthenticateOptions {
  /** The authenticate transaction; without one, a passkey-first sign-in (the host's `passkeySignIn` must be on). */
  transactionId?: string
  /** Offer the passkey in the browser's autofill (needs an `<input autocomplete="username webauthn">`). */
  isConditionalMediation?: boolean
}

/** The engine's refusal of a passkey it does not know, in a passkey-first sign-in only. */
const CREDENTIAL_UNKNOWN = 'FST_PASSKEY_MFA_CREDENTIAL_UNKNOWN'

/** A start answer with its WebAuthn options typed. */
type Started<Options> = StartReply & { handshake: { challenge: { publicKey: Options } } }

/**
 * The browser's passkey ceremonies against the engine routes, with the API of Passage's SDK. Every
 * failure is a {@link PasskeyClientError}. A ceremony started while another is pending aborts that
 * one (it rejects with `cancelled`); each ceremony gets a fresh abort signal, so a cancelled one
 * never spoils the next.
 */
export class Passkey {
  private readonly url: string
  /** Counts ceremonies and cancels: a ceremony whose count changed while it waited for the server is cancelled. */
  private ceremonies = 0

  /** `url`: the engine routes of one app, `{baseUrl}/flex/v1/apps/{appId}`. */
  constructor (url: string) {
    this.url = url
  }

  /** Registers a passkey for the register transaction `transactionId`; resolves to the nonce for the host's server. */
  async register (transactionId: string, { authenticatorAttachment = 'platform' }: PasskeyCreationOptions = {}): Promise<string> {
    const ceremony = ++this.ceremonies
    return await runCeremony(async () => {
      const start: RegisterStartBody = { transaction_id: transactionId, authenticator_attachment: authenticatorAttachment }
      const { handshake } = await this.post<Started<PublicKeyCredentialCreationOptionsJSON>>('register', 'start', start)
      this.checkNotCancelled(ceremony)
      const credential = await startRegistration({ optionsJSON: handshake.challenge.publicKey })
      const finish: RegisterFinishBody = { transaction_id: transactionId, handshake_id: handshake.id, handshake_response: toRegisterAnswer(credential) }
      return await this.finish('register', finish)
    })
  }

  /**
   * Authenticates with a passkey; resolves to the nonce for the host's server. With `transactionId`,
   * for that authenticate transaction; without, any of the user's discoverable passkeys (passkey-first
   * sign-in), and a passkey the server does not know is signalled to the browser (WebAuthn Signal API).
   */
  async authenticate ({ transactionId, isConditionalMediation = false }: PasskeyAuthenticateOptions = {}): Promise<string> {
    const ceremony = ++this.ceremonies
    return await runCeremony(async () => {
      if (isConditionalMediation && !await browserSupportsWebAuthnAutofill()) throw new PasskeyClientError('not-supported', 'This browser offers no passkey autofill')
      const transaction = transactionId === undefined ? {} : { transaction_id: transactionId }
      const start: AuthenticateStartBody = transaction
      const { handshake } = await this.post<Started<PublicKeyCredentialRequestOptionsJSON>>('authenticate', 'start', start)
      this.checkNotCancelled(ceremony)
      const optionsJSON = handshake.challenge.publicKey
      const credential = await startAuthentication({ optionsJSON, useBrowserAutofill: isConditionalMediation })
      const finish: AuthenticateFinishBody = { ...transaction, handshake_id: handshake.id, handshake_response: toAuthenticateAnswer(credential) }
      try {
        return await this.finish('authenticate', finish)
      } catch (error) {
        if (error instanceof PasskeyClientError && error.serverCode === CREDENTIAL_UNKNOWN) {
          await signalUnknownCredential(optionsJSON.rpId ?? location.hostname, credential.id)
        }
        throw error
      }
    })
  }

  /** Aborts the pending ceremony (an autofill one, say), which then rejects with `cancelled`. */
  cancel (): void {
    this.ceremonies++
    WebAuthnAbortService.cancelCeremony()
  }

  /** Whether this browser can create passkeys (it has WebAuthn). */
  async canRegisterPasskey (): Promise<boolean> {
    return browserSupportsWebAuthn()
  }

  /** Whether this browser can authenticate with passkeys (it has WebAuthn). */
  async canAuthenticateWithPasskey (): Promise<boolean> {
    return browserSupportsWebAuthn()
  }

  /** Whether this browser can offer passkeys in its autofill. */
  async canUseConditionalMediation (): Promise<boolean> {
    return await browserSupportsWebAuthnAutofill()
  }

  /** Throws `cancelled` when another ceremony or a cancel came while `ceremony` waited for its start answer. */
  private checkNotCancelled (ceremony: number): void {
    if (ceremony !== this.ceremonies) throw new PasskeyClientError('cancelled', 'The ceremony was cancelled before the browser asked for a passkey')
  }

  private async post<T> (ceremony: 'register' | 'authenticate', step: 'start' | 'finish', body: object): Promise<T> {
    return await requestJson<T>('POST', `${this.url}/${ceremony}/transactions/webauthn/${step}`, body)
  }

  private async finish (ceremony: 'register' | 'authenticate', body: object): Promise<string> {
    const reply = await this.post<Partial<FinishReply> | undefined>(ceremony, 'finish', body)
    if (typeof reply?.nonce !== 'string' || reply.nonce === '') throw new PasskeyClientError('failed', 'The server finished the ceremony without a nonce')
    return reply.nonce
  }
}
