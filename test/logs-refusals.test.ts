import t from 'tap'
import type { Test } from 'tap'
import { addUser, buildMfaApp, PREFIX, registerPasskey } from './helpers/mfa-app.js'
import { APP_ID } from './helpers/engine-app.js'
import { Browser } from './helpers/browser.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'

interface LogLine { level: number, msg: string, code?: string, statusCode?: number, err?: { stack?: string } }

/** A host app whose log lines (info and above) are collected, parsed. */
async function buildLoggedApp (t: Test, options: Parameters<typeof buildMfaApp>[1] = {}) {
  const lines: LogLine[] = []
  const mfa = await buildMfaApp(t, { ...options, logger: { level: 'info', stream: { write (line: string) { lines.push(JSON.parse(line) as LogLine) } } } })
  return { mfa, lines }
}

t.test('expected refusals are logged at info with their code and status, without a stack', async (t) => {
  const { mfa, lines } = await buildLoggedApp(t)
  const refusals: Array<[string, () => Promise<{ statusCode: number }>]> = [
    ['a guarded host route', async () => mfa.app.inject('/protected')],
    ['a plugin route', async () => mfa.app.inject({ method: 'POST', url: `${PREFIX}/verify`, payload: { nonce: 'no-such-nonce' } })],
    ['a ceremony', async () => mfa.app.inject({ method: 'POST', url: `${PREFIX}/flex/v1/apps/${APP_ID}/authenticate/transactions/webauthn/start`, payload: { transaction_id: 'none' } })],
    ['a 404 under the prefix', async () => mfa.app.inject(`${PREFIX}/no-such-route`)]
  ]
  for (const [what, send] of refusals) {
    lines.length = 0
    const { statusCode } = await send()
    t.ok(statusCode >= 400 && statusCode < 500, `${what}: a ${statusCode}`)
    const refused = lines.filter((line) => line.msg === 'passkey-mfa: request refused')
    t.match(refused, [{ level: 30, statusCode, code: /^FST_PASSKEY_MFA_/ }], `${what}: logged once at info with its code`)
    t.equal(refused.length, 1)
    t.same(lines.filter((line) => line.err !== undefined || line.level > 30), [], `${what}: no error, no stack`)
  }
})

t.test('an unexpected failure is logged at error with its stack', async (t) => {
  const { mfa, lines } = await buildLoggedApp(t, { issueToken: async () => { throw new Error('the token service is down') } })
  addUser(mfa, 'alice')
  const browser = new Browser(mfa.app)
  await browser.post('/login', { externalId: 'alice' })
  const nonce = await registerPasskey(mfa, browser, new SoftwareAuthenticator())
  lines.length = 0
  t.equal((await browser.post(`${PREFIX}/verify`, { nonce })).statusCode, 500)
  t.match(lines.filter((line) => line.level >= 40), [{ level: 50, msg: 'passkey-mfa: request failed', err: { stack: /the token service is down/ } }])
})
