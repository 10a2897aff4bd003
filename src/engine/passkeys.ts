import { LastPasskeyError, PasskeyNameInvalidError, PasskeyNotFoundError } from '../errors.js'
import { authenticatorName } from './authenticator-metadata.js'
import type { EngineContext } from './context.js'
import type { PasskeyRecord } from './store.js'

/** A user's passkey as the host shows it (no key material). */
export interface PasskeyInfo {
  id: string
  name: string
  /** The passkey provider, known from its AAGUID (`null` when unknown). */
  authenticatorName: string | null
  aaguid: string
  credentialId: string
  /** The WebAuthn user handle (base64url) the passkey was created with: the same for all of a user's passkeys. */
  userHandle: string
  transports: string[]
  /** Whether the passkey can be synced (a multi-device credential). */
  backupEligible: boolean
  /** Whether it was synced when last seen. */
  backedUp: boolean
  createdAt: Date
  lastUsedAt: Date | null
}

/** What the engine makes passkey IDs of (`randomToken`): any other ID cannot be one, and never reaches the store. */
const PASSKEY_ID = /^[\w-]{1,64}$/

/** The user's passkeys, oldest first. */
export async function listPasskeys (ctx: EngineContext, externalId: string): Promise<PasskeyInfo[]> {
  return (await ctx.store.listPasskeys(externalId)).map(toInfo)
}

/**
 * What a passkey name may not hold: control characters, format characters (invisible ones such as
 * zero-width spaces and joiners, and the text-direction marks, embeddings, overrides and isolates),
 * line and paragraph separators, and lone surrogates.
 */
const NAME_REFUSED = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u

/**
 * Renames one of the user's passkeys; the name is trimmed and must be 1 to 64 characters, none a
 * control, invisible or text-direction character.
 */
export async function renamePasskey (
  ctx: EngineContext, externalId: string, passkeyId: string, name: string
): Promise<PasskeyInfo> {
  const trimmed = typeof name === 'string' ? name.trim() : ''
  if (trimmed.length === 0 || trimmed.length > 64 || NAME_REFUSED.test(trimmed)) throw new PasskeyNameInvalidError()
  const passkey = PASSKEY_ID.test(passkeyId) ? await ctx.store.renamePasskey(externalId, passkeyId, trimmed) : null
  if (passkey === null) throw new PasskeyNotFoundError()
  return toInfo(passkey)
}

/** Options of {@link revokePasskey}. */
export interface RevokePasskeyOptions {
  /** Refuse to delete the user's only passkey (`FST_PASSKEY_MFA_LAST_PASSKEY`). */
  keepOne?: boolean
  /** Also revoke the user's sessions, in the same write, until then (epoch milliseconds). */
  revokeSessionsUntil?: number | null
}

/**
 * Deletes one of the user's passkeys; it can no longer authenticate. With `keepOne`, the user's only
 * passkey is refused, atomically with the delete; with `revokeSessionsUntil`, the user's sessions are
 * revoked in the same write. Returns the position of that revocation, or `null`.
 */
export async function revokePasskey (
  ctx: EngineContext, externalId: string, passkeyId: string, { keepOne = false, revokeSessionsUntil = null }: RevokePasskeyOptions
): Promise<number | null> {
  if (!PASSKEY_ID.test(passkeyId)) throw new PasskeyNotFoundError()
  const result = await ctx.store.deletePasskey(externalId, passkeyId, keepOne, revokeSessionsUntil)
  if (result.deleted) return result.revokedAt
  throw result.reason === 'last' ? new LastPasskeyError() : new PasskeyNotFoundError()
}

function toInfo (passkey: PasskeyRecord): PasskeyInfo {
  return {
    id: passkey.id,
    name: passkey.name,
    authenticatorName: authenticatorName(passkey.aaguid),
    aaguid: passkey.aaguid,
    credentialId: passkey.credentialId,
    userHandle: passkey.userHandle,
    transports: passkey.transports,
    backupEligible: passkey.backupEligible,
    backedUp: passkey.backedUp,
    createdAt: new Date(passkey.createdAt),
    lastUsedAt: passkey.lastUsedAt === null ? null : new Date(passkey.lastUsedAt)
  }
}
