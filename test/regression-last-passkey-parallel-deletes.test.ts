import t from 'tap'
import { PREFIX, registerPasskey, buildMfaApp, signUp, stepUp } from './helpers/mfa-app.js'
import { eachStore } from './helpers/stores.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'

// Found by the adversarial review: DELETE /passkeys/:id checked "is it the last one?" and then
// deleted, so two parallel deletes of a user's last two passkeys both passed the check and left the
// user (policy `required`) with none. The store now refuses the last one in the same atomic step.
eachStore(t, async (t, store) => {
  t.test('parallel deletes of the last two passkeys under policy required leave one', async (t) => {
    const mfa = await buildMfaApp(t, { store })
    const authenticator = new SoftwareAuthenticator()
    const browser = await signUp(mfa, 'alice', authenticator)
    await stepUp(mfa, browser, authenticator)
    t.equal((await browser.post(`${PREFIX}/verify`, { nonce: await registerPasskey(mfa, browser, new SoftwareAuthenticator()) })).statusCode, 200)
    const ids = (await browser.get(`${PREFIX}/passkeys`)).json().passkeys.map((passkey: { id: string }) => passkey.id) as string[]
    t.equal(ids.length, 2)
    const answers = await Promise.all(ids.map(async (id) => browser.request('DELETE', `${PREFIX}/passkeys/${id}`)))
    t.same(answers.map((answer) => answer.statusCode).sort(), [204, 409], 'one delete passes, the other is refused')
    t.equal(answers.find((answer) => answer.statusCode === 409)?.json().code, 'FST_PASSKEY_MFA_LAST_PASSKEY')
    t.equal((await browser.get(`${PREFIX}/passkeys`)).json().passkeys.length, 1, 'the user keeps a passkey')
  })
})
