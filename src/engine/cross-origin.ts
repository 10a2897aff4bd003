/**
 * Whether a ceremony's `clientDataJSON` (base64url) may proceed under the configured top origins:
 * a same-origin ceremony always may; a cross-origin one (inside an iframe) only when its `topOrigin`
 * is one of `topOrigins`. Unreadable client data is left to the WebAuthn verification to reject.
 */
export function crossOriginAllowed (clientDataJSON: string, topOrigins: string[]): boolean {
  let clientData: { crossOrigin?: unknown, topOrigin?: unknown }
  try {
    clientData = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'))
  } catch {
    return true
  }
  if (clientData?.crossOrigin !== true) return true
  return typeof clientData.topOrigin === 'string' && topOrigins.includes(clientData.topOrigin)
}
