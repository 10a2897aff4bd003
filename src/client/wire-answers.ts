import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/browser'
import type { AuthenticateFinishBody, RegisterFinishBody } from '../schemas/wire.js'

/** A registration answer as Passage's SDK sends it: `transports` beside `response`, no extension results. */
export function toRegisterAnswer ({ id, rawId, type, response }: RegistrationResponseJSON): RegisterFinishBody['handshake_response'] {
  const { attestationObject, clientDataJSON, transports } = response
  return { id, rawId, type, response: { attestationObject, clientDataJSON }, transports }
}

/** An authentication answer as Passage's SDK sends it: `userHandle` is `""` when the authenticator gave none. */
export function toAuthenticateAnswer ({ id, rawId, type, response }: AuthenticationResponseJSON): AuthenticateFinishBody['handshake_response'] {
  const { clientDataJSON, authenticatorData, signature, userHandle = '' } = response
  return { id, rawId, type, response: { clientDataJSON, authenticatorData, signature, userHandle } }
}
