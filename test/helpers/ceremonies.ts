import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server'
import { APP_ID } from './engine-app.js'
import type { AssertionTweaks, RegistrationTweaks, SoftwareAuthenticator } from './software-authenticator.js'

/** The path of an engine route, e.g. `flexPath('register', 'start')`. */
export function flexPath (ceremony: 'register' | 'authenticate', step: 'start' | 'finish', appId = APP_ID): string {
  return `/flex/v1/apps/${appId}/${ceremony}/transactions/webauthn/${step}`
}

/** POSTs `payload` as JSON, the way Passage's browser SDK does. */
export async function post (app: FastifyInstance, url: string, payload: unknown): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url, payload: payload as object, headers: { 'passage-flex-version': '1.0.2' } })
}

/** A registration answer in the shape Passage's SDK sends (`transports` beside `response`). */
export function registerFinishBody (transactionId: string, handshakeId: string, credential: RegistrationResponseJSON): object {
  const { id, rawId, type, response } = credential
  return {
    transaction_id: transactionId,
    handshake_id: handshakeId,
    handshake_response: {
      id, rawId, type,
      response: { attestationObject: response.attestationObject, clientDataJSON: response.clientDataJSON },
      transports: response.transports
    }
  }
}

/** An authentication answer in the shape Passage's SDK sends (`userHandle` `""` when absent). */
export function authenticateFinishBody (transactionId: string, handshakeId: string, credential: AuthenticationResponseJSON): object {
  const { id, rawId, type, response } = credential
  return {
    transaction_id: transactionId,
    handshake_id: handshakeId,
    handshake_response: {
      id, rawId, type,
      response: {
        clientDataJSON: response.clientDataJSON,
        authenticatorData: response.authenticatorData,
        signature: response.signature,
        userHandle: response.userHandle ?? ''
      }
    }
  }
}

/** What a ceremony over the engine routes gave: both answers, and the nonce when it succeeded. */
export interface CeremonyResult {
  start: LightMyRequestResponse
  finish: LightMyRequestResponse
  nonce: string | undefined
  /** The finish body that was sent, to replay it. */
  body: object
}

/** Runs a whole registration through the engine routes with the software authenticator. */
export async function register (
  app: FastifyInstance, authenticator: SoftwareAuthenticator, transactionId: string, tweaks?: RegistrationTweaks
): Promise<CeremonyResult> {
  const start = await post(app, flexPath('register', 'start'), { transaction_id: transactionId, authenticator_attachment: 'platform' })
  const { handshake } = start.json()
  const body = registerFinishBody(transactionId, handshake.id, authenticator.create(handshake.challenge.publicKey, tweaks))
  const finish = await post(app, flexPath('register', 'finish'), body)
  return { start, finish, nonce: finish.json().nonce, body }
}

/** Runs a whole authentication through the engine routes with the software authenticator. */
export async function authenticate (
  app: FastifyInstance, authenticator: SoftwareAuthenticator, transactionId: string, tweaks?: AssertionTweaks
): Promise<CeremonyResult> {
  const start = await post(app, flexPath('authenticate', 'start'), { transaction_id: transactionId })
  const { handshake } = start.json()
  const body = authenticateFinishBody(transactionId, handshake.id, authenticator.get(handshake.challenge.publicKey, tweaks))
  const finish = await post(app, flexPath('authenticate', 'finish'), body)
  return { start, finish, nonce: finish.json().nonce, body }
}
