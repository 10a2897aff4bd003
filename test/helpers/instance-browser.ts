import { ORIGIN } from './engine-app.js'

/** An HTTP answer: status, headers, and the body parsed as JSON (`null` when empty). */
export interface HttpAnswer {
  statusCode: number
  headers: Headers
  body: any
}

/**
 * A browser over real HTTP, for apps in other processes: keeps the cookies the apps set (and clear)
 * in one jar for every instance, as a browser does for one site behind a load balancer, and sends the
 * headers a same-origin `fetch` has (`Origin`, `Sec-Fetch-Site`).
 */
export class HttpBrowser {
  readonly cookies = new Map<string, string>()

  /** Sends a request to the absolute `url` as this browser. */
  async request (method: string, url: string, payload?: unknown): Promise<HttpAnswer> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    const response = await fetch(url, {
      method,
      headers: {
        origin: ORIGIN,
        'sec-fetch-site': 'same-origin',
        ...(cookie === '' ? {} : { cookie }),
        ...(payload === undefined ? {} : { 'content-type': 'application/json' })
      },
      body: payload === undefined ? undefined : JSON.stringify(payload)
    })
    for (const setCookie of response.headers.getSetCookie()) this.#keep(setCookie)
    const text = await response.text()
    return { statusCode: response.status, headers: response.headers, body: text === '' ? null : JSON.parse(text) }
  }

  async get (url: string): Promise<HttpAnswer> {
    return this.request('GET', url)
  }

  async post (url: string, payload: unknown = {}): Promise<HttpAnswer> {
    return this.request('POST', url, payload)
  }

  /** A copy of this browser, with the same cookies (a saved cookie jar). */
  clone (): HttpBrowser {
    const copy = new HttpBrowser()
    for (const [name, value] of this.cookies) copy.cookies.set(name, value)
    return copy
  }

  /** Stores a `Set-Cookie`, or deletes the cookie when it expired. */
  #keep (setCookie: string): void {
    const [pair, ...attributes] = setCookie.split('; ')
    const [name, value] = pair.split('=', 2)
    const expires = attributes.find((attribute) => attribute.startsWith('Expires='))
    if (expires !== undefined && Date.parse(expires.slice('Expires='.length)) <= Date.now()) this.cookies.delete(name)
    else this.cookies.set(name, value)
  }
}
