import t from 'tap'
import { PREFIX, buildMfaApp } from './helpers/mfa-app.js'

// Every answer under the plugin's prefix is coded. The 100,000-case fuzz found an app ID of `.`
// (seed 1391340830 of the engine-routes property): the URL normalizes to a path no route has, and
// Fastify answered its own uncoded 404.

t.test('unknown paths and methods under the prefix get a coded 404; the host keeps its own 404 elsewhere', async (t) => {
  const mfa = await buildMfaApp(t)
  const cases: Array<[string, string]> = [
    ['POST', `${PREFIX}/flex/v1/apps/./register/transactions/webauthn/start`],
    ['POST', `${PREFIX}/flex/v1/apps/../authenticate/transactions/webauthn/finish`],
    ['POST', `${PREFIX}/flex/v1/apps/%2e/register/transactions/webauthn/start`],
    ['GET', `${PREFIX}/verify`],
    ['DELETE', `${PREFIX}/status`],
    ['GET', `${PREFIX}/no-such-route?x=1`],
    ['GET', PREFIX],
    ['POST', `${PREFIX}/${'a'.repeat(2048)}`]
  ]
  for (const [method, url] of cases) {
    const response = await mfa.app.inject({ method: method as 'GET', url, headers: { 'content-type': 'application/json' }, payload: method === 'GET' ? undefined : '{}' })
    const body = response.json()
    t.same([response.statusCode, body.code, body.statusCode], [404, 'FST_PASSKEY_MFA_ROUTE_NOT_FOUND', 404], `${method} ${url.slice(0, 80)}`)
    t.equal(body.error, 'Not Found')
    t.ok(body.message.length < 160, 'the message repeats at most 100 characters of the path')
    t.equal(response.headers['cache-control'], 'no-store')
  }
  const host = await mfa.app.inject({ method: 'GET', url: '/elsewhere' })
  t.equal(host.statusCode, 404)
  t.equal(host.json().code, undefined, 'a host path keeps Fastify\'s own 404')
})
