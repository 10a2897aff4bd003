/**
 * Invariant 10 over HTTP: for every step of the MFA flow (host routes and engine routes), every store
 * method the step calls is made to throw, then to hang; the step must answer
 * `503 FST_PASSKEY_MFA_STORE_UNAVAILABLE` (a hang: once `storeTimeoutMs` is over) and change nothing:
 * same passkeys, same session state, no token, no nonce stored, same trusted browsers and no trust
 * cookie set. The support desk's calls (`fastify.mfa.describeUser`, `resetUser`, `deleteUser`) reject
 * with that code and change nothing either. The methods of each step are found by running it once
 * without faults. A write that happened before its answer was lost is
 * faults-lost-answer.test.ts; a throwing `takeNonce`, `createTransaction` and `revokeSession` with
 * recovery afterwards, and a throwing `issueToken`, are mfa-failures.test.ts.
 */
import t from 'tap'
import type { Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { Browser } from './helpers/browser.js'
import { authenticateFinishBody, registerFinishBody } from './helpers/ceremonies.js'
import { firstFactor, flex } from './helpers/fault-flows.js'
import { FaultyStore, LATENESS_MS, STORE_TIMEOUT_MS } from './helpers/faulty-store.js'
import type { Fault, StoreMethod } from './helpers/faulty-store.js'
import { PREFIX, authenticatePasskey, buildMfaApp, registerPasskey, signUp, stepUp } from './helpers/mfa-app.js'
import type { MfaApp } from './helpers/mfa-app.js'
import { passkeySnapshot } from './helpers/snapshot.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'
import { answerWithin } from './helpers/timed.js'

type Send = () => Promise<LightMyRequestResponse>

/** A step of the flow: `setup` brings a new user to just before it and returns its request. */
interface Step {
  name: string
  setup: (mfa: MfaApp, externalId: string) => Promise<{ browser: Browser, send: Send }>
}

const STEPS: Step[] = [
  {
    name: 'first factor',
    async setup (mfa, externalId) {
      await signedUp(mfa, externalId)
      const browser = new Browser(mfa.app)
      return { browser, send: async () => browser.post('/login', { externalId }) }
    }
  },
  {
    name: 'first factor again, while authenticated',
    async setup (mfa, externalId) {
      const { browser } = await signedUp(mfa, externalId)
      return { browser, send: async () => browser.post('/login', { externalId }) }
    }
  },
  {
    name: 'POST /register (enrollment)',
    async setup (mfa, externalId) {
      const browser = await firstFactor(mfa, externalId)
      return { browser, send: async () => browser.post(`${PREFIX}/register`) }
    }
  },
  {
    name: 'POST /authenticate',
    async setup (mfa, externalId) {
      await signedUp(mfa, externalId)
      const browser = await firstFactor(mfa, externalId)
      return { browser, send: async () => browser.post(`${PREFIX}/authenticate`) }
    }
  },
  {
    name: 'register start',
    async setup (mfa, externalId) {
      const browser = await firstFactor(mfa, externalId)
      const { transactionId } = (await browser.post(`${PREFIX}/register`)).json()
      return { browser, send: async () => flex(mfa, 'register', 'start', { transaction_id: transactionId, authenticator_attachment: 'platform' }) }
    }
  },
  {
    name: 'register finish',
    async setup (mfa, externalId) {
      const browser = await firstFactor(mfa, externalId)
      const { transactionId } = (await browser.post(`${PREFIX}/register`)).json()
      const { handshake } = (await flex(mfa, 'register', 'start', { transaction_id: transactionId, authenticator_attachment: 'platform' })).json()
      const body = registerFinishBody(transactionId, handshake.id, new SoftwareAuthenticator().create(handshake.challenge.publicKey))
      return { browser, send: async () => flex(mfa, 'register', 'finish', body) }
    }
  },
  {
    name: 'authenticate start',
    async setup (mfa, externalId) {
      await signedUp(mfa, externalId)
      const browser = await firstFactor(mfa, externalId)
      const { transactionId } = (await browser.post(`${PREFIX}/authenticate`)).json()
      return { browser, send: async () => flex(mfa, 'authenticate', 'start', { transaction_id: transactionId }) }
    }
  },
  {
    name: 'authenticate finish',
    async setup (mfa, externalId) {
      const { authenticator } = await signedUp(mfa, externalId)
      const browser = await firstFactor(mfa, externalId)
      const { transactionId } = (await browser.post(`${PREFIX}/authenticate`)).json()
      const { handshake } = (await flex(mfa, 'authenticate', 'start', { transaction_id: transactionId })).json()
      const body = authenticateFinishBody(transactionId, handshake.id, authenticator.get(handshake.challenge.publicKey))
      return { browser, send: async () => flex(mfa, 'authenticate', 'finish', body) }
    }
  },
  {
    name: 'POST /verify',
    async setup (mfa, externalId) {
      const { authenticator } = await signedUp(mfa, externalId)
      const browser = await firstFactor(mfa, externalId)
      const nonce = await authenticatePasskey(mfa, browser, authenticator)
      return { browser, send: async () => browser.post(`${PREFIX}/verify`, { nonce }) }
    }
  },
  {
    name: 'POST /verify { transactionId, response } (two-request sign-in)',
    async setup (mfa, externalId) {
      const { authenticator } = await signedUp(mfa, externalId)
      const browser = await firstFactor(mfa, externalId)
      const { transactionId, options } = (await browser.post(`${PREFIX}/authenticate`)).json()
      const body = { transactionId, response: authenticator.get(options) }
      return { browser, send: async () => browser.post(`${PREFIX}/verify`, body) }
    }
  },
  {
    name: 'POST /verify { transactionId, response } (two-request enrollment)',
    async setup (mfa, externalId) {
      const browser = await firstFactor(mfa, externalId)
      const { transactionId, options } = (await browser.post(`${PREFIX}/register`)).json()
      const body = { transactionId, response: new SoftwareAuthenticator().create(options) }
      return { browser, send: async () => browser.post(`${PREFIX}/verify`, body) }
    }
  },
  {
    name: 'GET /status',
    async setup (mfa, externalId) {
      const { browser } = await signedUp(mfa, externalId)
      return { browser, send: async () => browser.get(`${PREFIX}/status`) }
    }
  },
  {
    name: 'GET /passkeys',
    async setup (mfa, externalId) {
      const { browser } = await signedUp(mfa, externalId)
      return { browser, send: async () => browser.get(`${PREFIX}/passkeys`) }
    }
  },
  {
    name: 'PATCH /passkeys/:id',
    async setup (mfa, externalId) {
      const { browser, authenticator } = await signedUp(mfa, externalId)
      await stepUp(mfa, browser, authenticator)
      const [passkey] = (await browser.get(`${PREFIX}/passkeys`)).json().passkeys
      return { browser, send: async () => browser.request('PATCH', `${PREFIX}/passkeys/${passkey.id}`, { name: 'Renamed' }) }
    }
  },
  {
    name: 'DELETE /passkeys/:id',
    async setup (mfa, externalId) {
      const { browser, authenticator } = await signedUp(mfa, externalId)
      await stepUp(mfa, browser, authenticator)
      await browser.post(`${PREFIX}/verify`, { nonce: await registerPasskey(mfa, browser, new SoftwareAuthenticator()) })
      const [, second] = (await browser.get(`${PREFIX}/passkeys`)).json().passkeys
      return { browser, send: async () => browser.request('DELETE', `${PREFIX}/passkeys/${second.id}`) }
    }
  },
  {
    name: 'POST /logout',
    async setup (mfa, externalId) {
      const { browser } = await signedUp(mfa, externalId)
      return { browser, send: async () => browser.post(`${PREFIX}/logout`) }
    }
  },
  {
    name: 'POST /recovery-codes',
    async setup (mfa, externalId) {
      const { browser, authenticator } = await signedUp(mfa, externalId)
      await stepUp(mfa, browser, authenticator)
      return { browser, send: async () => browser.post(`${PREFIX}/recovery-codes`) }
    }
  },
  {
    // A code is spent once taken, like a nonce, even when a later step of the sign-in fails.
    name: 'POST /recovery',
    async setup (mfa, externalId) {
      const { browser: owner, authenticator } = await signedUp(mfa, externalId)
      await stepUp(mfa, owner, authenticator)
      const [code] = (await owner.post(`${PREFIX}/recovery-codes`)).json().codes
      const browser = await firstFactor(mfa, externalId)
      return { browser, send: async () => browser.post(`${PREFIX}/recovery`, { code }) }
    }
  },
  {
    name: 'POST /logout everywhere',
    async setup (mfa, externalId) {
      const { browser } = await signedUp(mfa, externalId)
      return { browser, send: async () => browser.post(`${PREFIX}/logout`, { everywhere: true }) }
    }
  },
  {
    name: 'POST /verify { trustBrowser: true }',
    async setup (mfa, externalId) {
      const { authenticator } = await signedUp(mfa, externalId)
      const browser = await firstFactor(mfa, externalId)
      const nonce = await authenticatePasskey(mfa, browser, authenticator)
      return { browser, send: async () => browser.post(`${PREFIX}/verify`, { nonce, trustBrowser: true }) }
    }
  },
  {
    name: 'POST /verify { trustBrowser: true } replacing this browser\'s trust',
    async setup (mfa, externalId) {
      const { browser, authenticator } = await signedUpTrusted(mfa, externalId)
      const nonce = await authenticatePasskey(mfa, browser, authenticator)
      return { browser, send: async () => browser.post(`${PREFIX}/verify`, { nonce, trustBrowser: true }) }
    }
  },
  {
    name: 'first factor in a trusted browser',
    async setup (mfa, externalId) {
      const { browser: trusted } = await signedUpTrusted(mfa, externalId)
      const browser = new Browser(mfa.app)
      browser.cookies.set(TRUST_COOKIE, trusted.cookies.get(TRUST_COOKIE)!)
      return { browser, send: async () => browser.post('/login', { externalId }) }
    }
  },
  {
    name: 'GET /trusted-browsers',
    async setup (mfa, externalId) {
      const { browser } = await signedUpTrusted(mfa, externalId)
      return { browser, send: async () => browser.get(`${PREFIX}/trusted-browsers`) }
    }
  },
  {
    name: 'DELETE /trusted-browsers/:id',
    async setup (mfa, externalId) {
      const { browser } = await signedUpTrusted(mfa, externalId)
      const [trusted] = (await browser.get(`${PREFIX}/trusted-browsers`)).json().trustedBrowsers
      return { browser, send: async () => browser.request('DELETE', `${PREFIX}/trusted-browsers/${trusted.id}`) }
    }
  },
  {
    name: 'DELETE /trusted-browsers',
    async setup (mfa, externalId) {
      const { browser } = await signedUpTrusted(mfa, externalId)
      return { browser, send: async () => browser.request('DELETE', `${PREFIX}/trusted-browsers`) }
    }
  }
]

/** The trusted-browser cookie of the test app (http origin). */
const TRUST_COOKIE = 'passkey_mfa_trusted'

eachStore(t, async (t, store, kind) => {
  await store.init() // a new PostgreSQL schema takes longer than the timeout to create
  const faulty = new FaultyStore(store)
  const timeoutMs = STORE_TIMEOUT_MS[kind]
  // The revocation sync reads the store on a timer; at its longest interval it never runs during a
  // step, so the store calls recorded for a step are the step's own.
  const mfa = await buildMfaApp(t, {
    store: faulty.view, storeTimeoutMs: timeoutMs, revocationSyncMs: 60_000, trustedBrowsers: { maxAgeMs: 24 * 60 * 60_000 }
  })
  let users = 0
  const newUser = (): string => `user-${++users}`

  for (const step of STEPS) {
    const methods = await methodsOf(t, mfa, faulty, step, newUser())
    for (const method of methods) {
      for (const fault of ['throw', 'hang'] as const) {
        await t.test(`${step.name}: ${method} ${fault}s`, async (t) => {
          await faultChangesNothing(t, mfa, faulty, step, { method, fault, timeoutMs }, newUser())
        })
      }
    }
  }

  for (const call of ['describeUser', 'resetUser', 'deleteUser'] as const) {
    const probe = newUser()
    await signedUpTrusted(mfa, probe)
    const from = faulty.calls.length
    await mfa.app.mfa[call](probe)
    const methods = [...new Set(faulty.calls.slice(from).map(({ method }) => method as StoreMethod))]
    t.ok(methods.length > 0, `fastify.mfa.${call} calls the store`)
    for (const method of methods) {
      for (const fault of ['throw', 'hang'] as const) {
        await t.test(`fastify.mfa.${call}: ${method} ${fault}s`, async (t) => {
          const externalId = newUser()
          const { browser } = await signedUpTrusted(mfa, externalId)
          const before = await observe(mfa, faulty, browser, externalId)
          faulty.arm(method, fault)
          const { answer } = await answerWithin(timeoutMs + LATENESS_MS, async () => mfa.app.mfa[call](externalId).then(() => 'resolved', (error: unknown) => error))
          faulty.disarm()
          t.match(answer, { statusCode: 503, code: 'FST_PASSKEY_MFA_STORE_UNAVAILABLE' }, 'rejects with the store\'s code')
          t.same(await observe(mfa, faulty, browser, externalId), before, 'same passkeys, session state and trusted browsers')
          t.equal((await browser.clone().get('/protected')).statusCode, 200, 'the user\'s session still passes')
        })
      }
    }
  }
})

/** The store methods `step` calls, from a run without faults (which must succeed). */
async function methodsOf (t: Test, mfa: MfaApp, faulty: FaultyStore, step: Step, externalId: string): Promise<StoreMethod[]> {
  const { send } = await step.setup(mfa, externalId)
  const from = faulty.calls.length
  const response = await send()
  t.ok(response.statusCode < 300, `${step.name} succeeds without faults`)
  const methods = [...new Set(faulty.calls.slice(from).map(({ method }) => method as StoreMethod))]
  t.ok(methods.length > 0, `${step.name} calls the store`)
  return methods
}

async function faultChangesNothing (
  t: Test, mfa: MfaApp, faulty: FaultyStore, step: Step,
  { method, fault, timeoutMs }: { method: StoreMethod, fault: Fault, timeoutMs: number }, externalId: string
): Promise<void> {
  const { browser, send } = await step.setup(mfa, externalId)
  const before = await observe(mfa, faulty, browser, externalId)
  const from = faulty.calls.length
  faulty.arm(method, fault)
  const { answer, elapsedMs } = await answerWithin(timeoutMs + LATENESS_MS, send)
  faulty.disarm()
  if (answer === undefined) {
    t.fail(`no answer within ${timeoutMs + LATENESS_MS} ms`)
    return
  }
  t.equal(answer.statusCode, 503)
  t.equal(answer.json().code, 'FST_PASSKEY_MFA_STORE_UNAVAILABLE')
  if (fault === 'hang') t.ok(elapsedMs >= timeoutMs - 2, `answered once the store timeout was over (${elapsedMs.toFixed(0)} ms)`)
  t.same(await observe(mfa, faulty, browser, externalId), before, 'same passkeys, session state, tokens and trusted browsers')
  for (const key of faulty.nonceKeys(from)) t.equal(await faulty.store.takeNonce(key), null, 'no nonce stored')
}

/** What a failed step must not change. */
async function observe (mfa: MfaApp, faulty: FaultyStore, browser: Browser, externalId: string): Promise<unknown> {
  return {
    passkeys: await passkeySnapshot(faulty.store, externalId),
    session: (await browser.get(`${PREFIX}/status`)).json(),
    issued: [...mfa.issued],
    trustedBrowsers: await faulty.store.listTrustedBrowsers(externalId),
    trustCookie: browser.cookies.get(TRUST_COOKIE) ?? null
  }
}

async function signedUp (mfa: MfaApp, externalId: string): Promise<{ browser: Browser, authenticator: SoftwareAuthenticator }> {
  const authenticator = new SoftwareAuthenticator({ signCount: 1 })
  return { browser: await signUp(mfa, externalId, authenticator), authenticator }
}

/** A user signed up, then signed in with the passkey in a browser they trusted; that browser, authenticated. */
async function signedUpTrusted (mfa: MfaApp, externalId: string): Promise<{ browser: Browser, authenticator: SoftwareAuthenticator }> {
  const { authenticator } = await signedUp(mfa, externalId)
  const browser = await firstFactor(mfa, externalId)
  const verified = await browser.post(`${PREFIX}/verify`, { nonce: await authenticatePasskey(mfa, browser, authenticator), trustBrowser: true })
  if (verified.statusCode !== 200 || !browser.cookies.has(TRUST_COOKIE)) throw new Error(`trusting the browser failed: ${verified.body}`)
  return { browser, authenticator }
}
