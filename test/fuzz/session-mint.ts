import fastifySecureSession from '@fastify/secure-session'
import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import type { Anonymous, MfaState } from '../../src/mfa/state-machine.js'
import { toStored } from '../../src/mfa/stored-session.js'
import { SESSION_KEY } from '../helpers/mfa-app.js'

/**
 * Seals session cookie values as the plugin does (`@fastify/secure-session`'s sealing, URL-safe), so a
 * fuzz case can start from any state without running the flow that leads to it.
 */
export class SessionMint {
  readonly #sealer: FastifyInstance

  private constructor (sealer: FastifyInstance) {
    this.#sealer = sealer
  }

  /** A mint sealing with `key` (default: the test apps' session key). */
  static async open (key: Buffer = SESSION_KEY): Promise<SessionMint> {
    const sealer = Fastify()
    await sealer.register(fastifySecureSession, { key, cookieName: 'sealer' })
    await sealer.ready()
    return new SessionMint(sealer)
  }

  /** The cookie value of a session in `state`. */
  state (state: Exclude<MfaState, Anonymous>): string {
    return this.data(toStored(state))
  }

  /** A cookie value holding (a JSON copy of) `data`, sealed right: what only a holder of the key could make. */
  data (data: object): string {
    const sealed = this.#sealer.encodeSecureSession(this.#sealer.createSecureSession(JSON.parse(JSON.stringify(data))))
    return sealed.replace(/[+/=;]/g, (character) => URL_SAFE[character])
  }

  async close (): Promise<void> {
    await this.#sealer.close()
  }
}

const URL_SAFE: Record<string, string> = { '+': '-', '/': '_', '=': '', ';': '.' }
