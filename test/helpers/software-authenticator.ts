/**
 * A software WebAuthn authenticator plus client ("browser") for tests: turns the JSON options produced by
 * `@simplewebauthn/server` into the JSON responses `@simplewebauthn/browser` would return, using only node:crypto.
 */
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server'
import { encodeCbor, type CborValue } from './cbor.js'

/** Credential key algorithms: ES256 (COSE -7), RS256 (COSE -257), EdDSA/Ed25519 (COSE -8). */
export type Algorithm = 'ES256' | 'RS256' | 'EdDSA'

/** Settings of the authenticator, fixed for every credential it creates. */
export interface AuthenticatorOptions {
  /** Origin the "browser" is on. Default `'http://localhost:3000'`. */
  origin?: string
  /** Key algorithm of new credentials; must be in `pubKeyCredParams`. Default `'ES256'`. */
  algorithm?: Algorithm
  /** AAGUID as a UUID string. Default all zeros. */
  aaguid?: string
  /** BE flag. Default `true`. */
  backupEligible?: boolean
  /** BS flag (only set when BE is). Default `true`. */
  backedUp?: boolean
  /** `'none'`, or `'packed'` self attestation (signed with the credential key, no x5c). Default `'none'`. */
  attestation?: 'none' | 'packed'
  /** Transports reported on registration. Default `['internal', 'hybrid']`. */
  transports?: string[]
  /** Initial signature counter. If > 0 it increments on every assertion; if 0 it stays 0. Default 0. */
  signCount?: number
}

/** Tweaks shared by registration and assertion: each makes the response wrong in one precise way. */
export interface CommonTweaks {
  /** base64url challenge to put in clientDataJSON instead of the real one. */
  challenge?: string
  /** clientDataJSON.origin. */
  origin?: string
  /** clientDataJSON.type, e.g. `'webauthn.get'` in a registration. */
  type?: string
  /** RP ID whose SHA-256 goes into authenticatorData. */
  rpId?: string
  /** UP flag. Default `true`. */
  userPresent?: boolean
  /** UV flag. Default `true`. */
  userVerified?: boolean
  /** clientDataJSON.crossOrigin. Default `false`. */
  crossOrigin?: boolean
  /** clientDataJSON.topOrigin (omitted unless given). */
  topOrigin?: string
}

/** Tweaks for {@link SoftwareAuthenticator.create}. */
export interface RegistrationTweaks extends CommonTweaks {
  /** Use this credential ID (e.g. one already registered, or 1024+ bytes); also bypasses excludeCredentials. */
  credentialId?: Uint8Array
  /** Corrupt the `packed` attestation signature (flip one bit). */
  flipAttestationSignatureBit?: boolean
}

/** Tweaks for {@link SoftwareAuthenticator.get}. */
export interface AssertionTweaks extends CommonTweaks {
  /** Corrupt the signature (flip one bit). */
  flipSignatureBit?: boolean
  /** signCount to put in authenticatorData (the stored counter still advances as usual). */
  counter?: number
  /** BE flag for this assertion only (BS is cleared when BE is false). */
  backupEligible?: boolean
  /** userHandle (base64url) to return instead of the stored one; `null` omits it. */
  userHandle?: string | null
  /** Sign with this credential (e.g. another user's), ignoring allowCredentials and rpId. */
  credential?: StoredCredential
}

/** A credential held by the authenticator. */
export interface StoredCredential {
  id: Uint8Array
  /** `id` as base64url, as in `RegistrationResponseJSON.id`. */
  idBase64url: string
  rpId: string
  /** `user.id` from the creation options (base64url). */
  userHandle: string
  privateKey: KeyObject
  algorithm: Algorithm
  signCount: number
}

type Jwk = Record<string, string>
const b = (s: string): Buffer => Buffer.from(s, 'base64url')
const ALGORITHMS: Record<Algorithm, { cose: number; generate: () => KeyObject; coseKey: (jwk: Jwk) => [number, CborValue][] }> = {
  ES256: {
    cose: -7,
    generate: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
    coseKey: (j) => [[1, 2], [3, -7], [-1, 1], [-2, b(j.x)], [-3, b(j.y)]],
  },
  RS256: {
    cose: -257,
    generate: () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
    coseKey: (j) => [[1, 3], [3, -257], [-1, b(j.n)], [-2, b(j.e)]],
  },
  EdDSA: {
    cose: -8,
    generate: () => generateKeyPairSync('ed25519').privateKey,
    coseKey: (j) => [[1, 1], [3, -8], [-1, 6], [-2, b(j.x)]],
  },
}

const sha256 = (data: string | Uint8Array): Buffer => createHash('sha256').update(data).digest()
const b64url = (data: Uint8Array): string => Buffer.from(data).toString('base64url')

/** Signs `data` the way the credential's COSE algorithm requires (ES256 signatures are DER-encoded). */
function signWith(cred: StoredCredential, data: Uint8Array): Buffer {
  return sign(cred.algorithm === 'EdDSA' ? null : 'sha256', data, cred.privateKey)
}

/** A fake platform authenticator + browser. Every call to `create` generates a new key pair. */
export class SoftwareAuthenticator {
  /** Credentials it holds, oldest first. */
  readonly credentials: StoredCredential[] = []
  private readonly settings: Required<AuthenticatorOptions>

  constructor(options: AuthenticatorOptions = {}) {
    this.settings = {
      origin: 'http://localhost:3000',
      algorithm: 'ES256',
      aaguid: '00000000-0000-0000-0000-000000000000',
      backupEligible: true,
      backedUp: true,
      attestation: 'none',
      transports: ['internal', 'hybrid'],
      signCount: 0,
      ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
    }
  }

