import t from 'tap'
import { authenticateFinishBody, flexPath, post, registerFinishBody } from './helpers/ceremonies.js'
import { buildEngineApp } from './helpers/engine-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'

t.test('registration answers with transports beside, inside or without the response', async (t) => {
  const { app, engine } = await buildEngineApp(t)
  const shapes: Array<[string, (body: any) => void, string[]]> = [
    ['beside (Passage SDK)', () => {}, ['internal', 'hybrid']],
    ['inside (@simplewebauthn/browser)', (body) => {
      body.handshake_response.response.transports = ['usb']
      delete body.handshake_response.transports
    }, ['usb']],
    ['none', (body) => { delete body.handshake_response.transports }, []]
  ]
  for (const [name, change, transports] of shapes) {
    const externalId = `user-${name}`
    const transactionId = await engine.createRegisterTransaction({ externalId, passkeyDisplayName: 'x' })
    const { handshake } = (await post(app, flexPath('register', 'start'), { transaction_id: transactionId, authenticator_attachment: 'any' })).json()
    t.notOk('authenticatorAttachment' in handshake.challenge.publicKey.authenticatorSelection, 'any: no preference')
    const body: any = registerFinishBody(transactionId, handshake.id, new SoftwareAuthenticator().create(handshake.challenge.publicKey))
    change(body)
    t.equal((await post(app, flexPath('register', 'finish'), body)).statusCode, 200, name)
    t.same((await engine.listPasskeys(externalId))[0].transports, transports, `${name}: transports stored`)
  }
})

t.test('a packed attestation with a bad signature is refused', async (t) => {
  const { app, engine } = await buildEngineApp(t)
  const transactionId = await engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'x' })
  const { handshake } = (await post(app, flexPath('register', 'start'), { transaction_id: transactionId })).json()
  const credential = new SoftwareAuthenticator({ attestation: 'packed' }).create(handshake.challenge.publicKey, { flipAttestationSignatureBit: true })
  const finish = await post(app, flexPath('register', 'finish'), registerFinishBody(transactionId, handshake.id, credential))
  t.equal(finish.statusCode, 400)
  t.equal(finish.json().code, 'FST_PASSKEY_MFA_REGISTRATION_REJECTED')
  t.same(await engine.listPasskeys('alice'), [])
})

t.test('an assertion without a user handle ("", null or absent) is checked by its credential alone', async (t) => {
  const { app, engine } = await buildEngineApp(t)
  const authenticator = new SoftwareAuthenticator()
  const registerId = await engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'x' })
  const { handshake } = (await post(app, flexPath('register', 'start'), { transaction_id: registerId, authenticator_attachment: 'cross-platform' })).json()
  t.equal(handshake.challenge.publicKey.authenticatorSelection.authenticatorAttachment, 'cross-platform')
  await post(app, flexPath('register', 'finish'), registerFinishBody(registerId, handshake.id, authenticator.create(handshake.challenge.publicKey)))
  for (const userHandle of ['', null, undefined]) {
    const transactionId = await engine.createAuthenticateTransaction({ externalId: 'alice' })
    const start = (await post(app, flexPath('authenticate', 'start'), { transaction_id: transactionId })).json()
    const body: any = authenticateFinishBody(transactionId, start.handshake.id, authenticator.get(start.handshake.challenge.publicKey, { userHandle: null }))
    body.handshake_response.response.userHandle = userHandle
    t.equal((await post(app, flexPath('authenticate', 'finish'), body)).statusCode, 200, JSON.stringify(userHandle))
  }
})

t.test('expired transactions and nonces are swept', async (t) => {
  const { engine, clock } = await buildEngineApp(t)
  await engine.createAuthenticateTransaction({ externalId: 'alice' })
  clock.advance(5 * 60_000 + 1)
  await engine.createAuthenticateTransaction({ externalId: 'alice' })
  t.equal(await engine.sweep(), 1, 'only the expired one')
  t.equal(await engine.sweep(), 0)
})
