import type { Test } from 'tap'
import type { PasskeyStore } from '../../src/engine/store.js'
import { MemoryStore } from '../../src/engine/stores/memory.js'
import { SqliteStore } from '../../src/engine/stores/sqlite.js'
import { PREFIX, addUser, buildMfaApp, registerPasskey, signUp, stepUp } from '../helpers/mfa-app.js'
import type { MfaApp } from '../helpers/mfa-app.js'
import { SoftwareAuthenticator } from '../helpers/software-authenticator.js'
import { RecordingStore } from './recording-store.js'
import type { SessionMint } from './session-mint.js'

/** A user with two passkeys (one per authenticator). */
export const ALICE = 'alice'
/** A user with one passkey. */
export const BOB = 'bob'
/** A user the engine may know but the host app does not (`findUser` answers `null`): a deleted account. */
export const GHOST = 'ghost'

/** How long the world's app trusts a browser. */
export const TRUST_MS = 7 * 24 * 60 * 60_000

/** The stores a world can run on. */
export type WorldStore = 'memory' | 'sqlite'

/** A host app with the plugin, users with passkeys, and what a fuzz case needs to build its requests. */
export interface World {
  mfa: MfaApp
  /** The app's store, recording its writes. */
  recording: RecordingStore
  mint: SessionMint
  /** The authenticators holding each user's passkeys. */
  authenticators: Map<string, SoftwareAuthenticator[]>
  /** Every user the world made, for snapshots. */
  externalIds: string[]
  /** A new user of the host app, without a passkey. */
  newcomer: () => string
  close: () => Promise<void>
}

function newStore (kind: WorldStore): PasskeyStore {
  return kind === 'memory' ? new MemoryStore() : new SqliteStore({ filename: ':memory:' })
}

/** Builds a world on a fresh store of `kind`: Alice with two passkeys, Bob with one, signed up through the plugin's routes. */
export async function buildWorld (kind: WorldStore, mint: SessionMint): Promise<World> {
  const closers: Array<() => Promise<void>> = []
  const owner = { teardown: (close: () => Promise<void>) => { closers.push(close) } } as unknown as Test
  const recording = new RecordingStore(newStore(kind))
  const mfa = await buildMfaApp(owner, { store: recording.store, trustedBrowsers: { maxAgeMs: TRUST_MS }, passkeySignIn: true })
  const alicesKeys = [new SoftwareAuthenticator(), new SoftwareAuthenticator()]
  const bobsKey = new SoftwareAuthenticator()
  const alice = await signUp(mfa, ALICE, alicesKeys[0])
  await stepUp(mfa, alice, alicesKeys[0])
  await alice.post(`${PREFIX}/verify`, { nonce: await registerPasskey(mfa, alice, alicesKeys[1]) })
  await signUp(mfa, BOB, bobsKey)
  if ((await mfa.engine.listPasskeys(ALICE)).length !== 2 || (await mfa.engine.listPasskeys(BOB)).length !== 1) {
    throw new Error('the fuzz world could not sign its users up')
  }
  const externalIds = [ALICE, BOB, GHOST]
  return {
    mfa,
    recording,
    mint,
    authenticators: new Map([[ALICE, alicesKeys], [BOB, [bobsKey]]]),
    externalIds,
    newcomer () {
      const externalId = `newcomer-${externalIds.length}`
      addUser(mfa, externalId)
      externalIds.push(externalId)
      return externalId
    },
    close: async () => { for (const close of closers) await close() }
  }
}

/** Worlds for a run of cases: each one serves `casesPerWorld` cases, so what accepted requests add stays small. */
export class WorldPool {
  readonly #kind: WorldStore
  readonly #mint: SessionMint
  readonly #casesPerWorld: number
  #world: World | undefined
  #served = 0

  constructor (kind: WorldStore, mint: SessionMint, casesPerWorld = 200) {
    this.#kind = kind
    this.#mint = mint
    this.#casesPerWorld = casesPerWorld
  }

  /** The world for the next case. */
  async next (): Promise<World> {
    if (this.#world === undefined || this.#served === this.#casesPerWorld) {
      await this.#world?.close()
      this.#world = await buildWorld(this.#kind, this.#mint)
      this.#served = 0
    }
    this.#served++
    return this.#world
  }

  async close (): Promise<void> {
    await this.#world?.close()
  }
}
