import { PREFIX } from '../apps/mfa-host.js'
import { MfaFlow } from './mfa-flow.js'

/**
 * Our second-factor step on the fast path, for one user: `POST /passkey/authenticate` answers the
 * WebAuthn options, `POST /passkey/verify` takes the assertion itself (two requests, no nonce).
 * The passkey is enrolled the same way, through `POST /passkey/register`.
 */
export class MfaFastFlow extends MfaFlow {
  override async setup (): Promise<void> {
    await this.prepare()
    const { transactionId, options } = await this.client.post(`${PREFIX}/register`)
    await this.client.post(`${PREFIX}/verify`, { transactionId, response: this.authenticator.create(options) })
  }

  override async step (): Promise<void> {
    this.restoreFirstFactor()
    const { transactionId, options } = await this.client.post(`${PREFIX}/authenticate`)
    const { auth_token: token } = await this.client.post(`${PREFIX}/verify`, { transactionId, response: this.authenticator.get(options) })
    if (token === undefined) throw new Error('the step ended without a token')
  }
}
