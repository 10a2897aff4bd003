import type { Agent } from 'node:http'
import { ORIGIN } from '../../test/helpers/engine-app.js'
import { SoftwareAuthenticator } from '../../test/helpers/software-authenticator.js'
import { HttpClient } from './http.js'
import type { StepFlow } from './step-flow.js'

/** The reference's step for one user: `POST /options`, `POST /verify`, from a first-factor session. */
export class ReferenceFlow implements StepFlow {
  readonly #client: HttpClient
  readonly #externalId: string
  readonly #authenticator = new SoftwareAuthenticator()
  #firstFactor: string | undefined

  constructor (base: string, agent: Agent, externalId: string) {
    this.#client = new HttpClient(base, agent, { origin: ORIGIN, 'sec-fetch-site': 'same-origin' })
    this.#externalId = externalId
  }

  async setup (): Promise<void> {
    await this.#client.post('/login', { externalId: this.#externalId })
    const options = await this.#client.post('/register/options')
    await this.#client.post('/register/verify', this.#authenticator.create(options))
  }

  async prepare (): Promise<void> {
    this.#client.jar.clear()
    await this.#client.post('/login', { externalId: this.#externalId })
    this.#firstFactor = this.#client.jar.header()
  }

  async step (): Promise<void> {
    this.#client.jar.clear()
    this.#client.jar.store([this.#firstFactor!])
    const options = await this.#client.post('/options')
    const { auth_token: token } = await this.#client.post('/verify', this.#authenticator.get(options))
    if (token === undefined) throw new Error('the step ended without a token')
  }
}
