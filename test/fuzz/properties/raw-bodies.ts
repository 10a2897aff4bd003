import fc from 'fast-check'
import { randomBytes } from 'node:crypto'
import type { CeremonyKind } from '../../../src/engine/store.js'
import { PREFIX } from '../../helpers/mfa-app.js'
import type { FuzzProperty } from '../fuzz-property.js'
import { PROTOTYPE_KEYS, hostileValue, withOwnKey } from '../hostile-json.js'
import { authenticationFinish, completeCeremony, createTransaction, registrationFinish, startCeremony, wirePath } from '../material.js'
import { browserHeaders, headerText } from '../requests.js'
import type { FuzzRequest } from '../requests.js'
import { COOKIE } from '../sessions.js'
import { ALICE } from '../world.js'
import type { World } from '../world.js'

/** A route that may get a body, with the body it expects. */
type Target = 'register' | 'authenticate' | 'verify' | 'logout' | 'rename' | 'delete' | 'status' | 'passkeys' | `${CeremonyKind}-${'start' | 'finish'}`

/** Damage done to the text of the route's expected JSON body. */
type Damage = 'truncated' | 'trailing-garbage' | 'byte-order-mark' | 'utf-16' | 'duplicate-keys' | 'comment' | 'nan'

/** What the body is. */
type RawPayload =
  | { kind: 'bytes', bytes: Uint8Array }
  | { kind: 'json', value: unknown }
  | { kind: 'expected', additions: Array<[string, unknown]> }
  | { kind: 'damaged', damage: Damage, at: number }
  | { kind: 'nested', depth: number, asObjects: boolean }
  | { kind: 'large', length: number, inExpected: boolean }

/** A body of any content type and shape, sent to a route by an authenticated user. */
export interface RawBodyCase {
  target: Target
  contentType: string | null
  payload: RawPayload
  headers: Record<string, string>
}

const TARGETS: Target[] = [
  'register', 'authenticate', 'verify', 'logout', 'rename', 'delete', 'status', 'passkeys',
  'register-start', 'register-finish', 'authenticate-start', 'authenticate-finish'
]

const contentType = fc.oneof(
  { weight: 5, arbitrary: fc.constant('application/json') },
  fc.constantFrom(
    'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json; charset=utf-16le', 'application/json;', 'application/vnd.api+json',
    'text/plain', 'text/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/octet-stream', '', ' ', ';'
  ),
  fc.constant(null),
  headerText
)

const rawPayload: fc.Arbitrary<RawPayload> = fc.oneof(
  fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 4096 }) }),
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('json' as const), value: hostileValue }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('expected' as const), additions: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.string()), hostileValue), { maxLength: 3 }) }) },
  fc.record({
    kind: fc.constant('damaged' as const),
    damage: fc.constantFrom<Damage>('truncated', 'trailing-garbage', 'byte-order-mark', 'utf-16', 'duplicate-keys', 'comment', 'nan'),
    at: fc.nat()
  }),
  fc.record({ kind: fc.constant('nested' as const), depth: fc.oneof(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 2000, max: 200_000 })), asObjects: fc.boolean() }),
  fc.record({ kind: fc.constant('large' as const), length: fc.oneof(fc.integer({ min: 60_000, max: 70_000 }), fc.integer({ min: 1_000_000, max: 1_100_000 })), inExpected: fc.boolean() })
)

/** Raw bodies on every route: any bytes, hostile JSON, prototype keys, deep nesting, huge sizes, any content type. */
export const rawBodies: FuzzProperty<RawBodyCase> = {
  name: 'raw bodies',
  arbitrary: fc.record({ target: fc.constantFrom(...TARGETS), contentType, payload: rawPayload, headers: browserHeaders }),
  async prepare (world, { target, contentType, payload, headers }) {
    const { method, url, cookie, body } = await expected(world, target)
    const type: Record<string, string> = contentType === null ? {} : { 'content-type': contentType }
    return { method, url, payload: render(payload, body), headers: { ...headers, ...type, cookie }, advanceMs: 0 }
  }
}

