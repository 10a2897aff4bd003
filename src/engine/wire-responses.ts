import type {
  AuthenticationResponseJSON, AuthenticatorTransport, RegistrationResponseJSON
} from '@simplewebauthn/server'
import type { AuthenticationAnswer, RegistrationAnswer } from '../schemas/wire.js'

/**
 * The registration answer of a wire body as `@simplewebauthn/server` reads it. Passage's SDK puts
 * `transports` beside `response` rather than in it, and sends no `clientExtensionResults`.
 */
export function toRegistrationResponse (answer: RegistrationAnswer): RegistrationResponseJSON {
  const { transports, clientExtensionResults = {}, response, authenticatorAttachment, ...credential } = answer
  return {
    ...credential,
    clientExtensionResults,
    response: { ...response, transports: (transports ?? response.transports) as AuthenticatorTransport[] | undefined }
  }
}

/** The authentication answer of a wire body as `@simplewebauthn/server` reads it; an empty `userHandle` is none. */
export function toAuthenticationResponse (answer: AuthenticationAnswer): AuthenticationResponseJSON {
  const { clientExtensionResults = {}, response, authenticatorAttachment, ...credential } = answer
  const userHandle = response.userHandle === null || response.userHandle === '' ? undefined : response.userHandle
  return { ...credential, clientExtensionResults, response: { ...response, userHandle } }
}
