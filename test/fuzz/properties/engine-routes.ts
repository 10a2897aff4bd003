import type { CeremonyKind } from '../../../src/engine/store.js'
import { post } from '../../helpers/ceremonies.js'
import { APP_ID } from '../../helpers/engine-app.js'
import type { AssertionTweaks, RegistrationTweaks } from '../../helpers/software-authenticator.js'
import type { FuzzProperty } from '../fuzz-property.js'
import { authenticationFinish, createTransaction, registrationFinish, startCeremony, wirePath } from '../material.js'
import type { Started } from '../material.js'
import { editString } from '../edits.js'
import { mutate } from '../mutations.js'
import { encodeSegment, jsonPayload } from '../requests.js'
import { userOf } from '../sessions.js'
import { ALICE, BOB } from '../world.js'
import type { World } from '../world.js'
import { engineCase } from './engine-case.js'
import type { EngineCase } from './engine-case.js'

/** The ceremony routes' bodies, parameters and timing, mutated from real ceremonies (and their CORS preflights). */
export const engineRoutes: FuzzProperty<EngineCase> = {
  name: 'engine routes',
  arbitrary: engineCase,
  async prepare (world, testCase) {
    const externalId = userOf(world, testCase.user)
    const { kind, step } = testCase
    const transactionId = await createTransaction(world, kind, externalId, testCase.firstPasskeyOnly)
    const body = step === 'start'
      ? { transaction_id: transactionId, ...(testCase.attachment === undefined || kind === 'authenticate' ? {} : { authenticator_attachment: testCase.attachment }) }
      : await finishBody(world, testCase, externalId, transactionId)
    const { transaction_id: own, ...rest } = body as { transaction_id: string }
    const sent = { transaction_id: await transactionFor(world, testCase, externalId, own), ...rest }
    const url = wirePath(kind, step, appIdFor(testCase.appId))
    const { advanceMs } = testCase
    if (testCase.preflight) return { method: 'OPTIONS', url, headers: { ...testCase.headers, 'access-control-request-method': 'POST' }, advanceMs }
    const { payload, headers } = jsonPayload(mutate(sent, testCase.mutations))
    return { method: 'POST', url, payload, headers: { ...headers, ...testCase.headers }, advanceMs }
  }
}

async function finishBody (world: World, testCase: EngineCase, externalId: string, transactionId: string): Promise<object> {
  const { kind } = testCase
  const started = await startCeremony(world, kind, transactionId)
  const answered = kind === 'register'
    ? registrationFinish(transactionId, started, { options: testCase.authenticator, tweaks: registrationTweaksOf(world, testCase) })
    : authenticationFinish(world, externalId, transactionId, started, assertionTweaksOf(world, testCase, externalId))
  const body = (answered ?? authenticationFinish(world, externalId, transactionId, started, { credential: otherCredential(world, externalId) })) as { handshake_id: string }
  return { ...body, handshake_id: await handshakeFor(world, testCase, externalId, transactionId, started) }
}

function registrationTweaksOf (world: World, testCase: EngineCase): RegistrationTweaks {
  if (!testCase.takenCredential) return testCase.registration
  const [taken] = world.authenticators.get(ALICE)?.[0].credentials ?? []
  return { ...testCase.registration, credentialId: taken.id }
}

function assertionTweaksOf (world: World, testCase: EngineCase, externalId: string): AssertionTweaks {
  return testCase.otherCredential ? { ...testCase.assertion, credential: otherCredential(world, externalId) } : testCase.assertion
}

/** A credential of a user other than `externalId`. */
function otherCredential (world: World, externalId: string): NonNullable<AssertionTweaks['credential']> {
  const [credential] = world.authenticators.get(externalId === BOB ? ALICE : BOB)?.[0].credentials ?? []
  return credential
}

async function handshakeFor (world: World, testCase: EngineCase, externalId: string, transactionId: string, started: Started): Promise<string> {
  const spec = testCase.handshake
  if (typeof spec === 'object') return editString(started.handshakeId, spec.edit)
  switch (spec) {
    case 'own':
      return started.handshakeId
    case 'replaced':
      await startCeremony(world, testCase.kind, transactionId)
      return started.handshakeId
    case 'other-transaction':
      return (await startCeremony(world, testCase.kind, await createTransaction(world, testCase.kind, externalId))).handshakeId
  }
}

async function transactionFor (world: World, testCase: EngineCase, externalId: string, own: string): Promise<unknown> {
  const spec = testCase.transaction
  const { kind } = testCase
  if (typeof spec === 'object') return 'edit' in spec ? editString(own, spec.edit) : spec.value
  switch (spec) {
    case 'own':
      return own
    case 'other-kind':
      return createTransaction(world, kind === 'register' ? 'authenticate' : 'register', externalId)
    case 'other-user':
      return createTransaction(world, kind, externalId === ALICE ? BOB : ALICE)
    case 'spent':
      await spend(world, kind, own)
      return own
  }
}

/** Consumes a transaction the way a failed finish does (a well-formed answer with the wrong handshake). */
async function spend (world: World, kind: CeremonyKind, transactionId: string): Promise<void> {
  const response = { clientDataJSON: 'AA', attestationObject: 'AA', authenticatorData: 'AA', signature: 'AA' }
  await post(world.mfa.app, wirePath(kind, 'finish'), {
    transaction_id: transactionId, handshake_id: 'spent', handshake_response: { id: 'AA', rawId: 'AA', type: 'public-key', response }
  })
}

function appIdFor (spec: EngineCase['appId']): string {
  if (spec === 'own') return APP_ID
  if ('raw' in spec) return spec.raw
  return encodeSegment('edit' in spec ? editString(APP_ID, spec.edit) : spec.value)
}
