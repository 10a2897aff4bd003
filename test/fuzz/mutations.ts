import fc from 'fast-check'
import { byteEdit, editBytes, editString, stringEdit } from './edits.js'
import type { ByteEdit, StringEdit } from './edits.js'
import { PROTOTYPE_KEYS, hostileValue, oddString, withOwnKey } from './hostile-json.js'

/**
 * Mutations of real request bodies, so fuzz cases stay near-valid and reach the code behind the
 * schema checks. A mutation picks its target among the body's paths by index (modulo their number).
 */

type Path = Array<string | number>

/** One change to a JSON body. */
export type Mutation =
  | { op: 'set', target: number, value: unknown }
  | { op: 'delete', target: number }
  | { op: 'add', target: number, key: string, value: unknown }
  | { op: 'string', target: number, edit: StringEdit }
  | { op: 'bytes', target: number, edit: ByteEdit }
  | { op: 'client-data', mutation: Mutation }

const key = fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), oddString)

const plain: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), target: fc.nat(), value: hostileValue }),
  fc.record({ op: fc.constant('delete' as const), target: fc.nat() }),
  fc.record({ op: fc.constant('add' as const), target: fc.nat(), key, value: hostileValue }),
  { weight: 2, arbitrary: fc.record({ op: fc.constant('string' as const), target: fc.nat(), edit: stringEdit }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('bytes' as const), target: fc.nat(), edit: byteEdit }) }
)

/** A mutation of a body; `client-data` ones change the JSON inside a `clientDataJSON`. */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: plain },
  fc.record({ op: fc.constant('client-data' as const), mutation: plain })
)

/** Up to `maxLength` mutations, none at all as often as not (the body as a real client sends it). */
export function mutations (maxLength: number): fc.Arbitrary<Mutation[]> {
  return fc.oneof(fc.constant<Mutation[]>([]), fc.array(mutation, { maxLength }))
}

/** A copy of `body` with `mutations` applied in order (a mutation without a target is skipped); generated values are copied in, never shared. */
export function mutate (body: unknown, mutations: Mutation[]): unknown {
  let value = copy(body)
  for (const change of mutations) value = apply(value, change)
  return value
}

/** A JSON copy (own `__proto__` keys stay own keys). */
function copy (value: unknown): unknown {
  return JSON.parse(JSON.stringify(value))
}

function apply (body: unknown, change: Mutation): unknown {
  const all = pathsOf(body)
  switch (change.op) {
    case 'set': return replaceAt(body, pick(all, change.target), () => copy(change.value))
    case 'delete': return removeAt(body, pick(all.slice(1), change.target))
    case 'add': return replaceAt(body, pick(all.filter((path) => isObject(valueAt(body, path))), change.target),
      (object) => withOwnKey(object as Record<string, unknown>, change.key, copy(change.value)))
    case 'string': return replaceAt(body, pick(stringPaths(body, all), change.target), (text) => editString(text as string, change.edit))
    case 'bytes': return replaceAt(body, pick(stringPaths(body, all), change.target), (text) => editBytes(text as string, change.edit))
    case 'client-data': return replaceAt(body, all.find((path) => path.at(-1) === 'clientDataJSON' && typeof valueAt(body, path) === 'string'),
      (encoded) => editClientData(encoded as string, change.mutation))
  }
}

/** The base64url `clientDataJSON` with `change` applied to the JSON it holds (unchanged if it holds none). */
function editClientData (encoded: string, change: Mutation): string {
  let clientData: unknown
  try {
    clientData = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'))
  } catch {
    return encoded
  }
  return Buffer.from(JSON.stringify(apply(clientData, change))).toString('base64url')
}

function pathsOf (value: unknown, path: Path = [], out: Path[] = []): Path[] {
  out.push(path)
  if (Array.isArray(value)) value.forEach((item, index) => pathsOf(item, [...path, index], out))
  else if (isObject(value)) for (const name of Object.keys(value)) pathsOf(value[name], [...path, name], out)
  return out
}

function stringPaths (body: unknown, all: Path[]): Path[] {
  return all.filter((path) => typeof valueAt(body, path) === 'string')
}

function pick (paths: Path[], index: number): Path | undefined {
  return paths.length === 0 ? undefined : paths[index % paths.length]
}

function isObject (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function valueAt (body: unknown, path: Path): unknown {
  return path.reduce<unknown>((value, step) => (value as Record<string | number, unknown>)[step], body)
}

function replaceAt (body: unknown, path: Path | undefined, replace: (value: unknown) => unknown): unknown {
  if (path === undefined) return body
  if (path.length === 0) return replace(body)
  const parent = valueAt(body, path.slice(0, -1)) as Record<string | number, unknown>
  const last = path[path.length - 1]
  Object.defineProperty(parent, last, { value: replace(parent[last]), enumerable: true, configurable: true, writable: true })
  return body
}

function removeAt (body: unknown, path: Path | undefined): unknown {
  if (path === undefined) return body
  const parent = valueAt(body, path.slice(0, -1))
  const last = path[path.length - 1]
  if (Array.isArray(parent)) parent.splice(last as number, 1)
  else delete (parent as Record<string, unknown>)[last as string]
  return body
}
