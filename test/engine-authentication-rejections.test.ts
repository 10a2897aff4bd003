import t from 'tap'
import { authenticate, register } from './helpers/ceremonies.js'
import { buildEngineApp } from './helpers/engine-app.js'
import { passkeySnapshot } from './helpers/snapshot.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import type { AssertionTweaks } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

eachStore(t, async (t, store) => {
  const { app, engine } = await buildEngineApp(t, { store })
  const alice = new SoftwareAuthenticator({ signCount: 10 })
  const bob = new SoftwareAuthenticator()
  for (const [externalId, authenticator] of [['alice', alice], ['bob', bob]] as const) {
    const transactionId = await engine.createRegisterTransaction({ externalId, passkeyDisplayName: externalId })
    t.equal((await register(app, authenticator, transactionId)).finish.statusCode, 200)
  }
  const stranger = new SoftwareAuthenticator()
  stranger.create({
    challenge: 'AAAA', rp: { id: 'localhost', name: 'x' }, user: { id: 'AAAA', name: 'x', displayName: 'x' },
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }]
  })

  const cases: Array<[string, AssertionTweaks]> = [
    ['a challenge of another ceremony', { challenge: Buffer.alloc(32, 7).toString('base64url') }],
    ['another origin', { origin: 'https://evil.example' }],
    ['a registration type', { type: 'webauthn.create' }],
    ['the RP ID hash of another domain', { rpId: 'evil.example' }],
    ['no user verification', { userVerified: false }],
    ['no user presence', { userPresent: false }],
    ['a cross-origin ceremony', { crossOrigin: true, topOrigin: 'https://evil.example' }],
    ['a bad signature', { flipSignatureBit: true }],
    ['a counter going backwards', { counter: 3 }],
    ['a changed backup-eligible flag', { backupEligible: false }],
    ['another user\'s credential', { credential: bob.credentials[0] }],
    ['an unknown credential', { credential: stranger.credentials[0] }],
    ['another user handle', { userHandle: bob.credentials[0].userHandle }]
  ]
  const bodies = new Set<string>()
  for (const [name, tweaks] of cases) {
    const before = await passkeySnapshot(store, 'alice', 'bob')
    const transactionId = await engine.createAuthenticateTransaction({ externalId: 'alice' })
    const { finish } = await authenticate(app, alice, transactionId, tweaks)
    t.equal(finish.statusCode, 401, `${name}: status`)
    t.equal(finish.json().code, 'FST_PASSKEY_MFA_AUTHENTICATION_REJECTED', `${name}: code`)
    t.same(await passkeySnapshot(store, 'alice', 'bob'), before, `${name}: nothing changed`)
    bodies.add(finish.body)
  }
  t.equal(bodies.size, 1, 'every refusal has the same body: nothing to tell accounts or credentials apart')

  const transactionId = await engine.createAuthenticateTransaction({ externalId: 'alice' })
  t.equal((await authenticate(app, alice, transactionId)).finish.statusCode, 200, 'the genuine assertion still works')
})
