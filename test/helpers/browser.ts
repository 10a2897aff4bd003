import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { ORIGIN } from './engine-app.js'

/**
 * A browser for `app.inject`: keeps the cookies the app sets (and clears), sends them back, and
 * sends the headers a same-origin `fetch` has (`Origin`, `Sec-Fetch-Site`).
 */
export class Browser {
  readonly cookies = new Map<string, string>()
  readonly #app: FastifyInstance

  constructor (app: FastifyInstance) {
    this.#app = app
  }

  /** Sends a request as this browser; `headers` override the defaults. */
  async request (method: InjectOptions['method'], url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    const response = await this.#app.inject({
      method,
      url,
      payload: payload as InjectOptions['payload'],
      headers: { origin: ORIGIN, 'sec-fetch-site': 'same-origin', ...(cookie === '' ? {} : { cookie }), ...headers }
    })
    for (const setCookie of [response.headers['set-cookie'] ?? []].flat()) {
      const [pair, ...attributes] = setCookie.split('; ')
      const [name, value] = pair.split('=', 2)
      const expires = attributes.find((attribute) => attribute.startsWith('Expires='))
      if (expires !== undefined && Date.parse(expires.slice('Expires='.length)) <= Date.now()) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    return response
  }

  async get (url: string): Promise<LightMyRequestResponse> {
    return this.request('GET', url)
  }

  async post (url: string, payload: unknown = {}): Promise<LightMyRequestResponse> {
    return this.request('POST', url, payload)
  }

  /** A copy of this browser, with the same cookies (a stolen or saved cookie jar). */
  clone (): Browser {
    const copy = new Browser(this.#app)
    for (const [name, value] of this.cookies) copy.cookies.set(name, value)
    return copy
  }
}
