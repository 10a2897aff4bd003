import { fastifyCookie } from '@fastify/cookie'
import type { FastifyBaseLogger, FastifyReply } from 'fastify'
import { storedSession } from '../schemas/session.js'
import type { SessionSeal } from './session-seal.js'
import { fromStored, toStored } from './stored-session.js'
import { ANONYMOUS } from './state-machine.js'
import type { MfaState } from './state-machine.js'

/** A state read from the cookie, and whether the cookie must be written again (sealed with an old key, or unreadable). */
export interface ReadState {
  state: MfaState
  rewrite: boolean
}

/** Cookie attributes of the MFA session. */
export interface SessionCookieOptions {
  name: string
  secure: boolean
  sameSite: 'lax' | 'strict'
}

/**
 * Reads and writes the MFA state in its own encrypted cookie, on any route, without an `onRequest`
 * hook: routes that never look at MFA never unseal it.
 */
export class SessionCookie {
  readonly #seal: SessionSeal
  readonly #options: SessionCookieOptions
  readonly #prefix: string

  constructor (seal: SessionSeal, options: SessionCookieOptions) {
    this.#seal = seal
    this.#options = options
    this.#prefix = `${options.name}=`
  }

  /**
   * The state in the request's cookie (its deadlines not yet applied); a missing, tampered or
   * malformed cookie is anonymous. So is a request carrying the cookie twice: a browser sends two when
   * another site of the domain planted one (e.g. with a `Domain` or a longer `Path`), and reading
   * either could let a planted session in; the cookie is cleared.
   */
  read (cookieHeader: string | undefined, log: FastifyBaseLogger): ReadState {
    if (cookieHeader === undefined || !cookieHeader.includes(this.#prefix)) return { state: ANONYMOUS, rewrite: false }
    const cookies = valuesOf(cookieHeader, this.#options.name)
    if (cookies.length === 0) return { state: ANONYMOUS, rewrite: false }
    if (cookies.length > 1) {
      log.debug('passkey-mfa: session cookie sent more than once, treated as anonymous')
      return { state: ANONYMOUS, rewrite: true }
    }
    const opened = this.#seal.open(cookies[0]!)
    if (opened === null || !storedSession.Check(opened.data)) {
      log.debug('passkey-mfa: unreadable session cookie, treated as anonymous')
      return { state: ANONYMOUS, rewrite: true }
    }
    return { state: fromStored(opened.data), rewrite: opened.rotated }
  }

  /**
   * Adds the `Set-Cookie` for `state` (sealed until `expiresAt`), or clears the cookie when anonymous.
   * The sealed value is base64url, which needs no URL-encoding; Fastify appends it to any `Set-Cookie`
   * the host sets.
   */
  write (reply: FastifyReply, state: MfaState, expiresAt: number): void {
    const { name, secure, sameSite } = this.#options
    const attributes = { path: '/', httpOnly: true, secure, sameSite, encode: String }
    const cookie = state.level === 'anonymous'
      ? fastifyCookie.serialize(name, '', { ...attributes, expires: new Date(0) })
      : fastifyCookie.serialize(name, this.#seal.seal(toStored(state)), { ...attributes, expires: new Date(expiresAt) })
    reply.header('set-cookie', cookie)
  }
}

/** The values of every cookie named `name` in a `Cookie` header, in order. */
export function valuesOf (cookieHeader: string, name: string): string[] {
  const values: string[] = []
  for (const pair of cookieHeader.split(';')) {
    const equals = pair.indexOf('=')
    if (equals > 0 && pair.slice(0, equals).trim() === name) values.push(pair.slice(equals + 1).trim())
  }
  return values
}
