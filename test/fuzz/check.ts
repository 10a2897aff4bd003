import type { LightMyRequestResponse } from 'fastify'
import { isDeepStrictEqual } from 'node:util'
import { PREFIX } from '../helpers/mfa-app.js'
import { passkeySnapshot } from '../helpers/snapshot.js'
import type { FuzzRequest } from './requests.js'
import { COOKIE, TRUST_COOKIE } from './sessions.js'
import type { World } from './world.js'

/** What a refused request must leave as it was. */
interface Observation {
  /** `GET {prefix}/status` with the request's cookies. */
  session: unknown
  passkeys: unknown
  trustedBrowsers: unknown
  revocations: number
  tokens: number
}

/**
 * Fastify's router refuses some URLs before any route (or the plugin) runs, answering with its own
 * codes: a path parameter longer than `maxParamLength` (100), or one that is no valid
 * percent-encoding. The host app shapes these answers (Fastify's `frameworkErrors` option).
 */
const ROUTER_REFUSALS = new Map([['FST_ERR_MAX_PARAM_LENGTH', 414], ['FST_ERR_BAD_URL', 400]])

const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype)

/** How a request was answered (`200`, `401 FST_PASSKEY_MFA_NONCE_INVALID`), and the properties it broke. */
export interface Checked {
  outcome: string
  violations: string[]
}

/**
 * Sends `request` to the world's app and returns its outcome and how it broke the fuzz properties:
 * no 5xx; a 4xx carries `{ statusCode, code: 'FST_PASSKEY_MFA_…', error }`; a refused request
 * changes nothing (the session's state, also in any cookie the answer sets, the store's passkeys,
 * trusted browsers and revocations, the tokens issued) and makes no write to the store beyond spending a
 * transaction or nonce; no request touches `Object.prototype`.
 */
export async function checkRequest (world: World, request: FuzzRequest): Promise<Checked> {
  const { mfa, recording } = world
  const { method, url, headers, payload, advanceMs, expect } = request
  mfa.clock.advance(advanceMs)
  try {
    const before = await observe(world, headers.cookie)
    recording.writes = []
    const response = await mfa.app.inject({ method, url, headers, payload })
    const writes = recording.writes
    const violations = [...answerViolations(response), ...(expect?.(response) ?? [])]
    if (!isDeepStrictEqual(Object.getOwnPropertyNames(Object.prototype), PROTOTYPE_NAMES)) violations.push('Object.prototype gained properties')
    if (response.statusCode >= 400) violations.push(...await refusalViolations(world, headers.cookie, before, response, writes))
    return { outcome: outcomeOf(response), violations }
  } finally {
    mfa.clock.advance(-advanceMs)
  }
}

function outcomeOf (response: LightMyRequestResponse): string {
  if (response.statusCode < 400) return String(response.statusCode)
  try {
    return `${response.statusCode} ${String(response.json().code)}`
  } catch {
    return String(response.statusCode)
  }
}

function answerViolations (response: LightMyRequestResponse): string[] {
  const { statusCode } = response
  if (statusCode >= 500) return [`answered ${statusCode}: ${response.body.slice(0, 500)}`]
  if (statusCode < 400) return []
  let body: { statusCode?: unknown, code?: unknown, error?: unknown, message?: unknown }
  try {
    body = response.json()
  } catch {
    return [`answered ${statusCode} without a JSON body: ${response.body.slice(0, 200)}`]
  }
  const routerRefusal = ROUTER_REFUSALS.get(String(body.code)) === statusCode
  const coded = typeof body.code === 'string' && body.code.startsWith('FST_PASSKEY_MFA_')
  if (body.statusCode !== statusCode || (!coded && !routerRefusal) || typeof body.error !== 'string' || typeof body.message !== 'string') {
    return [`answered ${statusCode} with an uncoded body: ${response.body.slice(0, 300)}`]
  }
  return []
}

async function refusalViolations (
  world: World, cookie: string | undefined, before: Observation, response: LightMyRequestResponse, writes: string[]
): Promise<string[]> {
  const violations: string[] = []
  const after = await observe(world, cookie)
  for (const key of Object.keys(before) as Array<keyof Observation>) {
    if (!isDeepStrictEqual(before[key], after[key])) violations.push(`refused with ${response.statusCode}, yet ${key} changed: ${JSON.stringify(before[key])} → ${JSON.stringify(after[key])}`)
  }
  if (writes.length > 0) violations.push(`refused with ${response.statusCode}, yet the store wrote: ${writes.join(', ')}`)
  if (cookieSet(response, TRUST_COOKIE) !== undefined) violations.push(`refused with ${response.statusCode}, yet it set the trusted-browser cookie`)
  const resealed = cookieSet(response, COOKIE)
  if (resealed !== undefined) {
    const session = await sessionOf(world, `${COOKIE}=${resealed}`)
    if (!isDeepStrictEqual(session, before.session)) violations.push(`refused, yet the cookie it set holds another state: ${JSON.stringify(session)}`)
  }
  return violations
}

async function observe (world: World, cookie: string | undefined): Promise<Observation> {
  const { store } = world.recording
  return {
    session: await sessionOf(world, cookie),
    passkeys: await passkeySnapshot(store, ...world.externalIds),
    trustedBrowsers: await Promise.all(world.externalIds.map(async (externalId) => store.listTrustedBrowsers(externalId))),
    revocations: (await store.listRevocations(0)).length,
    tokens: world.mfa.issued.length
  }
}

async function sessionOf (world: World, cookie: string | undefined): Promise<unknown> {
  const response = await world.mfa.app.inject({ method: 'GET', url: `${PREFIX}/status`, headers: cookie === undefined ? {} : { cookie } })
  return { statusCode: response.statusCode, body: response.json() }
}

/** The value the answer sets the cookie `name` to, if it sets it. */
function cookieSet (response: LightMyRequestResponse, name: string): string | undefined {
  const header = [response.headers['set-cookie'] ?? []].flat().find((setCookie) => setCookie.startsWith(`${name}=`))
  return header?.slice(name.length + 1).split(';')[0]
}
