import { Agent, request as httpRequest } from 'node:http'
import type { IncomingMessage } from 'node:http'
import { once } from 'node:events'

/** Cookies a browser holds for one site: set by `Set-Cookie`, cleared by an expiry in the past. */
export class CookieJar {
  readonly #cookies = new Map<string, string>()

  /** The `Cookie` header, or `undefined` when the jar is empty. */
  header (): string | undefined {
    if (this.#cookies.size === 0) return undefined
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  /** Keeps what the `Set-Cookie` headers of a response say. */
  store (setCookies: string[] | undefined): void {
    for (const setCookie of setCookies ?? []) {
      const [pair, ...attributes] = setCookie.split(';')
      const equals = pair.indexOf('=')
      const name = pair.slice(0, equals).trim()
      const expires = attributes.map((attribute) => attribute.trim()).find((attribute) => /^expires=/i.test(attribute))
      const maxAge = attributes.map((attribute) => attribute.trim()).find((attribute) => /^max-age=/i.test(attribute))
      const expired = (expires !== undefined && Date.parse(expires.slice(8)) <= Date.now()) || maxAge === 'Max-Age=0'
      if (expired) this.#cookies.delete(name)
      else this.#cookies.set(name, pair.slice(equals + 1))
    }
  }

  /** Forgets every cookie. */
  clear (): void {
    this.#cookies.clear()
  }
}

/** A browser's connection to one server: keep-alive sockets, a cookie jar, same-origin `fetch` headers. */
export class HttpClient {
  readonly jar = new CookieJar()
  readonly #base: string
  readonly #agent: Agent
  readonly #headers: Record<string, string>

  constructor (base: string, agent: Agent, headers: Record<string, string>) {
    this.#base = base
    this.#agent = agent
    this.#headers = headers
  }

  /** GETs `path` and returns its JSON; throws on a status other than 2xx. */
  async get<T = any> (path: string): Promise<T> {
    return this.request('GET', path)
  }

  /** POSTs `body` as JSON to `path` and returns the JSON answer; throws on a status other than 2xx. */
  async post<T = any> (path: string, body: unknown = {}, headers: Record<string, string> = {}): Promise<T> {
    return this.request('POST', path, JSON.stringify(body), headers)
  }

  /** Sends one request with the jar's cookies and keeps the cookies of the answer; returns its JSON. */
  async request<T> (method: string, path: string, payload?: string, extra: Record<string, string> = {}): Promise<T> {
    const cookie = this.jar.header()
    const headers: Record<string, string> = { ...this.#headers, ...extra }
    if (cookie !== undefined) headers.cookie = cookie
    if (payload !== undefined) headers['content-type'] = 'application/json'
    const req = httpRequest(`${this.#base}${path}`, { method, agent: this.#agent, headers })
    req.end(payload)
    const [res] = await once(req, 'response') as [IncomingMessage]
    const chunks: Buffer[] = []
    for await (const chunk of res) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString()
    this.jar.store(res.headers['set-cookie'])
    if (res.statusCode === undefined || res.statusCode < 200 || res.statusCode > 299) {
      throw new Error(`${method} ${path}: ${String(res.statusCode)} ${text}`)
    }
    return (text === '' ? undefined : JSON.parse(text)) as T
  }
}

/** An agent that keeps its sockets open, like a browser's connection pool. */
export function keepAliveAgent (): Agent {
  return new Agent({ keepAlive: true, maxSockets: 64 })
}