/** The route's method and URL, an authenticated cookie of Alice's (with a transaction pending), and a body the route accepts. */
async function expected (world: World, target: Target): Promise<{ method: FuzzRequest['method'], url: string, cookie: string, body: object }> {
  const { clock } = world.mfa
  const transactionId = await createTransaction(world, 'authenticate', ALICE)
  const cookie = `${COOKIE}=${world.mint.state({
    level: 'authenticated', sessionId: randomBytes(16).toString('base64url'), externalId: ALICE, epoch: 0, authenticatedAt: clock.now, lastSeenAt: clock.now, passkeyAt: clock.now,
    transaction: { id: transactionId, kind: 'authenticate', deadline: clock.now + 60_000 }
  })}`
  const passkeyId = (await world.mfa.engine.listPasskeys(ALICE))[0]?.id ?? 'none'
  switch (target) {
    case 'register':
    case 'authenticate':
    case 'logout':
      return { method: 'POST', url: `${PREFIX}/${target}`, cookie, body: {} }
    case 'verify':
      return { method: 'POST', url: `${PREFIX}/verify`, cookie, body: { nonce: await completeCeremony(world, 'authenticate', transactionId, ALICE) } }
    case 'rename':
      return { method: 'PATCH', url: `${PREFIX}/passkeys/${passkeyId}`, cookie, body: { name: 'Laptop' } }
    case 'delete':
      return { method: 'DELETE', url: `${PREFIX}/passkeys/${passkeyId}`, cookie, body: {} }
    case 'status':
    case 'passkeys':
      return { method: 'GET', url: `${PREFIX}/${target}`, cookie, body: {} }
    default: {
      const [kind, step] = target.split('-') as [CeremonyKind, 'start' | 'finish']
      return { method: 'POST', url: wirePath(kind, step), cookie, body: await ceremonyBody(world, kind, step) }
    }
  }
}

async function ceremonyBody (world: World, kind: CeremonyKind, step: 'start' | 'finish'): Promise<object> {
  const transactionId = await createTransaction(world, kind, ALICE)
  if (step === 'start') return { transaction_id: transactionId }
  const started = await startCeremony(world, kind, transactionId)
  return (kind === 'register' ? registrationFinish(transactionId, started) : authenticationFinish(world, ALICE, transactionId, started)) ?? {}
}

function render (payload: RawPayload, body: object): string | Buffer {
  const text = JSON.stringify(body)
  switch (payload.kind) {
    case 'bytes': return Buffer.from(payload.bytes)
    case 'json': return JSON.stringify(payload.value) ?? ''
    case 'expected': return JSON.stringify(payload.additions.reduce((object, [key, value]) => withOwnKey(object, key, value), { ...body } as Record<string, unknown>))
    case 'damaged': return damage(text, payload.damage, payload.at)
    case 'nested': return payload.asObjects ? `${'{"a":'.repeat(payload.depth)}1${'}'.repeat(payload.depth)}` : `${'['.repeat(payload.depth)}${']'.repeat(payload.depth)}`
    case 'large': return payload.inExpected ? JSON.stringify({ ...body, pad: 'x'.repeat(payload.length) }) : 'x'.repeat(payload.length)
  }
}

function damage (text: string, kind: Damage, at: number): string | Buffer {
  switch (kind) {
    case 'truncated': return text.slice(0, at % text.length)
    case 'trailing-garbage': return `${text}}garbage`
    case 'byte-order-mark': return `\uFEFF${text}`
    case 'utf-16': return Buffer.from(text, 'utf16le')
    case 'duplicate-keys': return text.replace(/^\{/, '{"nonce":1,"name":2,"transaction_id":3,')
    case 'comment': return `/* ${at} */${text}`
    case 'nan': return text.replace(/^\{/, '{"value":NaN,')
  }
}
