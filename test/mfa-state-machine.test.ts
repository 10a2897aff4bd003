import t from 'tap'
import { ANONYMOUS, assertCanStart, expire, transition } from '../src/mfa/state-machine.js'
import type { Authenticated, MfaState } from '../src/mfa/state-machine.js'

const LIFETIMES = { pending: 300_000, idle: 1_800_000, absolute: 43_200_000 }
const NOW = 1_000_000
const firstFactor = transition(ANONYMOUS, { type: 'first-factor', sessionId: 's', externalId: 'u', epoch: 3, passkeyRequired: true }, NOW, LIFETIMES)

t.test('the first factor starts a fixed deadline, or lets a user without a required passkey in', async (t) => {
  t.same(firstFactor, { level: 'first-factor', sessionId: 's', externalId: 'u', epoch: 3, deadline: NOW + LIFETIMES.pending })
  t.same(transition(ANONYMOUS, { type: 'first-factor', sessionId: 's', externalId: 'u', epoch: 3, passkeyRequired: false }, NOW, LIFETIMES),
    { level: 'authenticated', sessionId: 's', externalId: 'u', epoch: 3, authenticatedAt: NOW, lastSeenAt: NOW, passkeyAt: null })
})

t.test('a transaction makes the session pending without extending its deadline', async (t) => {
  const pending = transition(firstFactor, { type: 'transaction', id: 'T1', kind: 'authenticate', hasPasskeys: true }, NOW + 60_000, LIFETIMES)
  t.same(pending, { level: 'passkey-pending', sessionId: 's', externalId: 'u', epoch: 3, deadline: NOW + LIFETIMES.pending, transaction: { id: 'T1', kind: 'authenticate', deadline: NOW + LIFETIMES.pending } })
  const restarted = transition(pending, { type: 'transaction', id: 'T2', kind: 'authenticate', hasPasskeys: true }, NOW + 120_000, LIFETIMES)
  t.match(restarted, { transaction: { id: 'T2', deadline: NOW + LIFETIMES.pending } }, 'a restart replaces the transaction')
  t.equal(expire(restarted, NOW + LIFETIMES.pending - 1, LIFETIMES), restarted)
  t.equal(expire(restarted, NOW + LIFETIMES.pending, LIFETIMES), ANONYMOUS, 'the deadline is fixed')
})

t.test('registering from the first factor is for users without passkeys only', async (t) => {
  t.throws(() => transition(firstFactor, { type: 'transaction', id: 'T', kind: 'register', hasPasskeys: true }, NOW, LIFETIMES), { code: 'FST_PASSKEY_MFA_REGISTRATION_FORBIDDEN' })
  t.match(transition(firstFactor, { type: 'transaction', id: 'T', kind: 'register', hasPasskeys: false }, NOW, LIFETIMES), { level: 'passkey-pending' })
  t.throws(() => assertCanStart(ANONYMOUS, 'authenticate', false), { code: 'FST_PASSKEY_MFA_STATE_INVALID' })
  t.throws(() => transition(ANONYMOUS, { type: 'transaction', id: 'T', kind: 'register', hasPasskeys: false }, NOW, LIFETIMES), { code: 'FST_PASSKEY_MFA_STATE_INVALID' })
})

t.test('a verified nonce authenticates; later checks add passkeys or step up', async (t) => {
  const pending = transition(firstFactor, { type: 'transaction', id: 'T', kind: 'authenticate', hasPasskeys: true }, NOW, LIFETIMES)
  const authenticated = transition(pending, { type: 'verified' }, NOW + 5, LIFETIMES) as Authenticated
  t.same(authenticated, { level: 'authenticated', sessionId: 's', externalId: 'u', epoch: 3, authenticatedAt: NOW + 5, lastSeenAt: NOW + 5, passkeyAt: NOW + 5 })
  t.throws(() => transition(authenticated, { type: 'verified' }, NOW, LIFETIMES), { code: 'FST_PASSKEY_MFA_STATE_INVALID' }, 'nothing pending')
  t.throws(() => transition(firstFactor, { type: 'verified' }, NOW, LIFETIMES), { code: 'FST_PASSKEY_MFA_STATE_INVALID' })

  const adding = transition(authenticated, { type: 'transaction', id: 'R', kind: 'register', hasPasskeys: true }, NOW + 10, LIFETIMES)
  t.match(adding, { level: 'authenticated', transaction: { id: 'R', kind: 'register', deadline: NOW + 10 + LIFETIMES.pending } })
  t.same(transition(adding, { type: 'verified' }, NOW + 20, LIFETIMES), { ...authenticated, lastSeenAt: NOW + 20 }, 'adding a passkey is no passkey check')
  const stepUp = transition(authenticated, { type: 'transaction', id: 'A', kind: 'authenticate', hasPasskeys: true }, NOW + 30, LIFETIMES)
  t.same(transition(stepUp, { type: 'verified' }, NOW + 40, LIFETIMES), { ...authenticated, lastSeenAt: NOW + 40, passkeyAt: NOW + 40 })
  t.same(expire(stepUp, NOW + 30 + LIFETIMES.pending, LIFETIMES), authenticated, 'an expired pending check is dropped')
})

