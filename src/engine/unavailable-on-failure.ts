import { StoreUnavailableError } from '../errors.js'
import type { PasskeyStore } from './store.js'

type StoreMethod = (...args: unknown[]) => unknown

const METHODS: Record<keyof PasskeyStore, true> = {
  init: true,
  createTransaction: true,
  getTransaction: true,
  saveHandshake: true,
  startAuthentication: true,
  openAuthentication: true,
  takeTransaction: true,
  takeTransactionWithPasskey: true,
  takeNonce: true,
  listPasskeys: true,
  addPasskey: true,
  recordPasskeyUse: true,
  renamePasskey: true,
  deletePasskey: true,
  revoke: true,
  userRevokedAt: true,
  listRevocations: true,
  replaceRecoveryCodes: true,
  takeRecoveryCode: true,
  countRecoveryCodes: true,
  addTrustedBrowser: true,
  useTrustedBrowser: true,
  listTrustedBrowsers: true,
  deleteTrustedBrowsers: true,
  eraseUser: true,
  sweep: true,
  close: true
}

/**
 * `store`, with any failure of its methods surfacing as `FST_PASSKEY_MFA_STORE_UNAVAILABLE` (503): a
 * throw, a rejection, or no answer within `timeoutMs`. A call given up on may still complete in the
 * store later; each method is atomic, so what it writes is then whole, never half.
 */
export function unavailableOnFailure (store: PasskeyStore, timeoutMs: number): PasskeyStore {
  const wrapped = Object.keys(METHODS).map((name) => [name, (...args: unknown[]) =>
    settledOrUnavailable(() => (store[name as keyof PasskeyStore] as StoreMethod).apply(store, args), timeoutMs, `store.${name}()`)])
  return Object.fromEntries(wrapped) as PasskeyStore
}

/**
 * What `call()` returns, or `FST_PASSKEY_MFA_STORE_UNAVAILABLE` (503) when it throws, rejects or has
 * not settled within `timeoutMs` (the cause names `label`). One unref'd timer, cleared on settling.
 */
export function settledOrUnavailable<T> (call: () => T | Promise<T>, timeoutMs: number, label: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new StoreUnavailableError({ cause: new Error(`${label} did not settle within ${timeoutMs} ms`) }))
    }, timeoutMs)
    timer.unref()
    const fail = (cause: unknown): void => {
      clearTimeout(timer)
      reject(new StoreUnavailableError({ cause }))
    }
    try {
      Promise.resolve(call()).then((value) => {
        clearTimeout(timer)
        resolve(value)
      }, fail)
    } catch (cause) {
      fail(cause)
    }
  })
}
