import { authenticateFinishBody, flexPath, registerFinishBody } from './ceremonies.js'
import type { HttpAnswer, HttpBrowser } from './instance-browser.js'
import type { Instance } from './instance-process.js'
import { PREFIX } from './mfa-app.js'
import type { AssertionTweaks, RegistrationTweaks, SoftwareAuthenticator } from './software-authenticator.js'

/**
 * A passkey ceremony over the engine routes, as Passage's browser SDK runs it (JSON, no cookies),
 * started on `startOn` and finished on `finishOn`, with the authenticator's answer spoilt by `tweaks`;
 * returns the finish answer.
 */
export async function runCeremony (
  kind: 'register' | 'authenticate', authenticator: SoftwareAuthenticator, transactionId: string,
  startOn: Instance, finishOn = startOn, tweaks: AssertionTweaks & RegistrationTweaks = {}
): Promise<HttpAnswer> {
  const startBody = kind === 'register' ? { transaction_id: transactionId, authenticator_attachment: 'platform' } : { transaction_id: transactionId }
  const { handshake } = succeeded(await postFlex(startOn, flexPath(kind, 'start'), startBody), `${startOn.name} ${kind} start`)
  const finishBody = kind === 'register'
    ? registerFinishBody(transactionId, handshake.id, authenticator.create(handshake.challenge.publicKey, tweaks))
    : authenticateFinishBody(transactionId, handshake.id, authenticator.get(handshake.challenge.publicKey, tweaks))
  return await postFlex(finishOn, flexPath(kind, 'finish'), finishBody)
}

/** {@link runCeremony} without tweaks; returns the nonce. */
export async function passkeyCeremony (
  kind: 'register' | 'authenticate', authenticator: SoftwareAuthenticator, transactionId: string, startOn: Instance, finishOn = startOn
): Promise<string> {
  return succeeded(await runCeremony(kind, authenticator, transactionId, startOn, finishOn), `${finishOn.name} ${kind} finish`).nonce
}

/** Signs a new user up on `instance`: first factor, enrollment of a first passkey, verify; returns the verify answer. */
export async function signUpOn (instance: Instance, browser: HttpBrowser, externalId: string, authenticator: SoftwareAuthenticator): Promise<HttpAnswer> {
  return await passkeyStepOn(instance, browser, externalId, 'register', authenticator)
}

/** Signs a user with a passkey in on `instance`: first factor, passkey step, verify; returns the verify answer. */
export async function signInOn (instance: Instance, browser: HttpBrowser, externalId: string, authenticator: SoftwareAuthenticator): Promise<HttpAnswer> {
  return await passkeyStepOn(instance, browser, externalId, 'authenticate', authenticator)
}

/** `POST /login`, then `POST {prefix}/register` or `/authenticate`, on `instance`; returns the transaction ID. */
export async function startPasskeyStep (instance: Instance, browser: HttpBrowser, externalId: string, kind: 'register' | 'authenticate'): Promise<string> {
  succeeded(await browser.post(`${instance.url}/login`, { externalId }), `${instance.name} /login`)
  return succeeded(await browser.post(`${instance.url}${PREFIX}/${kind}`), `${instance.name} ${PREFIX}/${kind}`).transactionId
}

async function passkeyStepOn (
  instance: Instance, browser: HttpBrowser, externalId: string, kind: 'register' | 'authenticate', authenticator: SoftwareAuthenticator
): Promise<HttpAnswer> {
  const transactionId = await startPasskeyStep(instance, browser, externalId, kind)
  const nonce = await passkeyCeremony(kind, authenticator, transactionId, instance)
  return await browser.post(`${instance.url}${PREFIX}/verify`, { nonce })
}

async function postFlex (instance: Instance, path: string, payload: object): Promise<HttpAnswer> {
  const response = await fetch(`${instance.url}${PREFIX}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'passage-flex-version': '1.0.2' },
    body: JSON.stringify(payload)
  })
  return { statusCode: response.status, headers: response.headers, body: await response.json() }
}

/** The body of a 200 answer; throws with the answer otherwise, so a failing step names itself. */
function succeeded (answer: HttpAnswer, step: string): any {
  if (answer.statusCode !== 200) throw new Error(`${step} answered ${answer.statusCode}: ${JSON.stringify(answer.body)}`)
  return answer.body
}
