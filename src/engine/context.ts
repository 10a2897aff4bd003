import type { ResolvedEngineOptions } from './options.js'
import type { PasskeyStore } from './store.js'

/** What every engine operation works with: resolved options, the store, and a decoy key. */
export interface EngineContext {
  options: ResolvedEngineOptions
  /** The store, with its failures turned into `FST_PASSKEY_MFA_STORE_UNAVAILABLE`. */
  store: PasskeyStore
  /** Per-engine secret that derives decoy credential IDs for users without passkeys. */
  decoyKey: Uint8Array
}