t.test('the authenticated state ends after the idle timeout or the absolute lifetime', async (t) => {
  const authenticated: MfaState = { level: 'authenticated', sessionId: 's', externalId: 'u', epoch: 0, authenticatedAt: NOW, lastSeenAt: NOW, passkeyAt: NOW }
  t.equal(expire(authenticated, NOW + LIFETIMES.idle - 1, LIFETIMES), authenticated)
  t.equal(expire(authenticated, NOW + LIFETIMES.idle, LIFETIMES), ANONYMOUS)
  const active = transition(authenticated, { type: 'activity' }, NOW + LIFETIMES.absolute - 1, LIFETIMES)
  t.match(active, { lastSeenAt: NOW + LIFETIMES.absolute - 1 })
  t.equal(expire(active, NOW + LIFETIMES.absolute, LIFETIMES), ANONYMOUS)
  t.equal(transition(firstFactor, { type: 'activity' }, NOW, LIFETIMES), firstFactor, 'activity does not extend the first factor')
  t.equal(expire(ANONYMOUS, NOW, LIFETIMES), ANONYMOUS)
  t.equal(transition(authenticated, { type: 'logout' }, NOW, LIFETIMES), ANONYMOUS)
})

t.test('an enrollment signs the session in without counting as a passkey check', async (t) => {
  const enrolling = transition(firstFactor, { type: 'transaction', id: 'R', kind: 'register', hasPasskeys: false }, NOW, LIFETIMES)
  t.same(transition(enrolling, { type: 'verified' }, NOW + 5, LIFETIMES),
    { level: 'authenticated', sessionId: 's', externalId: 'u', epoch: 3, authenticatedAt: NOW + 5, lastSeenAt: NOW + 5, passkeyAt: null })
})

t.test('revoking the user\'s other sessions moves this session\'s epoch past the revocation, never back', async (t) => {
  t.match(transition(firstFactor, { type: 'others-revoked', epoch: 9 }, NOW, LIFETIMES), { level: 'first-factor', epoch: 9 })
  t.match(transition(firstFactor, { type: 'others-revoked', epoch: 2 }, NOW, LIFETIMES), { epoch: 3 })
  t.equal(transition(ANONYMOUS, { type: 'others-revoked', epoch: 9 }, NOW, LIFETIMES), ANONYMOUS)
})

t.test('a recovery code signs a session past the first factor in, without a passkey check, and nothing else', async (t) => {
  const pending = transition(firstFactor, { type: 'transaction', id: 'T', kind: 'authenticate', hasPasskeys: true }, NOW, LIFETIMES)
  for (const state of [firstFactor, pending]) {
    t.same(transition(state, { type: 'recovered' }, NOW + 5, LIFETIMES),
      { level: 'authenticated', sessionId: 's', externalId: 'u', epoch: 3, authenticatedAt: NOW + 5, lastSeenAt: NOW + 5, passkeyAt: null, recovered: true })
  }
  const authenticated = transition(pending, { type: 'verified' }, NOW, LIFETIMES)
  for (const state of [ANONYMOUS, authenticated]) {
    t.throws(() => transition(state, { type: 'recovered' }, NOW, LIFETIMES), { code: 'FST_PASSKEY_MFA_STATE_INVALID' }, state.level)
  }
})
