import t from 'tap'
import Fastify from 'fastify'
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import fastifyPasskeyMfa from '../src/index.js'
import type { PasskeyMfaOptions } from '../src/index.js'
import { PasskeyEngine } from '../src/engine/engine.js'
import { MemoryStore } from '../src/engine/stores/memory.js'
import { Browser } from './helpers/browser.js'
import { authenticate, flexPath, register } from './helpers/ceremonies.js'
import { APP_ID, ORIGIN, RP_ID, buildEngineApp } from './helpers/engine-app.js'
import { PREFIX, SESSION_KEY } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import { eachStore } from './helpers/stores.js'

const RELATED = 'https://shop.example'
const UNLISTED = 'https://evil.example'

eachStore(t, async (t, store) => {
  const { app, engine } = await buildEngineApp(t, { store, relatedOrigins: [RELATED] })
  t.same(engine.relatedOrigins, [RELATED])
  const related = new SoftwareAuthenticator({ origin: RELATED })

  t.test('ceremonies from a related origin are accepted', async (t) => {
    const registered = await register(app, related, await engine.createRegisterTransaction({ externalId: 'alice', passkeyDisplayName: 'alice' }))
    t.equal(registered.finish.statusCode, 200, 'registration')
    const authenticated = await authenticate(app, related, await engine.createAuthenticateTransaction({ externalId: 'alice' }))
    t.equal(authenticated.finish.statusCode, 200, 'authentication')
    t.equal(await engine.verifyNonce(authenticated.nonce!), 'alice')
  })

  t.test('ceremonies from an unlisted origin are still refused', async (t) => {
    const unlisted = new SoftwareAuthenticator({ origin: UNLISTED })
    const registered = await register(app, unlisted, await engine.createRegisterTransaction({ externalId: 'bob', passkeyDisplayName: 'bob' }))
    t.equal(registered.finish.statusCode, 400)
    t.equal(registered.finish.json().code, 'FST_PASSKEY_MFA_REGISTRATION_REJECTED')
    t.same(await engine.listPasskeys('bob'), [])
    const authenticated = await authenticate(app, related, await engine.createAuthenticateTransaction({ externalId: 'alice' }), { origin: UNLISTED })
    t.equal(authenticated.finish.statusCode, 401)
    t.equal(authenticated.finish.json().code, 'FST_PASSKEY_MFA_AUTHENTICATION_REJECTED')
  })
})

t.test('related origins may call the engine routes cross-origin, besides corsOrigins; others get no CORS headers', async (t) => {
  const { app } = await buildEngineApp(t, { relatedOrigins: [RELATED], corsOrigins: ['https://partner.test'] })
  const preflight = async (origin: string) => app.inject({
    method: 'OPTIONS', url: flexPath('register', 'start'), headers: { origin, 'access-control-request-method': 'POST' }
  })
  t.equal((await preflight(RELATED)).headers['access-control-allow-origin'], RELATED)
  t.equal((await preflight('https://partner.test')).headers['access-control-allow-origin'], 'https://partner.test')
  t.notOk('access-control-allow-origin' in (await preflight(UNLISTED)).headers)
})

t.test('relatedOrigins must be exact https origins', async (t) => {
  const options = { appId: APP_ID, rpId: RP_ID, rpName: 'Test', origins: [ORIGIN], store: new MemoryStore(), sweepIntervalMs: 0 }
  for (const relatedOrigins of [RELATED, [`${RELATED}/path`], ['http://shop.example'], ['not a url']]) {
    t.throws(() => new PasskeyEngine({ ...options, relatedOrigins: relatedOrigins as string[] }),
      { code: 'FST_PASSKEY_MFA_OPTIONS_INVALID', message: /relatedOrigins/ }, JSON.stringify(relatedOrigins))
  }
})

/** A host app with the plugin, its engine sharing the RP ID with `RELATED`; `alice` signs in with `POST /login`. */
async function buildApp (t: Test, options: Partial<PasskeyMfaOptions> = {}, relatedOrigins = [RELATED]): Promise<FastifyInstance> {
  const engine = new PasskeyEngine({ appId: APP_ID, rpId: RP_ID, rpName: 'Test', origins: [ORIGIN], relatedOrigins, store: new MemoryStore(), sweepIntervalMs: 0 })
  const app = Fastify()
  const alice = { externalId: 'alice', displayName: 'alice@example.com' }
  await app.register(fastifyPasskeyMfa, {
    sessionKey: SESSION_KEY, engine, limits: false, findUser: async () => alice, issueToken: async () => 'token', ...options
  })
  app.post('/login', async (request) => ({ next: await request.mfa.completeFirstFactor(alice) }))
  t.teardown(async () => {
    await app.close()
    await engine.close()
  })
  return app
}

t.test('GET /.well-known/webauthn is off by default', async (t) => {
  const app = await buildApp(t)
  t.equal((await app.inject('/.well-known/webauthn')).statusCode, 404)
})

t.test('with wellKnownWebauthn, GET /.well-known/webauthn lists the related origins, at the host\'s root', async (t) => {
  const app = await buildApp(t, { wellKnownWebauthn: true }, [RELATED, 'https://example.de'])
  const answer = await app.inject('/.well-known/webauthn')
  t.equal(answer.statusCode, 200)
  t.same(answer.json(), { origins: [RELATED, 'https://example.de'] })
  t.match(answer.headers['content-type'], /^application\/json/)
  t.equal(answer.headers['cache-control'], 'public, max-age=3600')
  t.equal((await app.inject(`${PREFIX}/.well-known/webauthn`)).statusCode, 404, 'not under the prefix')
})

t.test('wellKnownWebauthn is a boolean, and needs related origins', async (t) => {
  await t.rejects(buildApp(t, { wellKnownWebauthn: 'yes' as unknown as boolean }), { code: 'FST_PASSKEY_MFA_OPTIONS_INVALID', message: /wellKnownWebauthn must be a boolean/ })
  await t.rejects(buildApp(t, { wellKnownWebauthn: true }, []), { code: 'FST_PASSKEY_MFA_OPTIONS_INVALID', message: /wellKnownWebauthn needs engine.relatedOrigins/ })
})

t.test('a page on a related origin signs in through the plugin; an unlisted origin is refused as cross-site', async (t) => {
  const app = await buildApp(t)
  const scoped = { inject: async (options: { url: string }) => app.inject({ ...options, url: `${PREFIX}${options.url}` }) } as unknown as FastifyInstance
  const browser = new Browser(app)
  const from = (origin: string) => ({ origin })
  await browser.request('POST', '/login', {}, from(RELATED))
  const { transactionId } = (await browser.request('POST', `${PREFIX}/register`, {}, from(RELATED))).json()
  const { nonce } = await register(scoped, new SoftwareAuthenticator({ origin: RELATED }), transactionId)
  const refused = await browser.request('POST', `${PREFIX}/verify`, { nonce }, from(UNLISTED))
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().code, 'FST_PASSKEY_MFA_CROSS_SITE_REQUEST')
  const verified = await browser.request('POST', `${PREFIX}/verify`, { nonce }, from(RELATED))
  t.equal(verified.statusCode, 200)
  t.equal(verified.json().state, 'authenticated')
})
