import t from 'tap'
import { authenticate, flexPath, register } from './helpers/ceremonies.js'
import { buildEngineApp } from './helpers/engine-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'

const PARTNER = 'https://partner.test'

t.test('a cross-origin ceremony is accepted only from a configured top origin', async (t) => {
  const { app, engine } = await buildEngineApp(t, { topOrigins: [PARTNER] })
  const authenticator = new SoftwareAuthenticator()
  const embedded = { crossOrigin: true, topOrigin: PARTNER }
  const registerId = await engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'alice' })
  t.equal((await register(app, authenticator, registerId, embedded)).finish.statusCode, 200, 'registration inside the partner page')

  const refused: Array<[string, object]> = [
    ['another top origin', { crossOrigin: true, topOrigin: 'https://evil.example' }],
    ['no top origin', { crossOrigin: true }]
  ]
  for (const [name, tweaks] of refused) {
    const { finish } = await authenticate(app, authenticator, await engine.createAuthenticateTransaction({ externalId: 'alice' }), tweaks)
    t.equal(finish.statusCode, 401, name)
    t.equal(finish.json().code, 'FST_PASSKEY_MFA_AUTHENTICATION_REJECTED', name)
  }
  const { finish } = await authenticate(app, authenticator, await engine.createAuthenticateTransaction({ externalId: 'alice' }), embedded)
  t.equal(finish.statusCode, 200, 'authentication inside the partner page')
})

t.test('unreadable client data is refused by the verification', async (t) => {
  const { app, engine } = await buildEngineApp(t)
  const transactionId = await engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'alice' })
  const start = await app.inject({ method: 'POST', url: flexPath('register', 'start'), payload: { transaction_id: transactionId } })
  const { handshake } = start.json()
  const credential = new SoftwareAuthenticator().create(handshake.challenge.publicKey)
  for (const clientDataJSON of [Buffer.from('not json').toString('base64url'), Buffer.from('null').toString('base64url')]) {
    const id = await engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'alice' })
    const hs = (await app.inject({ method: 'POST', url: flexPath('register', 'start'), payload: { transaction_id: id } })).json().handshake
    const finish = await app.inject({
      method: 'POST',
      url: flexPath('register', 'finish'),
      payload: { transaction_id: id, handshake_id: hs.id, handshake_response: { ...credential, response: { ...credential.response, clientDataJSON } } }
    })
    t.equal(finish.statusCode, 400)
    t.equal(finish.json().code, 'FST_PASSKEY_MFA_REGISTRATION_REJECTED')
  }
})

t.test('CORS: configured origins may call the routes from the browser, others get no CORS headers', async (t) => {
  const { app } = await buildEngineApp(t, { corsOrigins: [PARTNER] })
  const preflight = async (origin: string) => app.inject({
    method: 'OPTIONS',
    url: flexPath('register', 'start'),
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,passage-flex-version' }
  })
  const allowed = await preflight(PARTNER)
  t.equal(allowed.statusCode, 204)
  t.match(allowed.headers, {
    'access-control-allow-origin': PARTNER,
    'access-control-allow-methods': 'POST, OPTIONS',
    'access-control-allow-headers': 'Content-Type, Passage-Flex-Version',
    vary: 'Origin'
  })
  t.notOk('access-control-allow-credentials' in allowed.headers)
  const refused = await preflight('https://evil.example')
  t.equal(refused.statusCode, 204)
  t.notOk('access-control-allow-origin' in refused.headers)
  t.notOk('access-control-allow-methods' in refused.headers)

  const call = await app.inject({ method: 'POST', url: flexPath('register', 'start'), headers: { origin: PARTNER }, payload: { transaction_id: 'x' } })
  t.equal(call.headers['access-control-allow-origin'], PARTNER, 'error answers carry CORS headers too, so the SDK can read them')
  t.equal(call.headers['access-control-expose-headers'], 'Retry-After', 'and a page on another origin can read how long a lock lasts')
})
