import type { Agent } from 'node:http'
import { ORIGIN } from '../../test/helpers/engine-app.js'
import { authenticateFinishBody, flexPath, registerFinishBody } from '../../test/helpers/ceremonies.js'
import { SoftwareAuthenticator } from '../../test/helpers/software-authenticator.js'
import { PREFIX } from '../apps/mfa-host.js'
import { HttpClient } from './http.js'
import type { StepFlow } from './step-flow.js'

const FLEX_HEADERS = { 'passage-flex-version': '1.0.2' }

/**
 * Our second-factor step on the wire path, for one user: `POST /passkey/authenticate`, the
 * ceremony's start and finish on the engine routes, `POST /passkey/verify` (four requests, as the
 * Passage-compatible API has them). Each step starts from the same first-factor cookie.
 */
export class MfaFlow implements StepFlow {
  readonly client: HttpClient
  protected readonly authenticator = new SoftwareAuthenticator()
  readonly #externalId: string
  #firstFactor: string | undefined

  constructor (base: string, agent: Agent, externalId: string) {
    this.client = new HttpClient(base, agent, { origin: ORIGIN, 'sec-fetch-site': 'same-origin' })
    this.#externalId = externalId
  }

  async setup (): Promise<void> {
    await this.client.post('/login', { externalId: this.#externalId })
    const { transactionId } = await this.client.post(`${PREFIX}/register`)
    const { handshake } = await this.client.post(`${PREFIX}${flexPath('register', 'start')}`, { transaction_id: transactionId, authenticator_attachment: 'platform' }, FLEX_HEADERS)
    const credential = this.authenticator.create(handshake.challenge.publicKey)
    const { nonce } = await this.client.post(`${PREFIX}${flexPath('register', 'finish')}`, registerFinishBody(transactionId, handshake.id, credential), FLEX_HEADERS)
    await this.client.post(`${PREFIX}/verify`, { nonce })
  }

  async prepare (): Promise<void> {
    this.client.jar.clear()
    await this.client.post('/login', { externalId: this.#externalId })
    this.#firstFactor = this.client.jar.header()
  }

  async step (): Promise<void> {
    this.restoreFirstFactor()
    const { transactionId } = await this.client.post(`${PREFIX}/authenticate`)
    const { handshake } = await this.client.post(`${PREFIX}${flexPath('authenticate', 'start')}`, { transaction_id: transactionId }, FLEX_HEADERS)
    const assertion = this.authenticator.get(handshake.challenge.publicKey)
    const { nonce } = await this.client.post(`${PREFIX}${flexPath('authenticate', 'finish')}`, authenticateFinishBody(transactionId, handshake.id, assertion), FLEX_HEADERS)
    const { auth_token: token } = await this.client.post(`${PREFIX}/verify`, { nonce })
    if (token === undefined) throw new Error('the step ended without a token')
  }

  /** Puts the browser back where every step starts: the first-factor cookie of {@link prepare}, nothing else. */
  protected restoreFirstFactor (): void {
    this.client.jar.clear()
    this.client.jar.store([this.#firstFactor!])
  }
}
