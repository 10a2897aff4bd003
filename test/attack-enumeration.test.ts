import t from 'tap'
import type { Test } from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import { AttackScene } from './helpers/attack-scene.js'
import { authenticate, flexPath, post } from './helpers/ceremonies.js'
import { PREFIX } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

// Invariant 7 on every store: an attacker running the passkey step for an account cannot tell
// whether it has a passkey. Headers, the decoy's stability and the other refusals of the finish
// (bad signature, another user's credential) are pinned on the memory store by mfa-no-enumeration.

/** The shape of a JSON value: its keys and the types of its leaves, array lengths kept. */
function shape (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([key, inner]) => [key, shape(inner)]))
  }
  return value === null ? 'null' : typeof value
}

eachStore(t, async (t, store) => {
  const scene = await AttackScene.build(t, store)
  const stranger = new SoftwareAuthenticator()
  stranger.create({
    challenge: 'AAAA', rp: { id: 'localhost', name: 'x' }, user: { id: 'AAAA', name: 'x', displayName: 'x' },
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }]
  })

  /** The answers of the passkey step for `externalId`, run with a credential the account does not have. */
  async function passkeyStep (t: Test, externalId: string): Promise<Record<'started' | 'ceremonyStart' | 'finish', LightMyRequestResponse>> {
    const browser = await scene.loggedIn(externalId)
    const started = await browser.post(`${PREFIX}/authenticate`)
    const { transactionId } = started.json()
    const ceremonyStart = await post(scene.engineRoutes, flexPath('authenticate', 'start'), { transaction_id: transactionId })
    const finish = await scene.assertRefused(t, { sessions: [browser], users: [externalId] },
      async () => (await authenticate(scene.engineRoutes, stranger, transactionId, { credential: stranger.credentials[0] })).finish,
      { status: 401, code: 'FST_PASSKEY_MFA_AUTHENTICATION_REJECTED' })
    return { started, ceremonyStart, finish }
  }

  t.test('the passkey step answers alike for users with and without passkeys', async (t) => {
    const withPasskey = await passkeyStep(t, (await scene.member('alice')).externalId)
    const without = await passkeyStep(t, scene.newcomer('carol'))

    t.equal(withPasskey.started.statusCode, 200)
    t.equal(without.started.statusCode, withPasskey.started.statusCode, 'POST /authenticate: same status')
    t.same(shape(without.started.json()), shape(withPasskey.started.json()), 'POST /authenticate: same shape')
    t.equal(without.ceremonyStart.statusCode, withPasskey.ceremonyStart.statusCode, 'ceremony start: same status')
    t.same(shape(without.ceremonyStart.json()), shape(withPasskey.ceremonyStart.json()), 'ceremony start: same shape, as many allowed credentials')
    t.equal(without.ceremonyStart.json().handshake.challenge.publicKey.allowCredentials.length, 1, 'one allowed credential, a decoy')
    t.equal(without.finish.body, withPasskey.finish.body, 'ceremony finish: the same refusal')
  })
})
