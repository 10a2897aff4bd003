import { StoreUnavailableError } from '../errors.js'
import type { PasskeyStore } from './store.js'

/** Wraps `store` so that any failure of it surfaces as `FST_PASSKEY_MFA_STORE_UNAVAILABLE` (503). */
export function unavailableOnFailure (store: PasskeyStore): PasskeyStore {
  return new Proxy(store, {
    get (target, property, receiver) {
      const value = Reflect.get(target, property, receiver)
      if (typeof value !== 'function') return value
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args)
        } catch (cause) {
          throw new StoreUnavailableError({ cause })
        }
      }
    }
  })
}
