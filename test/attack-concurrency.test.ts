import t from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { AttackScene } from './helpers/attack-scene.js'
import { authenticateFinishBody, flexPath, post, registerFinishBody } from './helpers/ceremonies.js'
import { PREFIX, authenticatePasskey } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

// Races through the plugin's routes on every store (invariant 3). The same races on the engine
// alone are pinned by engine-concurrency; two stores on one SQLite file or PostgreSQL schema adding
// a first passkey by store-sqlite and store-postgres.

const PARALLEL = 10

/** How many answers had each status and code, e.g. `{ '200': 1, '404 FST_PASSKEY_MFA_TRANSACTION_NOT_FOUND': 9 }`. */
function tally (responses: LightMyRequestResponse[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const response of responses) {
    const key = response.statusCode === 200 ? '200' : `${response.statusCode} ${response.json().code as string}`
    counts[key] = (counts[key] ?? 0) + 1
  }
  return counts
}

/** The nonce of the one successful finish among `finishes`. */
function winningNonce (finishes: LightMyRequestResponse[]): string {
  return finishes.find((finish) => finish.statusCode === 200)?.json().nonce
}

eachStore(t, async (t, store) => {
  const scene = await AttackScene.build(t, store)
  const { mfa } = scene

  t.test(`the same nonce verified ${PARALLEL}× in parallel: one success, one issueToken call`, async (t) => {
    const alice = await scene.member('alice')
    const browser = await scene.loggedIn(alice.externalId)
    const nonce = await authenticatePasskey(mfa, browser, alice.authenticator)
    const copies = Array.from({ length: PARALLEL }, () => browser.clone())
    const issued = [...mfa.issued]

    const verifies = await Promise.all(copies.map(async (copy) => copy.post(`${PREFIX}/verify`, { nonce })))
    t.same(tally(verifies), { 200: 1, '401 FST_PASSKEY_MFA_NONCE_INVALID': PARALLEL - 1 })
    t.same(mfa.issued, [...issued, alice.externalId], 'issueToken was called once')
    const states = await Promise.all(copies.map(async (copy) => (await copy.get(`${PREFIX}/status`)).json().state))
    t.same(states.filter((state) => state === 'authenticated'), ['authenticated'], 'one copy of the session moved, the others stay pending')
  })

  t.test(`the same assertion submitted ${PARALLEL}× in parallel: one nonce, one counter step`, async (t) => {
    const alice = await scene.member('alice', new SoftwareAuthenticator({ signCount: 1 }))
    const { browser, transactionId } = await scene.pending(alice.externalId)
    const { handshake } = (await post(scene.engineRoutes, flexPath('authenticate', 'start'), { transaction_id: transactionId })).json()
    const body = authenticateFinishBody(transactionId, handshake.id, alice.authenticator.get(handshake.challenge.publicKey))
    const [before] = await store.listPasskeys(alice.externalId)

    const finishes = await Promise.all(Array.from({ length: PARALLEL }, async () => post(scene.engineRoutes, flexPath('authenticate', 'finish'), body)))
    t.same(tally(finishes), { 200: 1, '404 FST_PASSKEY_MFA_TRANSACTION_NOT_FOUND': PARALLEL - 1 })
    const [after] = await store.listPasskeys(alice.externalId)
    t.equal(after.counter, before.counter + 1, 'the counter moved by one assertion')
    t.equal((await browser.post(`${PREFIX}/verify`, { nonce: winningNonce(finishes) })).statusCode, 200, 'the one nonce completes the step')
  })

  t.test(`${PARALLEL} parallel registration finishes for one handshake, each with its own credential: one passkey`, async (t) => {
    const bob = scene.newcomer('bob')
    const browser = await scene.loggedIn(bob)
    const { transactionId } = (await browser.post(`${PREFIX}/register`)).json()
    const { handshake } = (await post(scene.engineRoutes, flexPath('register', 'start'), { transaction_id: transactionId })).json()
    const bodies = Array.from({ length: PARALLEL }, () =>
      registerFinishBody(transactionId, handshake.id, new SoftwareAuthenticator().create(handshake.challenge.publicKey)))

    const finishes = await Promise.all(bodies.map(async (body) => post(scene.engineRoutes, flexPath('register', 'finish'), body)))
    t.same(tally(finishes), { 200: 1, '404 FST_PASSKEY_MFA_TRANSACTION_NOT_FOUND': PARALLEL - 1 })
    t.equal((await store.listPasskeys(bob)).length, 1, 'exactly one credential stored')
    t.equal((await browser.post(`${PREFIX}/verify`, { nonce: winningNonce(finishes) })).statusCode, 200, 'its nonce completes the enrollment')
  })

  t.test(`${PARALLEL} password-only sessions of a user without passkeys enrolling in parallel: one first passkey`, async (t) => {
    const bob = scene.newcomer('bob')
    const sessions = await Promise.all(Array.from({ length: PARALLEL }, async () => scene.loggedIn(bob)))
    const bodies = await Promise.all(sessions.map(async (browser) => {
      const { transactionId } = (await browser.post(`${PREFIX}/register`)).json()
      const { handshake } = (await post(scene.engineRoutes, flexPath('register', 'start'), { transaction_id: transactionId })).json()
      return registerFinishBody(transactionId, handshake.id, new SoftwareAuthenticator().create(handshake.challenge.publicKey))
    }))
    const issued = [...mfa.issued]

    const finishes = await Promise.all(bodies.map(async (body) => post(scene.engineRoutes, flexPath('register', 'finish'), body)))
    t.same(tally(finishes), { 200: 1, '403 FST_PASSKEY_MFA_REGISTRATION_FORBIDDEN': PARALLEL - 1 })
    t.equal((await store.listPasskeys(bob)).length, 1, 'exactly one first passkey stored')
    t.same(mfa.issued, issued, 'no token before a nonce is verified')
    const winner = sessions[finishes.findIndex((finish) => finish.statusCode === 200)]
    t.equal((await winner.post(`${PREFIX}/verify`, { nonce: winningNonce(finishes) })).statusCode, 200, 'the winning session completes its enrollment')
  })
})
