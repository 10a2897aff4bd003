import { Passkey } from './passkey.js'

/** Options of {@link PassageFlex}. */
export interface PassageFlexOptions {
  /** Where the plugin's routes live (its `prefix`), or a full URL for another origin; default `/passkey`. */
  baseUrl?: string
}

/**
 * The browser SDK of the self-hosted Passkey Flex engine, with the API of Passage's
 * `@passageidentity/passage-flex-js`: migrating is one import line.
 *
 * @example
 * const flex = new PassageFlex('default')
 * const nonce = await flex.passkey.register(transactionId)
 * await fetch('/my-app/verify', { method: 'POST', body: JSON.stringify({ nonce }) })
 */
export class PassageFlex {
  readonly passkey: Passkey

  constructor (appId: string, { baseUrl = '/passkey' }: PassageFlexOptions = {}) {
    this.passkey = new Passkey(`${baseUrl.replace(/\/+$/, '')}/flex/v1/apps/${encodeURIComponent(appId)}`)
  }
}
