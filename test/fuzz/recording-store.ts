import type { PasskeyStore } from '../../src/engine/store.js'

/**
 * For each store method that writes, whether a call's result means it wrote something. Takes of
 * transactions and nonces are left out: a refused ceremony or nonce is spent by design (§3.3).
 */
const WROTE: Partial<Record<keyof PasskeyStore, (result: unknown) => boolean>> = {
  createTransaction: () => true,
  saveHandshake: (saved) => saved === true,
  startAuthentication: (started) => started !== null,
  openAuthentication: () => true,
  addPasskey: (result) => result === 'added',
  recordPasskeyUse: (recorded) => recorded === true,
  renamePasskey: (passkey) => passkey !== null,
  deletePasskey: (result) => (result as { deleted: boolean }).deleted,
  revoke: () => true,
  replaceRecoveryCodes: () => true,
  takeRecoveryCode: (left) => left !== null,
  addTrustedBrowser: () => true,
  useTrustedBrowser: (used) => used !== null,
  deleteTrustedBrowsers: (deleted) => (deleted as number) > 0,
  eraseUser: () => true
}

/** A store that records which of its writes took effect (a transaction created, a passkey added, a nonce issued, ...). */
export class RecordingStore {
  /** The store to hand to the engine. */
  readonly store: PasskeyStore
  /** Names of the methods whose calls wrote something, in order. */
  writes: string[] = []

  constructor (inner: PasskeyStore) {
    this.store = new Proxy(inner, {
      get: (target, name) => {
        const method = Reflect.get(target, name) as unknown
        if (typeof method !== 'function') return method
        const wrote = WROTE[name as keyof PasskeyStore]
        if (wrote === undefined) return method.bind(target)
        return async (...args: unknown[]) => {
          const result: unknown = await method.apply(target, args)
          if (wrote(result)) this.writes.push(String(name))
          return result
        }
      }
    })
  }
}
