import type { NonceRecord, PasskeyStore } from '../../src/engine/store.js'
import type { StoreKind } from './stores.js'

/** The `storeTimeoutMs` of fault tests: short, yet long enough for a real PostgreSQL call on a loaded machine. */
export const STORE_TIMEOUT_MS: Record<StoreKind, number> = { memory: 100, sqlite: 100, postgres: 250 }

/** How much later than the store timeout a 503 may come on a loaded test machine. */
export const LATENESS_MS = 5000

/**
 * How an armed store method fails: before the store sees the call (`throw`, `hang`), or after the
 * store ran it, so its write happened and only the answer is lost (`throw-after`, `hang-after`).
 * A hang never settles.
 */
export type Fault = 'throw' | 'hang' | 'throw-after' | 'hang-after'

/** The store methods the engine calls per request (`init` and `close` are per engine). */
export type StoreMethod = Exclude<keyof PasskeyStore, 'init' | 'close'>

/** One call the engine made to the store. */
export interface StoreCall {
  method: keyof PasskeyStore
  args: unknown[]
}

/**
 * A real store, and a faulty `view` of it for the engine: every call through the view is recorded,
 * and an armed method fails as told until {@link disarm}. Tests read `store` directly to see what
 * the engine's calls did to it.
 */
export class FaultyStore {
  readonly store: PasskeyStore
  readonly view: PasskeyStore
  readonly calls: StoreCall[] = []
  readonly #faults = new Map<string, Fault>()

  constructor (store: PasskeyStore) {
    this.store = store
    this.view = new Proxy(store, {
      get: (target, method) => {
        const real = Reflect.get(target, method) as unknown
        if (typeof real !== 'function') return real
        return async (...args: unknown[]) => this.#call(method as keyof PasskeyStore, real as (...args: unknown[]) => Promise<unknown>, args)
      }
    })
  }

  arm (method: keyof PasskeyStore, fault: Fault): void {
    this.#faults.set(method, fault)
  }

  disarm (): void {
    this.#faults.clear()
  }

  /** The digests of the nonces the engine asked the store to insert since call number `from` (a two-request step asks for none). */
  nonceKeys (from = 0): string[] {
    return this.calls.slice(from)
      .filter(({ method }) => method === 'addPasskey' || method === 'recordPasskeyUse')
      .flatMap(({ args }) => args[1] === null ? [] : [(args[1] as NonceRecord).key])
  }

  async #call (method: keyof PasskeyStore, real: (...args: unknown[]) => Promise<unknown>, args: unknown[]): Promise<unknown> {
    this.calls.push({ method, args })
    const fault = this.#faults.get(method)
    if (fault === 'throw') throw new Error(`injected: ${method} failed`)
    if (fault === 'hang') return never()
    const result = await real.apply(this.store, args)
    if (fault === 'throw-after') throw new Error(`injected: ${method} lost its answer`)
    if (fault === 'hang-after') return never()
    return result
  }
}

async function never (): Promise<never> {
  return new Promise(() => {})
}
