import { fastifyCookie } from '@fastify/cookie'
import type { FastifyReply } from 'fastify'
import { valuesOf } from './session-cookie.js'

/** Cookie attributes of a trusted browser's token. */
export interface TrustedBrowserCookieOptions {
  name: string
  secure: boolean
  sameSite: 'lax' | 'strict'
}

/**
 * The cookie holding a trusted browser's token: `HttpOnly`, `Path=/` (the host's first-factor route
 * reads it), `Secure` on https, no `Domain`. The token is a bearer secret whose digest only the store
 * keeps; it signs nobody in by itself, as it only stands in for the passkey step of its own user.
 */
export class TrustedBrowserCookie {
  readonly #options: TrustedBrowserCookieOptions

  constructor (options: TrustedBrowserCookieOptions) {
    this.#options = options
  }

  /** The token in the request's cookie; `null` when there is none, or more than one (a planted copy). */
  read (cookieHeader: string | undefined): string | null {
    if (cookieHeader === undefined) return null
    const values = valuesOf(cookieHeader, this.#options.name)
    return values.length === 1 ? values[0]! : null
  }

  /** Sets the cookie to `token` until `expiresAt`. */
  write (reply: FastifyReply, token: string, expiresAt: Date): void {
    reply.header('set-cookie', this.#serialize(token, expiresAt))
  }

  /** Clears the cookie. */
  clear (reply: FastifyReply): void {
    reply.header('set-cookie', this.#serialize('', new Date(0)))
  }

  #serialize (value: string, expires: Date): string {
    const { name, secure, sameSite } = this.#options
    return fastifyCookie.serialize(name, value, { path: '/', httpOnly: true, secure, sameSite, expires, encode: String })
  }
}
