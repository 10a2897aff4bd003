/**
 * The engine's two-request ceremonies on every store: `beginAuthentication` creates the transaction
 * with its handshake in one store call, and `complete*` finish it for its own user without a nonce.
 */
import t from 'tap'
import type { Test } from 'tap'
import type { PasskeyStore } from '../src/engine/store.js'
import { flexPath, post } from './helpers/ceremonies.js'
import { buildEngineApp } from './helpers/engine-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

/** Counts the calls `store` gets, by method, from now on. */
function countCalls (t: Test, store: PasskeyStore): Map<string, number> {
  const counts = new Map<string, number>()
  const originals = new Map<string, unknown>()
  for (const name of ['createTransaction', 'openAuthentication', 'listPasskeys', 'getTransaction', 'saveHandshake', 'startAuthentication'] as const) {
    const method = store[name] as (...args: unknown[]) => Promise<unknown>
    originals.set(name, method)
    Object.assign(store, { [name]: async (...args: unknown[]) => { counts.set(name, (counts.get(name) ?? 0) + 1); return method.apply(store, args) } })
  }
  t.teardown(() => { for (const [name, method] of originals) Object.assign(store, { [name]: method }) })
  return counts
}

eachStore(t, async (t, store) => {
  const { app, engine, clock } = await buildEngineApp(t, { store })
  const enroll = async (externalId: string, authenticator = new SoftwareAuthenticator()): Promise<SoftwareAuthenticator> => {
    const { transactionId, publicKey } = await engine.beginRegistration({ externalId, passkeyDisplayName: `${externalId}@example.com` })
    await engine.completeRegistration({ transactionId, externalId, response: authenticator.create(publicKey) })
    return authenticator
  }

  t.test('beginAuthentication is one store call; completeAuthentication records the use', async (t) => {
    const authenticator = await enroll('alice')
    const counts = countCalls(t, store)
    const { transactionId, handshakeId, publicKey } = await engine.beginAuthentication({ externalId: 'alice' })
    t.strictSame(Object.fromEntries(counts), { openAuthentication: 1 })
    t.type(handshakeId, 'string')
    const [passkey] = await engine.listPasskeys('alice')
    clock.advance(1000)
    t.strictSame(await engine.completeAuthentication({ transactionId, externalId: 'alice', response: authenticator.get(publicKey) }),
      { externalId: 'alice', passkeyId: passkey!.id })
    t.equal((await engine.listPasskeys('alice'))[0]!.lastUsedAt!.getTime(), clock.now)
  })

  t.test('a user without passkeys gets a decoy credential, the same as on the wire path', async (t) => {
    const begun = await engine.beginAuthentication({ externalId: 'nobody' })
    const wire = await post(app, flexPath('authenticate', 'start'), { transaction_id: await engine.createAuthenticateTransaction({ externalId: 'nobody' }) })
    t.strictSame(begun.publicKey.allowCredentials, wire.json().handshake.challenge.publicKey.allowCredentials)
    t.equal(begun.publicKey.allowCredentials!.length, 1)
  })

  t.test('completing another user\'s transaction is a mismatch, and spends it', async (t) => {
    const bob = await enroll('bob')
    const { transactionId, publicKey } = await engine.beginAuthentication({ externalId: 'bob' })
    const response = bob.get(publicKey)
    await t.rejects(engine.completeAuthentication({ transactionId, externalId: 'alice', response }), { code: 'FST_PASSKEY_MFA_TRANSACTION_MISMATCH' })
    await t.rejects(engine.completeAuthentication({ transactionId, externalId: 'bob', response }), { code: 'FST_PASSKEY_MFA_TRANSACTION_NOT_FOUND' })

    const registration = await engine.beginRegistration({ externalId: 'bob', passkeyDisplayName: 'bob' })
    const created = new SoftwareAuthenticator().create(registration.publicKey)
    await t.rejects(engine.completeRegistration({ transactionId: registration.transactionId, externalId: 'alice', response: created }),
      { code: 'FST_PASSKEY_MFA_TRANSACTION_MISMATCH' })
    t.equal((await engine.listPasskeys('bob')).length, 1)
    t.equal((await engine.listPasskeys('alice')).length, 1, 'alice\'s own passkey only')
  })

  t.test('a transaction created without a ceremony has no handshake to complete', async (t) => {
    const authenticator = await enroll('carol')
    const { publicKey } = await engine.beginAuthentication({ externalId: 'carol' })
    const transactionId = await engine.createAuthenticateTransaction({ externalId: 'carol' })
    await t.rejects(engine.completeAuthentication({ transactionId, externalId: 'carol', response: authenticator.get(publicKey) }),
      { code: 'FST_PASSKEY_MFA_HANDSHAKE_INVALID' })
  })

  t.test('a restarted ceremony takes the new challenge only', async (t) => {
    const authenticator = await enroll('dave')
    const { transactionId, publicKey } = await engine.beginAuthentication({ externalId: 'dave' })
    await engine.startAuthentication({ transactionId })
    await t.rejects(engine.completeAuthentication({ transactionId, externalId: 'dave', response: authenticator.get(publicKey) }),
      { code: 'FST_PASSKEY_MFA_AUTHENTICATION_REJECTED', reason: 'challenge', externalId: 'dave' })
  })

  t.test('expired transactions and handshakes, and bad arguments', async (t) => {
    const authenticator = await enroll('erin')
    const signIn = await engine.beginAuthentication({ externalId: 'erin' })
    const registration = await engine.beginRegistration({ externalId: 'erin', passkeyDisplayName: 'erin', firstPasskeyOnly: true })
    clock.advance(5 * 60_000)
    await t.rejects(engine.completeAuthentication({ transactionId: signIn.transactionId, externalId: 'erin', response: authenticator.get(signIn.publicKey) }),
      { code: 'FST_PASSKEY_MFA_TRANSACTION_EXPIRED' })
    await t.rejects(engine.completeRegistration({ transactionId: registration.transactionId, externalId: 'erin', response: new SoftwareAuthenticator().create(registration.publicKey) }),
      { code: 'FST_PASSKEY_MFA_TRANSACTION_EXPIRED' })
    await t.rejects(engine.beginAuthentication({ externalId: '' }), { code: 'FST_PASSKEY_MFA_ARGUMENT_INVALID' })
    await t.rejects(engine.beginRegistration({ externalId: 'erin', passkeyDisplayName: '' }), { code: 'FST_PASSKEY_MFA_ARGUMENT_INVALID' })
  })

  t.test('a first-passkey-only registration is refused once the user has one', async (t) => {
    await enroll('frank')
    const { transactionId, publicKey } = await engine.beginRegistration({ externalId: 'frank', passkeyDisplayName: 'frank', firstPasskeyOnly: true })
    t.equal(publicKey.excludeCredentials!.length, 1)
    await t.rejects(engine.completeRegistration({ transactionId, externalId: 'frank', response: new SoftwareAuthenticator().create(publicKey) }),
      { code: 'FST_PASSKEY_MFA_REGISTRATION_FORBIDDEN' })
  })
})
