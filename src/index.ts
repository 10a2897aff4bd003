export { PasskeyEngine } from './engine/engine.js'
export type { EngineOptions, EngineLogger, PasskeyAlgorithm } from './engine/options.js'
export type { PasskeyInfo } from './engine/passkeys.js'
export type { ExpectedClaims } from './engine/nonces.js'
export type { AuthenticatorAttachment } from './engine/registration/start-registration.js'
export { engineRoutes } from './engine/routes.js'
export type { EngineRoutesOptions } from './engine/routes.js'
export type {
  CeremonyKind, HandshakeRecord, NonceClaims, NonceRecord, PasskeyRecord, PasskeyStore, PasskeyUse, TransactionRecord
} from './engine/store.js'
export { MemoryStore } from './engine/stores/memory.js'
export { SqliteStore } from './engine/stores/sqlite.js'
export type { SqliteStoreOptions } from './engine/stores/sqlite.js'
export { PostgresStore } from './engine/stores/postgres.js'
export type { PostgresStoreOptions } from './engine/stores/postgres.js'
export {
  OptionsInvalidError, BodyInvalidError, AppNotFoundError, TransactionNotFoundError,
  TransactionExpiredError, TransactionKindError, HandshakeInvalidError, HandshakeExpiredError,
  RegistrationRejectedError, CredentialExistsError, AuthenticationRejectedError, NonceInvalidError,
  NonceExpiredError, NonceMismatchError, PasskeyNotFoundError, StoreUnavailableError,
  ArgumentInvalidError, PasskeyNameInvalidError, BodyTooLargeError, MediaTypeUnsupportedError,
  InternalError
} from './errors.js'
