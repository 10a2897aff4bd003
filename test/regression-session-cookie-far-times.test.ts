import t from 'tap'
import { ORIGIN } from './helpers/engine-app.js'
import { PREFIX, addUser, buildMfaApp } from './helpers/mfa-app.js'
import { SessionMint } from './fuzz/session-mint.js'

const LATEST = Date.UTC(9000, 0, 1)

t.test('a sealed session cookie holding a time past the year 9000 is anonymous, not a 500 (found by the fuzzer)', async (t) => {
  const mfa = await buildMfaApp(t)
  addUser(mfa, 'alice')
  const mint = await SessionMint.open()
  t.teardown(async () => mint.close())
  const now = mfa.clock.now
  const request = async (method: 'GET' | 'POST', url: string, stored: object) => mfa.app.inject({
    method, url, headers: { origin: ORIGIN, cookie: `passkey_mfa=${mint.data(stored)}` }
  })

  const farStates: Array<[string, object]> = [
    ['a first factor with its deadline in 1e308 (no valid Date)', { l: 'f', s: 's1', u: 'alice', d: 1e308 }],
    ['a pending step ending at the last valid Date (a 6-digit year)', { l: 'p', s: 's2', u: 'alice', d: 8.64e15, t: ['x', 'a', 8.64e15] }],
    ['an authenticated session whose lifetime ends past the last valid Date', { l: 'a', s: 's3', u: 'alice', a: 8.64e15 - 1, e: now, k: now }],
    ['a first factor one millisecond past the year 9000', { l: 'f', s: 's4', u: 'alice', d: LATEST + 1 }]
  ]
  for (const [name, stored] of farStates) {
    const status = await request('GET', `${PREFIX}/status`, stored)
    t.equal(status.statusCode, 200, `${name}: status answers`)
    t.equal(status.json().state, 'anonymous', `${name}: is anonymous`)
    const started = await request('POST', `${PREFIX}/authenticate`, stored)
    t.equal(started.statusCode, 401, `${name}: starts no transaction`)
    t.equal(started.json().code, 'FST_PASSKEY_MFA_STATE_INVALID')
  }

  const latest = await request('GET', `${PREFIX}/status`, { l: 'f', s: 's5', u: 'alice', d: LATEST })
  t.same(latest.json(), { state: 'first-factor', next: 'enroll', hasPasskeys: false, pendingUntil: '9000-01-01T00:00:00.000Z', recoveryCodesLeft: null, recovered: false, trustedBrowserLifetimeMs: null, passkeySignIn: false }, 'the latest time accepted still answers')
  t.equal((await request('POST', `${PREFIX}/register`, { l: 'f', s: 's6', u: 'alice', d: LATEST })).statusCode, 200, 'and seals a cookie')
})
