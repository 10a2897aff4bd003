import { AuthenticatorNotAllowedError } from '../../errors.js'

/**
 * Refuses (`FST_PASSKEY_MFA_AUTHENTICATOR_NOT_ALLOWED`) a registering authenticator whose AAGUID is
 * not in `allowedAaguids` (lowercase, as resolved); an empty list lets any register.
 *
 * @example
 * checkAllowedAaguid(registrationInfo.aaguid, ctx.options.allowedAaguids)
 */
export function checkAllowedAaguid (aaguid: string, allowedAaguids: readonly string[]): void {
  if (allowedAaguids.length > 0 && !allowedAaguids.includes(aaguid.toLowerCase())) throw new AuthenticatorNotAllowedError()
}
