import type { ErrorReply } from '../schemas/wire.js'
import { PasskeyClientError } from './errors.js'

/**
 * Sends a request with the page's own cookies (`credentials: 'same-origin'`) and `body` as JSON;
 * resolves to the JSON answer (`undefined` when empty). Throws a {@link PasskeyClientError}:
 * `network` when there is no answer, `rate-limited` (with `retryAfterSeconds` from `Retry-After`)
 * on a 429, `rejected` (with the server's `code` and `message`) on another non-2xx status, `failed`
 * when a 2xx answer is not JSON.
 */
export async function requestJson<T> (method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  let response: Response
  let text: string
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' })
    text = await response.text()
  } catch (cause) {
    throw new PasskeyClientError('network', `${method} ${url} got no answer`, { cause })
  }
  if (!response.ok) throw rejection(response, text)
  if (text === '') return undefined as T
  try {
    return JSON.parse(text) as T
  } catch (cause) {
    throw new PasskeyClientError('failed', `${method} ${url} answered ${response.status} without JSON`, { cause })
  }
}

function rejection ({ status, headers }: Response, text: string): PasskeyClientError {
  let reply: Partial<ErrorReply> = {}
  try { reply = JSON.parse(text) ?? {} } catch {}
  const message = [reply.message, reply.error].find((text) => typeof text === 'string') ?? `The server answered ${status}`
  const serverCode = typeof reply.code === 'string' ? reply.code : undefined
  if (status !== 429) return new PasskeyClientError('rejected', message, { serverCode, status })
  return new PasskeyClientError('rate-limited', message, { serverCode, status, retryAfterSeconds: secondsUntil(headers.get('retry-after')) })
}

/** `Retry-After` in seconds: its delay in seconds, or the time to its HTTP date; `undefined` when absent or unreadable. */
function secondsUntil (retryAfter: string | null): number | undefined {
  if (retryAfter === null) return undefined
  const trimmed = retryAfter.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed)
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000))
}
