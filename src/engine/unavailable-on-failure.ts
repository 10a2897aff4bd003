import { StoreUnavailableError } from '../errors.js'
import type { PasskeyStore } from './store.js'

const METHODS: Record<keyof PasskeyStore, true> = {
  init: true,
  createTransaction: true,
  getTransaction: true,
  saveHandshake: true,
  takeTransaction: true,
  takeNonce: true,
  listPasskeys: true,
  findPasskey: true,
  addPasskey: true,
  recordPasskeyUse: true,
  renamePasskey: true,
  deletePasskey: true,
  revokeSession: true,
  listSessionRevocations: true,
  sweep: true,
  close: true
}

/** `store`, with any failure of its methods surfacing as `FST_PASSKEY_MFA_STORE_UNAVAILABLE` (503). */
export function unavailableOnFailure (store: PasskeyStore): PasskeyStore {
  const wrapped = Object.keys(METHODS).map((name) => [name, async (...args: unknown[]) => {
    try {
      return await (store[name as keyof PasskeyStore] as (...args: unknown[]) => Promise<unknown>).apply(store, args)
    } catch (cause) {
      throw new StoreUnavailableError({ cause })
    }
  }])
  return Object.fromEntries(wrapped) as PasskeyStore
}
