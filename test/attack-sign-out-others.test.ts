import t from 'tap'
import type { AuditEvent } from '../src/index.js'
import { AttackScene } from './helpers/attack-scene.js'
import { PREFIX, signIn } from './helpers/mfa-app.js'
import { eachStore } from './helpers/stores.js'

// "Sign out other devices" keeps the session that asks, so it needs a fresh passkey check: a thief
// holding a stolen signed-in cookie must not be able to evict the owner and stay in (invariant 13, 14).

eachStore(t, async (t, store) => {
  const events: AuditEvent[] = []
  const scene = await AttackScene.build(t, store, { onEvent: (event) => events.push(event) })

  t.test('a stolen signed-in cookie without a passkey check cannot sign the owner out', async (t) => {
    const owner = await scene.member('owner')
    const stolen = owner.browser.clone()
    await scene.assertRefused(t, { sessions: [owner.browser, stolen], users: [owner.externalId] },
      async () => stolen.post(`${PREFIX}/sign-out-others`), { status: 401, code: 'FST_PASSKEY_MFA_STEP_UP_REQUIRED' })
    t.equal((await owner.browser.get('/protected')).statusCode, 200, 'the owner is still in')
    const pending = await scene.loggedIn(owner.externalId)
    await scene.assertRefused(t, { sessions: [pending, owner.browser], users: [owner.externalId] },
      async () => pending.post(`${PREFIX}/sign-out-others`), { status: 401, code: 'FST_PASSKEY_MFA_NOT_AUTHENTICATED' })
  })

  t.test('with a fresh passkey check, the other sessions end on every guard and this one stays', async (t) => {
    const owner = await scene.confirmedMember('keeper')
    const elsewhere = await signIn(scene.mfa, owner.externalId, owner.authenticator)
    const answer = await owner.browser.post(`${PREFIX}/sign-out-others`)
    t.equal(answer.statusCode, 200)
    t.same(answer.json(), { state: 'authenticated' })
    t.equal((await owner.browser.get('/protected')).statusCode, 200, 'this session stays')
    const ended = await elsewhere.get('/protected')
    t.equal(ended.statusCode, 401)
    t.equal(ended.json().code, 'FST_PASSKEY_MFA_NOT_AUTHENTICATED')
    t.match(events.at(-1), { type: 'sessions-revoked', externalId: owner.externalId })
    const later = await signIn(scene.mfa, owner.externalId, owner.authenticator)
    t.equal((await later.get('/protected')).statusCode, 200, 'a later sign-in is not affected')
  })
})
