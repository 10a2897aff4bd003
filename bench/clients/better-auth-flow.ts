import type { Agent } from 'node:http'
import { ORIGIN } from '../../test/helpers/engine-app.js'
import { SoftwareAuthenticator } from '../../test/helpers/software-authenticator.js'
import { BETTER_AUTH_BASE } from '../apps/better-auth.js'
import { HttpClient } from './http.js'
import type { StepFlow } from './step-flow.js'

/**
 * better-auth's passkey sign-in for one user, signed out: `GET generate-authenticate-options` (sets
 * the challenge cookie), `POST verify-authentication` (creates a session). A full primary sign-in.
 */
export class BetterAuthFlow implements StepFlow {
  readonly #client: HttpClient
  readonly #email: string
  readonly #authenticator = new SoftwareAuthenticator()

  constructor (base: string, agent: Agent, externalId: string) {
    this.#client = new HttpClient(base, agent, { origin: ORIGIN })
    this.#email = `${externalId}@example.com`
  }

  async setup (): Promise<void> {
    await this.#client.post(`${BETTER_AUTH_BASE}/sign-up/email`, { email: this.#email, password: 'bench-password-1', name: this.#email })
    const options = await this.#client.get(`${BETTER_AUTH_BASE}/passkey/generate-register-options`)
    await this.#client.post(`${BETTER_AUTH_BASE}/passkey/verify-registration`, { response: this.#authenticator.create(options) })
  }

  async prepare (): Promise<void> {
    this.#client.jar.clear()
  }

  async step (): Promise<void> {
    this.#client.jar.clear()
    const options = await this.#client.get(`${BETTER_AUTH_BASE}/passkey/generate-authenticate-options`)
    const { session } = await this.#client.post(`${BETTER_AUTH_BASE}/passkey/verify-authentication`, { response: this.#authenticator.get(options) })
    if (session === undefined) throw new Error('the sign-in ended without a session')
  }
}
