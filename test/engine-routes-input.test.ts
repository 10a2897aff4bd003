import t from 'tap'
import { flexPath, post, register } from './helpers/ceremonies.js'
import { buildEngineApp } from './helpers/engine-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'

const BODY_INVALID = 'FST_PASSKEY_MFA_BODY_INVALID'

t.test('malformed bodies are refused with a coded 400 and spend nothing', async (t) => {
  const { app, engine } = await buildEngineApp(t)
  const transactionId = await engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'alice' })
  const valid = (await register(app, new SoftwareAuthenticator(), await engine.createRegisterTransaction({ externalId: 'x', passkeyDisplayName: 'x' }))).body as any
  const finish = (change: (body: any) => void) => {
    const body = structuredClone({ ...valid, transaction_id: transactionId })
    change(body)
    return body
  }

  const cases: Array<[string, string, unknown]> = [
    ['no body', flexPath('register', 'start'), undefined],
    ['an array', flexPath('register', 'start'), []],
    ['no transaction', flexPath('register', 'start'), { authenticator_attachment: 'platform' }],
    ['a numeric transaction', flexPath('register', 'start'), { transaction_id: 42 }],
    ['a huge transaction ID', flexPath('register', 'start'), { transaction_id: 'x'.repeat(129) }],
    ['an unknown attachment', flexPath('register', 'start'), { transaction_id: transactionId, authenticator_attachment: 'usb' }],
    ['a numeric transaction (authenticate)', flexPath('authenticate', 'start'), { transaction_id: 42 }],
    ['no handshake', flexPath('register', 'finish'), finish((body) => { delete body.handshake_id })],
    ['no response', flexPath('register', 'finish'), finish((body) => { delete body.handshake_response })],
    ['a wrong credential type', flexPath('register', 'finish'), finish((body) => { body.handshake_response.type = 'password' })],
    ['non-base64url client data', flexPath('register', 'finish'), finish((body) => { body.handshake_response.response.clientDataJSON = '{"type":1}' })],
    ['transports not an array', flexPath('register', 'finish'), finish((body) => { body.handshake_response.transports = 'usb' })],
    ['an empty credential ID', flexPath('register', 'finish'), finish((body) => { body.handshake_response.id = '' })],
    ['no signature', flexPath('authenticate', 'finish'), { transaction_id: 'x', handshake_id: 'y', handshake_response: { id: 'AA', rawId: 'AA', type: 'public-key', response: { clientDataJSON: 'AA', authenticatorData: 'AA' } } }]
  ]
  for (const [name, url, payload] of cases) {
    const response = await post(app, url, payload)
    t.equal(response.statusCode, 400, `${name}: status`)
    t.equal(response.json().code, BODY_INVALID, `${name}: code`)
    t.type(response.json().error, 'string', `${name}: a message for the SDK`)
    t.equal(response.json().message, response.json().error, `${name}: the same message`)
  }
  t.equal((await register(app, new SoftwareAuthenticator(), transactionId)).finish.statusCode, 200, 'the transaction is still usable')
})

t.test('bodies that are not JSON objects of a sane size', async (t) => {
  const { app } = await buildEngineApp(t)
  const url = flexPath('register', 'start')
  const send = async (payload: string, contentType = 'application/json') =>
    app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType } })
  const cases: Array<[string, Awaited<ReturnType<typeof send>>, number, string]> = [
    ['broken JSON', await send('{"transaction_id":'), 400, BODY_INVALID],
    ['a __proto__ key', await send('{"transaction_id":"x","__proto__":{"admin":true}}'), 400, BODY_INVALID],
    ['a body over 64 KiB', await send(JSON.stringify({ transaction_id: 'x', pad: 'x'.repeat(70_000) })), 413, 'FST_PASSKEY_MFA_BODY_TOO_LARGE'],
    ['form data', await send('transaction_id=x', 'application/x-www-form-urlencoded'), 415, 'FST_PASSKEY_MFA_MEDIA_TYPE_UNSUPPORTED']
  ]
  for (const [name, response, status, code] of cases) {
    t.equal(response.statusCode, status, `${name}: status`)
    t.equal(response.json().code, code, `${name}: code`)
  }
})

t.test('another app ID is not found', async (t) => {
  const { app, engine } = await buildEngineApp(t)
  const transactionId = await engine.createAuthenticateTransaction({ externalId: 'alice' })
  const response = await post(app, flexPath('authenticate', 'start', 'other-app'), { transaction_id: transactionId })
  t.equal(response.statusCode, 404)
  t.same(response.json(), { statusCode: 404, code: 'FST_PASSKEY_MFA_APP_NOT_FOUND', error: 'Unknown app', message: 'Unknown app' })
})