  /** `navigator.credentials.create()`: returns JSON as `@simplewebauthn/browser`'s `startRegistration` would. */
  create(options: PublicKeyCredentialCreationOptionsJSON, tweaks: RegistrationTweaks = {}): RegistrationResponseJSON {
    const s = this.settings
    const alg = ALGORITHMS[s.algorithm]
    if (!options.pubKeyCredParams.some((p) => p.alg === alg.cose)) {
      throw new Error(`NotSupportedError: the RP does not accept ${s.algorithm}`)
    }
    const rpId = tweaks.rpId ?? options.rp.id ?? new URL(s.origin).hostname
    const excluded = new Set(options.excludeCredentials?.map((d) => d.id))
    if (!tweaks.credentialId && this.credentials.some((c) => c.rpId === rpId && excluded.has(c.idBase64url))) {
      throw new Error('InvalidStateError: the authenticator already holds an excluded credential')
    }
    const id = Buffer.from(tweaks.credentialId ?? randomBytes(16))
    const cred: StoredCredential = {
      id,
      idBase64url: b64url(id),
      rpId,
      userHandle: options.user.id,
      privateKey: alg.generate(),
      algorithm: s.algorithm,
      signCount: s.signCount,
    }
    this.credentials.push(cred)
    const publicKey = createPublicKey(cred.privateKey)
    const coseKey = encodeCbor(new Map(alg.coseKey(publicKey.export({ format: 'jwk' }) as Jwk)))
    const idLength = Buffer.alloc(2)
    idLength.writeUInt16BE(id.length)
    const attested = Buffer.concat([Buffer.from(s.aaguid.replaceAll('-', ''), 'hex'), idLength, id, coseKey])
    const authData = this.authData(rpId, tweaks, s.backupEligible, cred.signCount, attested)
    const clientDataJSON = this.clientData('webauthn.create', options.challenge, tweaks)
    const attStmt = new Map<string, CborValue>()
    if (s.attestation === 'packed') {
      attStmt.set('alg', alg.cose)
      const sig = signWith(cred, Buffer.concat([authData, sha256(clientDataJSON)]))
      if (tweaks.flipAttestationSignatureBit) sig[sig.length - 1] ^= 0x01
      attStmt.set('sig', sig)
    }
    const attestationObject = encodeCbor(new Map<string, CborValue>([['fmt', s.attestation], ['attStmt', attStmt], ['authData', authData]]))
    return {
      id: cred.idBase64url,
      rawId: cred.idBase64url,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(Buffer.from(clientDataJSON)),
        attestationObject: b64url(attestationObject),
        authenticatorData: b64url(authData),
        transports: [...s.transports],
        publicKeyAlgorithm: alg.cose,
        publicKey: b64url(publicKey.export({ format: 'der', type: 'spki' })),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    }
  }

  /**
   * `navigator.credentials.get()`: signs with the first credential it holds for the RP that is in
   * `allowCredentials` (any of the RP's if the list is empty). Throws if it holds none.
   */
  get(options: PublicKeyCredentialRequestOptionsJSON, tweaks: AssertionTweaks = {}): AuthenticationResponseJSON {
    const rpId = options.rpId ?? new URL(this.settings.origin).hostname
    const allowed = new Set(options.allowCredentials?.map((d) => d.id))
    const cred =
      tweaks.credential ??
      this.credentials.find((c) => c.rpId === rpId && (allowed.size === 0 || allowed.has(c.idBase64url)))
    if (!cred) throw new Error(`NotAllowedError: no matching credential for ${rpId}`)

    if (cred.signCount > 0) cred.signCount += 1
    const be = tweaks.backupEligible ?? this.settings.backupEligible
    const authData = this.authData(tweaks.rpId ?? rpId, tweaks, be, tweaks.counter ?? cred.signCount)
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, tweaks)
    const signature = signWith(cred, Buffer.concat([authData, sha256(clientDataJSON)]))
    if (tweaks.flipSignatureBit) signature[signature.length - 1] ^= 0x01
    const userHandle = tweaks.userHandle === undefined ? cred.userHandle : tweaks.userHandle
    return {
      id: cred.idBase64url,
      rawId: cred.idBase64url,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(Buffer.from(clientDataJSON)),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(userHandle === null ? {} : { userHandle }),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    }
  }

  /** rpIdHash | flags | signCount (big endian) | attested credential data (registration only). */
  private authData(rpId: string, t: CommonTweaks, be: boolean, signCount: number, attested?: Buffer): Buffer {
    const flags =
      (t.userPresent ?? true ? 0x01 : 0) |
      (t.userVerified ?? true ? 0x04 : 0) |
      (be ? 0x08 : 0) |
      (be && this.settings.backedUp ? 0x10 : 0) |
      (attested ? 0x40 : 0)
    const counter = Buffer.alloc(4)
    counter.writeUInt32BE(signCount)
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), counter, attested ?? Buffer.alloc(0)])
  }

  /** clientDataJSON with the members in the order browsers serialize them. */
  private clientData(type: string, challenge: string, t: CommonTweaks): string {
    return JSON.stringify({
      type: t.type ?? type,
      challenge: t.challenge ?? challenge,
      origin: t.origin ?? this.settings.origin,
      crossOrigin: t.crossOrigin ?? false,
      topOrigin: t.topOrigin,
    })
  }
}
