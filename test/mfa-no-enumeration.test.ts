import t from 'tap'
import type { Test } from 'tap'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { Browser } from './helpers/browser.js'
import { authenticate, flexPath, post } from './helpers/ceremonies.js'
import { PREFIX, addUser, buildMfaApp, signUp } from './helpers/mfa-app.js'
import type { MfaApp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'
import type { AssertionTweaks } from './helpers/software-authenticator.js'

// Invariant 7 at the plugin level: a user without passkeys and one with them get answers of the
// same shape; unknown credential, bad signature and wrong user give the same error.

/** The shape of a JSON value: its keys and the types of its leaves, array lengths kept. */
function shape (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([key, inner]) => [key, shape(inner)]))
  }
  return value === null ? 'null' : typeof value
}

/** The app seen through the ceremony helpers, with the engine routes under the plugin's prefix. */
function scoped (mfa: MfaApp): FastifyInstance {
  return { inject: async (options: { url: string }) => mfa.app.inject({ ...options, url: `${PREFIX}${options.url}` }) } as unknown as FastifyInstance
}

function headerNames (response: LightMyRequestResponse): string[] {
  return Object.keys(response.headers).filter((name) => name !== 'date').sort()
}

/** alice and bob have a passkey each; carol and dave have none. */
async function setup (t: Test): Promise<{ mfa: MfaApp, alice: SoftwareAuthenticator, bob: SoftwareAuthenticator }> {
  const mfa = await buildMfaApp(t)
  const alice = new SoftwareAuthenticator()
  const bob = new SoftwareAuthenticator()
  await signUp(mfa, 'alice', alice)
  await signUp(mfa, 'bob', bob)
  addUser(mfa, 'carol')
  addUser(mfa, 'dave')
  return { mfa, alice, bob }
}

/** A session of `externalId` past the first factor that started the passkey step. */
async function startStep (mfa: MfaApp, externalId: string): Promise<{ browser: Browser, response: LightMyRequestResponse }> {
  const browser = new Browser(mfa.app)
  await browser.post('/login', { externalId })
  return { browser, response: await browser.post(`${PREFIX}/authenticate`) }
}

t.test('POST /authenticate and the engine\'s start look the same for users with and without passkeys', async (t) => {
  const { mfa } = await setup(t)
  const withPasskey = await startStep(mfa, 'alice')
  const without = await startStep(mfa, 'carol')

  t.equal(withPasskey.response.statusCode, 200)
  t.equal(without.response.statusCode, withPasskey.response.statusCode, 'same status')
  t.same(shape(without.response.json()), shape(withPasskey.response.json()), 'POST /authenticate: same keys and types')
  // Real credential IDs are 16 to 1023 bytes long, so only the rest of the answer can have one length.
  const lengthBesidesIds = ({ response }: { response: LightMyRequestResponse }): number =>
    response.body.length - response.json().options.allowCredentials.reduce((sum: number, { id }: { id: string }) => sum + id.length, 0)
  t.equal(lengthBesidesIds(without), lengthBesidesIds(withPasskey), 'POST /authenticate: same length besides the credential IDs')
  t.same(headerNames(without.response), headerNames(withPasskey.response), 'POST /authenticate: same headers')

  const engineStart = async (transactionId: string) => post(scoped(mfa), flexPath('authenticate', 'start'), { transaction_id: transactionId })
  const started = await engineStart(withPasskey.response.json().transactionId)
  const decoy = await engineStart(without.response.json().transactionId)
  t.equal(started.statusCode, 200)
  t.equal(decoy.statusCode, started.statusCode, 'engine start: same status')
  t.same(shape(decoy.json()), shape(started.json()), 'engine start: same keys, types and number of allowCredentials')
  t.same(headerNames(decoy), headerNames(started), 'engine start: same headers')
  const allowed = started.json().handshake.challenge.publicKey.allowCredentials
  const decoyAllowed = decoy.json().handshake.challenge.publicKey.allowCredentials
  t.equal(allowed.length, 1)
  t.equal(decoyAllowed.length, allowed.length, 'one allowed credential each')
  t.equal(decoyAllowed[0].type, 'public-key')
  t.match(decoyAllowed[0].id, /^[A-Za-z0-9_-]+$/, 'the decoy ID is base64url like a real one')

  const again = await engineStart((await startStep(mfa, 'carol')).response.json().transactionId)
  t.same(again.json().handshake.challenge.publicKey.allowCredentials, decoyAllowed, 'the decoy is the same on every attempt')
  const other = await engineStart((await startStep(mfa, 'dave')).response.json().transactionId)
  t.not(other.json().handshake.challenge.publicKey.allowCredentials[0].id, decoyAllowed[0].id, 'and differs per user')

  t.equal((await without.browser.get(`${PREFIX}/status`)).json().state, 'passkey-pending', 'both sessions wait for the passkey step')
  t.equal((await withPasskey.browser.get(`${PREFIX}/status`)).json().state, 'passkey-pending')
})

t.test('the engine\'s finish refuses a wrong credential, a bad signature and another user\'s credential alike', async (t) => {
  const { mfa, alice, bob } = await setup(t)
  const stranger = new SoftwareAuthenticator()
  stranger.create({
    challenge: 'AAAA', rp: { id: 'localhost', name: 'x' }, user: { id: 'AAAA', name: 'x', displayName: 'x' },
    pubKeyCredParams: [{ type: 'public-key', alg: -7 }]
  })
  const cases: Array<[string, string, SoftwareAuthenticator, AssertionTweaks]> = [
    ['an unknown credential', 'alice', stranger, { credential: stranger.credentials[0] }],
    ['a bad signature', 'alice', alice, { flipSignatureBit: true }],
    ['another user\'s credential', 'alice', alice, { credential: bob.credentials[0] }],
    ['another user\'s credential with its user handle', 'alice', alice, { credential: bob.credentials[0], userHandle: bob.credentials[0].userHandle }],
    ['a user without passkeys, with another user\'s credential', 'carol', alice, { credential: alice.credentials[0] }],
    ['a user without passkeys, with an unknown credential', 'carol', stranger, { credential: stranger.credentials[0] }]
  ]
  const refusals: Array<[string, LightMyRequestResponse]> = []
  for (const [name, externalId, authenticator, tweaks] of cases) {
    const { browser, response } = await startStep(mfa, externalId)
    const issued = [...mfa.issued]
    const { finish, nonce } = await authenticate(scoped(mfa), authenticator, response.json().transactionId, tweaks)
    t.equal(nonce, undefined, `${name}: no nonce`)
    t.equal((await browser.get(`${PREFIX}/status`)).json().state, 'passkey-pending', `${name}: the session did not move`)
    t.same(mfa.issued, issued, `${name}: no token`)
    refusals.push([name, finish])
  }

  const [[, first]] = refusals
  t.equal(first.statusCode, 401)
  t.equal(first.json().code, 'FST_PASSKEY_MFA_AUTHENTICATION_REJECTED')
  for (const [name, finish] of refusals.slice(1)) {
    t.equal(finish.statusCode, first.statusCode, `${name}: same status`)
    t.equal(finish.body, first.body, `${name}: same body`)
    t.same(headerNames(finish), headerNames(first), `${name}: same headers`)
  }

  const control = await startStep(mfa, 'alice')
  const { finish } = await authenticate(scoped(mfa), alice, control.response.json().transactionId)
  t.equal(finish.statusCode, 200, 'control: the same ceremony with nothing wrong passes')
})
