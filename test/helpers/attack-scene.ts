import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import type { PasskeyStore } from '../../src/engine/store.js'
import { Browser } from './browser.js'
import { PREFIX, addUser, authenticatePasskey, buildMfaApp, registerPasskey, signUp } from './mfa-app.js'
import type { MfaApp, MfaAppOptions } from './mfa-app.js'
import { passkeySnapshot } from './snapshot.js'
import { SoftwareAuthenticator } from './software-authenticator.js'

/** A user with one passkey, signed up: their authenticator and their authenticated browser. */
export interface Member {
  externalId: string
  authenticator: SoftwareAuthenticator
  browser: Browser
}

/** How an attack must be refused. */
export interface Refusal {
  status: number
  code: string
}

/** What an attack looks at: the sessions it plays with and the users it aims at. */
export interface Targets {
  sessions: Browser[]
  users: string[]
}

/**
 * A host app with the plugin on one store, seen from an attacker's side. Every user it makes has an
 * external ID of its own, so that the tests of a file can share one app (and one store).
 */
export class AttackScene {
  readonly mfa: MfaApp
  readonly store: PasskeyStore
  /** The engine routes under the plugin's prefix, for the ceremony helpers of `ceremonies.ts`. */
  readonly engineRoutes: FastifyInstance
  #users = 0

  private constructor (mfa: MfaApp, store: PasskeyStore) {
    this.mfa = mfa
    this.store = store
    this.engineRoutes = {
      inject: async (options: { url: string }) => mfa.app.inject({ ...options, url: `${PREFIX}${options.url}` })
    } as unknown as FastifyInstance
  }

  /** The scene on `store` (closed in teardown), with the plugin's `options`. */
  static async build (t: Test, store: PasskeyStore, options: Omit<MfaAppOptions, 'store'> = {}): Promise<AttackScene> {
    return new AttackScene(await buildMfaApp(t, { ...options, store }), store)
  }

  /** A new user without a passkey; returns their external ID. */
  newcomer (name: string): string {
    return addUser(this.mfa, `${name}-${++this.#users}`).externalId
  }

  /** A new user who signed up with a passkey. */
  async member (name: string, authenticator = new SoftwareAuthenticator()): Promise<Member> {
    const externalId = `${name}-${++this.#users}`
    return { externalId, authenticator, browser: await signUp(this.mfa, externalId, authenticator) }
  }

  /** A new user who signed up with a passkey and then confirmed with it (a step-up), so that the session may change factors. */
  async confirmedMember (name: string): Promise<Member> {
    const member = await this.member(name)
    const verified = await this.authenticateAndVerify(member.browser, member.authenticator)
    if (verified.statusCode !== 200) throw new Error(`the step-up of ${member.externalId} failed: ${verified.body}`)
    return member
  }

  /** A new browser past the first factor of `externalId`. */
  async loggedIn (externalId: string): Promise<Browser> {
    const browser = new Browser(this.mfa.app)
    await browser.post('/login', { externalId })
    return browser
  }

  /** A new browser of `externalId` past the first factor that started the passkey step, and its transaction ID. */
  async pending (externalId: string): Promise<{ browser: Browser, transactionId: string }> {
    const browser = await this.loggedIn(externalId)
    const { transactionId } = (await browser.post(`${PREFIX}/authenticate`)).json()
    return { browser, transactionId }
  }

  /**
   * Everything an attack must leave as it was: the targeted users' passkeys in the store, each
   * session's state (`GET /status` with its cookie) and cookies, and the tokens the host issued.
   */
  async world ({ sessions, users }: Targets): Promise<unknown> {
    const states = await Promise.all(sessions.map(async (browser) => ({
      status: (await browser.get(`${PREFIX}/status`)).json(),
      cookies: Object.fromEntries(browser.cookies)
    })))
    return { passkeys: await passkeySnapshot(this.store, ...users), sessions: states, issued: [...this.mfa.issued] }
  }

  /** Runs `attack`, asserts that it is refused as `expected` and that the targets' world did not change; returns the refusal. */
  async assertRefused (t: Test, targets: Targets, attack: () => Promise<LightMyRequestResponse>, expected: Refusal): Promise<LightMyRequestResponse> {
    const before = await this.world(targets)
    const response = await attack()
    assertRefusal(t, response, expected)
    t.same(await this.world(targets), before, 'nothing changed: passkeys, sessions, tokens')
    return response
  }

  /** Runs the passkey step in `browser` (`POST /authenticate`, the ceremony, `POST /verify`) and returns the verify answer. */
  async authenticateAndVerify (browser: Browser, authenticator: SoftwareAuthenticator): Promise<LightMyRequestResponse> {
    return browser.post(`${PREFIX}/verify`, { nonce: await authenticatePasskey(this.mfa, browser, authenticator) })
  }

  /** Registers a new passkey in `browser` (`POST /register`, the ceremony, `POST /verify`) and returns the verify answer. */
  async registerAndVerify (browser: Browser): Promise<LightMyRequestResponse> {
    return browser.post(`${PREFIX}/verify`, { nonce: await registerPasskey(this.mfa, browser, new SoftwareAuthenticator()) })
  }
}

/** Asserts that `response` is the refusal `expected` and hands out neither a nonce nor a token. */
function assertRefusal (t: Test, response: LightMyRequestResponse, { status, code }: Refusal): void {
  const body = response.json()
  t.equal(response.statusCode, status, `refused with ${status}`)
  t.equal(body.code, code, `refused with ${code}`)
  t.notOk('nonce' in body || 'auth_token' in body, 'no nonce, no token')
}
