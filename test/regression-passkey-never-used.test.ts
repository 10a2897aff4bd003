import t from 'tap'
import { MemoryStore } from '../src/engine/stores/memory.js'
import { PREFIX, buildMfaApp, signUp } from './helpers/mfa-app.js'
import { nonce, passkey } from './helpers/store-contract.js'
import { SoftwareAuthenticator } from './helpers/software-authenticator.js'

// A registration now records its time as the passkey's last use. Passkeys registered before (or
// written by other tools) may have none: they still list, as never used.

t.test('a passkey without a last use lists as never used, in the engine and on GET /passkeys', async (t) => {
  const store = new MemoryStore()
  const mfa = await buildMfaApp(t, { store })
  const browser = await signUp(mfa, 'alice', new SoftwareAuthenticator())
  const old = passkey({ id: 'old-passkey', credentialId: 'b2xkLWNyZWRlbnRpYWw', externalId: 'alice', createdAt: 1, lastUsedAt: null })
  t.equal(await store.addPasskey(old, nonce({ externalId: 'alice', passkeyId: old.id }), false), 'added')

  t.equal((await mfa.engine.listPasskeys('alice')).find((info) => info.id === old.id)?.lastUsedAt, null)
  const listed = (await browser.get(`${PREFIX}/passkeys`)).json().passkeys as Array<{ id: string, lastUsedAt: string | null, createdAt: string }>
  t.equal(listed.find((view) => view.id === old.id)?.lastUsedAt, null, 'never used')
  const fresh = listed.find((view) => view.id !== old.id)
  t.equal(fresh?.lastUsedAt, fresh?.createdAt, 'a passkey registered now was last used when it was registered')
})
