/**
 * The host's `findUser` failing: the route answers a coded 500 (the host failed, not the browser's
 * input), the session does not move, and a nonce redeemed before the failure stays spent. A throwing
 * `issueToken` is mfa-failures.test.ts ("a throwing issueToken leaves the session pending and the
 * nonce spent").
 */
import t from 'tap'
import type { Test } from 'tap'
import { ceremony, firstFactor } from './helpers/fault-flows.js'
import { PREFIX, buildMfaApp, signUp } from './helpers/mfa-app.js'
import type { MfaApp } from './helpers/mfa-app.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'

const INTERNAL = { statusCode: 500, code: 'FST_PASSKEY_MFA_INTERNAL', error: 'Internal Server Error', message: 'Internal error' }

/** An app whose `findUser` throws while `hostDown.value` is set. */
async function appWithFlakyHost (t: Test): Promise<{ mfa: MfaApp, hostDown: { value: boolean } }> {
  const hostDown = { value: false }
  const mfa: MfaApp = await buildMfaApp(t, {
    findUser: async (externalId) => {
      if (hostDown.value) throw new Error('user database down')
      return mfa.users.get(externalId) ?? null
    }
  })
  return { mfa, hostDown }
}

t.test('a throwing findUser at POST /verify leaves the session pending and the nonce unspent', async (t) => {
  const { mfa, hostDown } = await appWithFlakyHost(t)
  const authenticator = new SoftwareAuthenticator()
  await signUp(mfa, 'alice', authenticator)
  const issued = [...mfa.issued]
  const browser = await firstFactor(mfa, 'alice')
  const { nonce } = (await ceremony(mfa, browser, 'authenticate', authenticator)).json()

  hostDown.value = true
  const verify = await browser.post(`${PREFIX}/verify`, { nonce })
  hostDown.value = false
  t.same(verify.json(), INTERNAL)
  t.equal(verify.statusCode, 500)
  t.equal((await browser.get(`${PREFIX}/status`)).json().state, 'passkey-pending')
  t.same(mfa.issued, issued, 'no token')
  t.match((await browser.post(`${PREFIX}/verify`, { nonce })).json(), { state: 'authenticated', auth_token: String }, 'the nonce still completes the step')
})

t.test('a throwing findUser at the two-request POST /verify uses no passkey and spends nothing', async (t) => {
  const { mfa, hostDown } = await appWithFlakyHost(t)
  const authenticator = new SoftwareAuthenticator()
  await signUp(mfa, 'alice', authenticator)
  const [before] = await mfa.engine.listPasskeys('alice')
  const browser = await firstFactor(mfa, 'alice')
  const { transactionId, options } = (await browser.post(`${PREFIX}/authenticate`)).json()
  const body = { transactionId, response: authenticator.get(options) }

  hostDown.value = true
  const verify = await browser.post(`${PREFIX}/verify`, body)
  hostDown.value = false
  t.same(verify.json(), INTERNAL)
  t.same(await mfa.engine.listPasskeys('alice'), [before], 'the passkey was not used')
  t.match((await browser.post(`${PREFIX}/verify`, body)).json(), { state: 'authenticated', auth_token: String }, 'the same answer then completes the step')
})

t.test('a throwing findUser at POST /register creates no transaction for the session', async (t) => {
  const { mfa, hostDown } = await appWithFlakyHost(t)
  const browser = await firstFactor(mfa, 'alice')
  const before = (await browser.get(`${PREFIX}/status`)).json()

  hostDown.value = true
  const register = await browser.post(`${PREFIX}/register`)
  hostDown.value = false
  t.same(register.json(), INTERNAL)
  t.same((await browser.get(`${PREFIX}/status`)).json(), before, 'still first-factor')
})
