import { sendSignal } from '@simplewebauthn/browser'

/** The user's name and display name as `fastify.mfa.currentUserDetails()` gives them (`userId` `null`: the user has no passkey). */
export interface CurrentUserDetails {
  rpId: string
  /** The WebAuthn user handle (base64url). */
  userId: string | null
  name: string
  displayName: string
}

/** The user's passkeys as the server accepts them, for {@link signalAllAcceptedCredentials}. */
export interface AcceptedCredentials {
  rpId: string
  /** The WebAuthn user handle (base64url); `null` when the user has no passkey. */
  userId: string | null
  credentialIds: string[]
}

type SignalMethod = 'signalUnknownCredential' | 'signalAllAcceptedCredentials' | 'signalCurrentUserDetails'

/** Whether this browser has `PublicKeyCredential[method]` (the WebAuthn Signal API). */
function supports (method: SignalMethod): boolean {
  const api = (globalThis as { PublicKeyCredential?: Partial<Record<SignalMethod, unknown>> }).PublicKeyCredential
  return typeof api?.[method] === 'function'
}

/** Sends `signal` when the browser has `method`; resolves to whether the browser took it (never rejects: a signal is a hint). */
async function send (method: SignalMethod, signal: Parameters<typeof sendSignal>[0]): Promise<boolean> {
  if (!supports(method)) return false
  try {
    await sendSignal(signal)
    return true
  } catch {
    return false
  }
}

/** Tells the browser that the server does not know the credential `credentialId`, so its passkey provider may drop it. */
export async function signalUnknownCredential (rpId: string, credentialId: string): Promise<boolean> {
  return await send('signalUnknownCredential', { signalName: 'unknownCredential', rpID: rpId, credentialID: credentialId })
}

/** Tells the browser which of the user's passkeys the server still accepts, so its provider may hide the others. */
export async function signalAllAcceptedCredentials ({ rpId, userId, credentialIds }: AcceptedCredentials): Promise<boolean> {
  if (userId === null) return false
  return await send('signalAllAcceptedCredentials', { signalName: 'allAcceptedCredentials', rpID: rpId, userID: userId, allAcceptedCredentialIDs: credentialIds })
}

/** Tells the browser the user's current name and display name, so its provider may update the saved passkeys. */
export async function signalCurrentUserDetails ({ rpId, userId, name, displayName }: CurrentUserDetails): Promise<boolean> {
  if (userId === null) return false
  return await send('signalCurrentUserDetails', { signalName: 'currentUserDetails', rpID: rpId, userID: userId, userName: name, userDisplayName: displayName })
}
