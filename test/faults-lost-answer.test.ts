/**
 * Crash injection around the writes that issue a nonce: the store either fails before the write
 * (`throw`, `hang`) or does the write and then loses its answer (`throw-after`, `hang-after`).
 * Either way the ceremony answers 503 without a nonce and the session does not move; the passkey
 * (or its use) is then fully absent or fully present, never half: a present one authenticates, with
 * the right counter. A store failing before the write is also part of faults-store-routes.test.ts.
 */
import t from 'tap'
import type { Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { ENGINE_STORE_UNAVAILABLE, STORE_UNAVAILABLE, ceremony, firstFactor, passkeySignsIn } from './helpers/fault-flows.js'
import { FaultyStore, LATENESS_MS, STORE_TIMEOUT_MS } from './helpers/faulty-store.js'
import { PREFIX, buildMfaApp, signUp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'
import type { StoreKind } from './helpers/stores.js'
import { answerWithin } from './helpers/timed.js'

eachStore(t, async (t, store, kind) => {
  await store.init()
  const faulty = new FaultyStore(store)
  const mfa = await buildMfaApp(t, { store: faulty.view, storeTimeoutMs: STORE_TIMEOUT_MS[kind] })
  let users = 0
  const newUser = (): string => `user-${++users}`

  for (const fault of ['throw-after', 'hang-after'] as const) {
    await t.test(`a registration whose answer is lost (addPasskey ${fault}) leaves a whole passkey that works`, async (t) => {
      const externalId = newUser()
      const authenticator = new SoftwareAuthenticator({ signCount: 1 })
      const browser = await firstFactor(mfa, externalId)
      const issued = [...mfa.issued]
      const from = faulty.calls.length
      faulty.arm('addPasskey', fault)
      await refusedWithoutNonce(t, kind, async () => ceremony(mfa, browser, 'register', authenticator))
      faulty.disarm()

      const passkeys = await store.listPasskeys(externalId)
      t.equal(passkeys.length, 1, 'the passkey was added')
      t.equal(passkeys[0].credentialId, authenticator.credentials[0].idBase64url)
      t.match(await store.takeNonce(faulty.nonceKeys(from)[0]), { kind: 'register', passkeyId: passkeys[0].id }, 'with its nonce, which never reached the browser')
      t.match((await browser.get(`${PREFIX}/status`)).json(), { state: 'passkey-pending', next: 'authenticate' })
      t.same(mfa.issued, issued, 'no token')

      await passkeySignsIn(t, mfa, browser, authenticator)
      t.equal((await store.listPasskeys(externalId))[0].counter, authenticator.credentials[0].signCount, 'counter right')
    })
  }

  for (const fault of ['throw', 'hang'] as const) {
    await t.test(`a registration whose write fails (addPasskey ${fault}) adds nothing, and enrollment can be redone`, async (t) => {
      const externalId = newUser()
      const authenticator = new SoftwareAuthenticator({ signCount: 1 })
      const browser = await firstFactor(mfa, externalId)
      const from = faulty.calls.length
      faulty.arm('addPasskey', fault)
      await refusedWithoutNonce(t, kind, async () => ceremony(mfa, browser, 'register', authenticator))
      faulty.disarm()

      t.same(await store.listPasskeys(externalId), [], 'no passkey')
      t.equal(await store.takeNonce(faulty.nonceKeys(from)[0]), null, 'no nonce')
      t.match((await browser.get(`${PREFIX}/status`)).json(), { state: 'passkey-pending', next: 'enroll' })

      const finish = await ceremony(mfa, browser, 'register', authenticator)
      t.equal((await browser.post(`${PREFIX}/verify`, { nonce: finish.json().nonce })).json().state, 'authenticated')
      t.equal((await store.listPasskeys(externalId)).length, 1)
    })
  }

  for (const fault of ['throw-after', 'hang-after'] as const) {
    await t.test(`an authentication whose answer is lost (recordPasskeyUse ${fault}) records the whole use`, async (t) => {
      const externalId = newUser()
      const authenticator = new SoftwareAuthenticator({ signCount: 1 })
      await signUp(mfa, externalId, authenticator)
      const issued = [...mfa.issued]
      const browser = await firstFactor(mfa, externalId)
      const from = faulty.calls.length
      faulty.arm('recordPasskeyUse', fault)
      await refusedWithoutNonce(t, kind, async () => ceremony(mfa, browser, 'authenticate', authenticator))
      faulty.disarm()

      const [passkey] = await store.listPasskeys(externalId)
      t.equal(passkey.counter, authenticator.credentials[0].signCount, 'counter advanced')
      t.equal(passkey.lastUsedAt, mfa.clock.now, 'use recorded')
      t.match(await store.takeNonce(faulty.nonceKeys(from)[0]), { kind: 'authenticate', passkeyId: passkey.id }, 'with its nonce, which never reached the browser')
      t.equal((await browser.get(`${PREFIX}/status`)).json().state, 'passkey-pending')
      t.same(mfa.issued, issued, 'no token')

      await passkeySignsIn(t, mfa, browser, authenticator)
      t.equal((await store.listPasskeys(externalId))[0].counter, authenticator.credentials[0].signCount, 'counter right')
    })
  }

  for (const fault of ['throw', 'hang'] as const) {
    await t.test(`an authentication whose write fails (recordPasskeyUse ${fault}) records nothing`, async (t) => {
      const externalId = newUser()
      const authenticator = new SoftwareAuthenticator({ signCount: 1 })
      await signUp(mfa, externalId, authenticator)
      const issued = [...mfa.issued]
      const [before] = await store.listPasskeys(externalId)
      const browser = await firstFactor(mfa, externalId)
      const from = faulty.calls.length
      faulty.arm('recordPasskeyUse', fault)
      await refusedWithoutNonce(t, kind, async () => ceremony(mfa, browser, 'authenticate', authenticator))
      faulty.disarm()

      t.same(await store.listPasskeys(externalId), [before], 'counter and last use unchanged')
      t.equal(await store.takeNonce(faulty.nonceKeys(from)[0]), null, 'no nonce')
      t.equal((await browser.get(`${PREFIX}/status`)).json().state, 'passkey-pending')
      t.same(mfa.issued, issued, 'no token')

      await passkeySignsIn(t, mfa, browser, authenticator)
      t.equal((await store.listPasskeys(externalId))[0].counter, authenticator.credentials[0].signCount, 'counter right')
    })
  }

  for (const fault of ['throw-after', 'hang-after'] as const) {
    await t.test(`a nonce taken whose answer is lost (takeNonce ${fault}) is spent, and the session stays pending`, async (t) => {
      const externalId = newUser()
      const authenticator = new SoftwareAuthenticator()
      await signUp(mfa, externalId, authenticator)
      const issued = [...mfa.issued]
      const browser = await firstFactor(mfa, externalId)
      const { nonce } = (await ceremony(mfa, browser, 'authenticate', authenticator)).json()
      faulty.arm('takeNonce', fault)
      await refusedWithoutNonce(t, kind, async () => browser.post(`${PREFIX}/verify`, { nonce }), STORE_UNAVAILABLE)
      faulty.disarm()

      t.equal((await browser.get(`${PREFIX}/status`)).json().state, 'passkey-pending')
      t.same(mfa.issued, issued, 'no token')
      t.equal((await browser.post(`${PREFIX}/verify`, { nonce })).json().code, 'FST_PASSKEY_MFA_NONCE_INVALID', 'spent')
      await passkeySignsIn(t, mfa, browser, authenticator)
    })
  }

  // A throwing takeNonce (the nonce stays usable) is mfa-failures.test.ts.
  await t.test('a nonce whose take hangs is not spent', async (t) => {
    const externalId = newUser()
    const authenticator = new SoftwareAuthenticator()
    await signUp(mfa, externalId, authenticator)
    const browser = await firstFactor(mfa, externalId)
    const { nonce } = (await ceremony(mfa, browser, 'authenticate', authenticator)).json()
    faulty.arm('takeNonce', 'hang')
    await refusedWithoutNonce(t, kind, async () => browser.post(`${PREFIX}/verify`, { nonce }), STORE_UNAVAILABLE)
    faulty.disarm()

    t.match((await browser.post(`${PREFIX}/verify`, { nonce })).json(), { state: 'authenticated', auth_token: String })
  })
})

/** `send` answers a coded 503 without a nonce, in time (as an engine route, unless `expected` says otherwise). */
async function refusedWithoutNonce (
  t: Test, kind: StoreKind, send: () => Promise<LightMyRequestResponse>, expected: object = ENGINE_STORE_UNAVAILABLE
): Promise<void> {
  const { answer } = await answerWithin(STORE_TIMEOUT_MS[kind] + LATENESS_MS, send)
  t.same(answer?.json(), expected)
}
