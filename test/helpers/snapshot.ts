import type { PasskeyStore } from '../../src/engine/store.js'

/** Everything the store holds about these users' passkeys, to assert that a refusal changed nothing. */
export async function passkeySnapshot (store: PasskeyStore, ...externalIds: string[]): Promise<unknown> {
  const lists = await Promise.all(externalIds.map(async (id) => store.listPasskeys(id)))
  return JSON.parse(JSON.stringify(lists.flat().map((passkey) => ({ ...passkey, publicKey: Buffer.from(passkey.publicKey).toString('hex') }))))
}
