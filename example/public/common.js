/** The engine's app ID, as the server configures it (`engine.appId`). */
export const APP_ID = 'passkey-mfa-example'

/** POSTs `body` as JSON; the status and the parsed answer (`{}` when it has none). */
export async function postJson (url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })
  const text = await response.text()
  let parsed = {}
  try {
    parsed = text === '' ? {} : JSON.parse(text)
  } catch {}
  return { ok: response.ok, status: response.status, body: parsed }
}

/** Shows `text` in `element` (`kind`: info, error or success); an empty text hides it. */
export function showMessage (element, text, kind = 'info') {
  element.textContent = text
  element.dataset.kind = kind
  element.hidden = text === ''
}

const SESSION_ENDED = new Set(['FST_PASSKEY_MFA_NOT_AUTHENTICATED', 'FST_PASSKEY_MFA_STATE_INVALID', 'FST_PASSKEY_MFA_USER_NOT_FOUND'])
const TOO_SLOW = new Set(['FST_PASSKEY_MFA_TRANSACTION_EXPIRED', 'FST_PASSKEY_MFA_HANDSHAKE_EXPIRED', 'FST_PASSKEY_MFA_NONCE_EXPIRED'])

/** Whether a client error means the session is over and the user must log in again. */
export function sessionEnded (error) {
  return error?.code === 'rejected' && SESSION_ENDED.has(error.serverCode)
}

/** A message for the user about a failed passkey operation (a `PasskeyClientError`). */
export function describeError (error) {
  switch (error?.code) {
    case 'cancelled':
      return 'The passkey request was cancelled or timed out, so nothing changed. You can try again.'
    case 'not-supported':
      return 'This browser cannot use passkeys. Try a recent Chrome, Edge, Firefox or Safari.'
    case 'already-registered':
      return 'This device or security key already holds a passkey for your account. Use another one.'
    case 'rate-limited':
      return error.retryAfterSeconds === undefined
        ? 'Too many attempts. Please wait a few minutes before trying again.'
        : `Too many attempts, try again in ${formatWait(error.retryAfterSeconds)}.`
    case 'network':
      return 'The server could not be reached. Check your connection and try again.'
    case 'rejected':
      if (sessionEnded(error)) return 'Your sign-in has expired. Please log in again.'
      if (TOO_SLOW.has(error.serverCode)) return 'That took too long. Please try again.'
      if (error.serverCode === 'FST_PASSKEY_MFA_LAST_PASSKEY') return 'This is your only passkey. Add another one before removing it.'
      if (error.serverCode === 'FST_PASSKEY_MFA_PASSKEY_NAME_INVALID') return 'That name was not saved: a passkey name is 1 to 64 characters, without control, invisible or text-direction characters.'
      return 'The passkey was not accepted. Please try again.'
    default:
      return 'Something went wrong with the passkey. Please try again.'
  }
}

/** A wait for people: whole minutes rounded up (“1 minute”, “3 minutes”), or seconds under a minute; a no-break space keeps the number with its unit. */
function formatWait (seconds) {
  const [count, unit] = seconds < 60 ? [Math.max(1, Math.ceil(seconds)), 'second'] : [Math.ceil(seconds / 60), 'minute']
  return `${count}\u00a0${unit}${count === 1 ? '' : 's'}`
}

/** Formats an ISO date for people, or `fallback` when there is none. */
export function formatDate (iso, fallback = 'Never') {
  if (iso === null || iso === undefined) return fallback
  return new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso))
}
