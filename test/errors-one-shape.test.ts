import t from 'tap'
import type { LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import { addUser, buildMfaApp, PREFIX, signUp } from './helpers/mfa-app.js'
import { APP_ID } from './helpers/engine-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'

/** `response` answered `{ statusCode, code, error, message }`: `error` the HTTP reason, `message` the human text. */
function answered (t: Test, response: LightMyRequestResponse, statusCode: number, code: string, error: string): void {
  const body = response.json()
  t.same(Object.keys(body).sort(), ['code', 'error', 'message', 'statusCode'], `${code}: the four fields`)
  t.match(body, { statusCode, code, error, message: /\w/ }, `${statusCode} ${code}`)
  t.equal(response.statusCode, statusCode)
}

t.test('guards answer the one shape, even on a host route with its own error handler', async (t) => {
  const mfa = await buildMfaApp(t)
  await mfa.app.register(async (scope) => {
    scope.setErrorHandler(async (_error, _request, reply) => reply.code(418).send({ mine: true }))
    scope.get('/custom', { preHandler: mfa.app.mfa.requireAuthenticated }, async () => ({ ok: true }))
  })
  answered(t, await mfa.app.inject('/protected'), 401, 'FST_PASSKEY_MFA_NOT_AUTHENTICATED', 'Unauthorized')
  answered(t, await mfa.app.inject('/custom'), 401, 'FST_PASSKEY_MFA_NOT_AUTHENTICATED', 'Unauthorized')
  const browser = await signUp(mfa, 'alice', new SoftwareAuthenticator())
  mfa.clock.advance(61_000)
  answered(t, await browser.get('/sensitive'), 401, 'FST_PASSKEY_MFA_STEP_UP_REQUIRED', 'Unauthorized')
})

t.test('the plugin\'s routes, 404s under its prefix and body parsing answer the one shape', async (t) => {
  const mfa = await buildMfaApp(t)
  addUser(mfa, 'alice')
  const json = { 'content-type': 'application/json' }
  answered(t, await mfa.app.inject({ method: 'POST', url: `${PREFIX}/verify`, headers: json, payload: '{}' }), 400, 'FST_PASSKEY_MFA_BODY_INVALID', 'Bad Request')
  answered(t, await mfa.app.inject({ method: 'POST', url: `${PREFIX}/verify`, headers: json, payload: '{' }), 400, 'FST_PASSKEY_MFA_BODY_INVALID', 'Bad Request')
  answered(t, await mfa.app.inject({ method: 'POST', url: `${PREFIX}/verify`, headers: { 'content-type': 'application/xml' }, payload: '<x/>' }), 415, 'FST_PASSKEY_MFA_MEDIA_TYPE_UNSUPPORTED', 'Unsupported Media Type')
  answered(t, await mfa.app.inject({ method: 'POST', url: `${PREFIX}/verify`, headers: json, payload: JSON.stringify({ nonce: 'x'.repeat(2_000_000) }) }), 413, 'FST_PASSKEY_MFA_BODY_TOO_LARGE', 'Payload Too Large')
  answered(t, await mfa.app.inject(`${PREFIX}/no-such-route`), 404, 'FST_PASSKEY_MFA_ROUTE_NOT_FOUND', 'Not Found')
  answered(t, await mfa.app.inject(`${PREFIX}/passkeys`), 401, 'FST_PASSKEY_MFA_NOT_AUTHENTICATED', 'Unauthorized')
})

t.test('rate-limited requests answer the one shape, with Retry-After', async (t) => {
  const mfa = await buildMfaApp(t, { limits: { requestsPerAddress: { max: 1, windowMs: 60_000 } } })
  t.equal((await mfa.app.inject(`${PREFIX}/status`)).statusCode, 200)
  const limited = await mfa.app.inject(`${PREFIX}/status`)
  answered(t, limited, 429, 'FST_PASSKEY_MFA_RATE_LIMITED', 'Too Many Requests')
  t.equal(limited.headers['retry-after'], '60')
})

t.test('the engine\'s Passage-compatible routes repeat the message as `error`, which Passage\'s SDK shows', async (t) => {
  const mfa = await buildMfaApp(t)
  const url = (appId: string): string => `${PREFIX}/flex/v1/apps/${appId}/register/transactions/webauthn/start`
  const unknownApp = await mfa.app.inject({ method: 'POST', url: url('other'), payload: { transaction_id: 'x' } })
  t.same(unknownApp.json(), { statusCode: 404, code: 'FST_PASSKEY_MFA_APP_NOT_FOUND', error: 'Unknown app', message: 'Unknown app' })
  const unknownTransaction = await mfa.app.inject({ method: 'POST', url: url(APP_ID), payload: { transaction_id: 'no-such-transaction' } })
  t.same(unknownTransaction.json(), {
    statusCode: 404, code: 'FST_PASSKEY_MFA_TRANSACTION_NOT_FOUND', error: 'Unknown or already used transaction', message: 'Unknown or already used transaction'
  })
})
