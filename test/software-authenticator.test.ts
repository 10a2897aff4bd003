import t from 'tap'
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type VerifyAuthenticationResponseOpts,
  type VerifyRegistrationResponseOpts,
  type WebAuthnCredential,
} from '@simplewebauthn/server'
import { encodeCbor, type CborValue } from './helpers/cbor.js'
import {
  SoftwareAuthenticator,
  type AssertionTweaks,
  type RegistrationTweaks,
} from './helpers/software-authenticator.js'

const rpID = 'localhost'
const origin = 'http://localhost:3000'
const userID = new TextEncoder().encode('user-1')

const registrationOptions = (extra: Partial<Parameters<typeof generateRegistrationOptions>[0]> = {}) =>
  generateRegistrationOptions({ rpName: 'Test', rpID, userName: 'alice', userID, ...extra })

/** Registers with `auth` and verifies with @simplewebauthn/server. */
async function register(auth: SoftwareAuthenticator, tweaks?: RegistrationTweaks, extra?: Partial<VerifyRegistrationResponseOpts>) {
  const options = await registrationOptions()
  const response = auth.create(options, tweaks)
  const opts = { response, expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: rpID }
  return { options, response, result: await verifyRegistrationResponse({ ...opts, ...extra }) }
}

/** Registers successfully and returns the credential as the RP would store it. */
async function registered(auth: SoftwareAuthenticator): Promise<WebAuthnCredential> {
  const { result } = await register(auth)
  if (!result.verified) throw new Error('registration failed')
  return result.registrationInfo.credential
}

/** Authenticates with `auth` against `credential` and verifies with @simplewebauthn/server. */
async function authenticate(
  auth: SoftwareAuthenticator,
  credential: WebAuthnCredential,
  tweaks?: AssertionTweaks,
  extra?: Partial<VerifyAuthenticationResponseOpts>,
) {
  const options = await generateAuthenticationOptions({ rpID, allowCredentials: [{ id: credential.id }] })
  const response = auth.get(options, tweaks)
  const opts = { response, expectedChallenge: options.challenge, expectedOrigin: origin, expectedRPID: rpID, credential }
  return verifyAuthenticationResponse({ ...opts, ...extra })
}

/** True if verification throws or reports `verified: false`. */
async function rejected(verification: Promise<{ verified: boolean }>): Promise<boolean> {
  try {
    return !(await verification).verified
  } catch {
    return true
  }
}

t.test('CBOR encoder matches RFC 8949 vectors', async (t) => {
  const vectors: [CborValue, string][] = [
    [0, '00'], [23, '17'], [24, '1818'], [1000, '1903e8'], [1000000, '1a000f4240'],
    [-1, '20'], [-100, '3863'], [-1000, '3903e7'], ['', '60'], ['IETF', '6449455446'],
    [new Uint8Array([1, 2, 3, 4]), '4401020304'], [[1, [2, 3]], '8201820203'],
    [new Map<number | string, CborValue>([[1, 2], ['a', [3]]]), 'a2010261618103'],
  ]
  for (const [value, hex] of vectors) t.equal(encodeCbor(value).toString('hex'), hex)
  t.throws(() => encodeCbor(1.5), TypeError)
})

for (const algorithm of ['ES256', 'RS256', 'EdDSA'] as const) {
  for (const attestation of ['none', 'packed'] as const) {
    t.test(`${algorithm} with ${attestation} attestation registers and authenticates`, async (t) => {
      const signCount = attestation === 'packed' ? 10 : 0
      const auth = new SoftwareAuthenticator({ algorithm, attestation, signCount })
      const { response, result } = await register(auth)
      if (!result.verified) throw new Error('registration not verified')
      const info = result.registrationInfo
      t.match(info, { fmt: attestation, userVerified: true, credentialBackedUp: true, credentialDeviceType: 'multiDevice' })
      t.match(info.credential, { id: response.id, counter: signCount, transports: ['internal', 'hybrid'] })
      t.equal(response.response.publicKeyAlgorithm, { ES256: -7, RS256: -257, EdDSA: -8 }[algorithm])
      const credential = info.credential
      for (const expected of signCount ? [11, 12] : [0, 0]) {
        const { verified, authenticationInfo } = await authenticate(auth, credential)
        t.equal(verified, true)
        t.match(authenticationInfo, { newCounter: expected, credentialBackedUp: true, userVerified: true })
        credential.counter = authenticationInfo.newCounter
      }
    })
  }
}

t.test('registration tweaks make verification fail', async (t) => {
  const cases: [string, RegistrationTweaks, Partial<VerifyRegistrationResponseOpts>?][] = [
    ['wrong challenge', { challenge: 'AAAA' }],
    ['wrong origin', { origin: 'https://evil.example' }],
    ['wrong type', { type: 'webauthn.get' }],
    ['other rpId', { rpId: 'evil.example' }],
    ['UP off', { userPresent: false }],
    ['UV off, UV required', { userVerified: false }, { requireUserVerification: true }],
  ]
  const auth = new SoftwareAuthenticator()
  for (const [name, tweaks, extra] of cases) t.ok(await rejected(register(auth, tweaks, extra).then((r) => r.result)), name)
  const control = await register(auth, { userVerified: false }, { requireUserVerification: false })
  t.equal(control.result.verified, true, 'UV off passes when UV is not required')
})

t.test('assertion tweaks make verification fail', async (t) => {
  const cases: [string, AssertionTweaks, Partial<VerifyAuthenticationResponseOpts>?][] = [
    ['wrong challenge', { challenge: 'AAAA' }],
    ['wrong origin', { origin: 'https://evil.example' }],
    ['wrong type', { type: 'webauthn.create' }],
    ['other rpId', { rpId: 'evil.example' }],
    ['flipped signature bit', { flipSignatureBit: true }],
    ['UP off', { userPresent: false }],
    ['UV off, UV required', { userVerified: false }, { requireUserVerification: true }],
    ['counter regression', { counter: 3 }],
  ]
  const auth = new SoftwareAuthenticator({ signCount: 10 })
  const credential = await registered(auth)
  for (const [name, tweaks, extra] of cases) t.ok(await rejected(authenticate(auth, credential, tweaks, extra)), name)
  const control = await authenticate(auth, credential, { userVerified: false }, { requireUserVerification: false })
  t.equal(control.verified, true, 'UV off passes when UV is not required')
})

t.test('excludeCredentials, algorithm choice and credential selection', async (t) => {
  const auth = new SoftwareAuthenticator()
  const credential = await registered(auth)
  const excluding = await registrationOptions({ excludeCredentials: [{ id: credential.id }] })
  t.throws(() => auth.create(excluding), /InvalidStateError/)
  const reused = auth.create(excluding, { credentialId: Buffer.from(credential.id, 'base64url') })
  t.equal(reused.id, credential.id, 'credentialId tweak bypasses the exclusion')
  t.ok(new SoftwareAuthenticator().create(excluding), 'another authenticator is not excluded')

  const onlyES256 = await registrationOptions({ supportedAlgorithmIDs: [-7] })
  t.throws(() => new SoftwareAuthenticator({ algorithm: 'RS256' }).create(onlyES256), /NotSupportedError/)
  const request = await generateAuthenticationOptions({ rpID, allowCredentials: [{ id: credential.id }] })
  t.throws(() => new SoftwareAuthenticator().get(request), /NotAllowedError/)
})

t.test('defaults, options and the remaining assertion tweaks', async (t) => {
  const aaguid = '01020304-0506-0708-090a-0b0c0d0e0f10'
  const custom = new SoftwareAuthenticator({ origin: 'https://app.example', aaguid, backedUp: false, transports: ['usb'] })
  const options = await registrationOptions()
  const response = custom.create({ ...options, rp: { name: 'Test' } }) // no rp.id: defaults to the origin's host
  const reg = await verifyRegistrationResponse({
    response, expectedChallenge: options.challenge, expectedOrigin: 'https://app.example', expectedRPID: 'app.example',
  })
  t.match(reg.registrationInfo, { aaguid, credentialBackedUp: false, credentialDeviceType: 'multiDevice' })
  t.same(response.response.transports, ['usb'])
  const singleDevice = await register(new SoftwareAuthenticator({ backupEligible: false }))
  t.match(singleDevice.result.registrationInfo, { credentialBackedUp: false, credentialDeviceType: 'singleDevice' })

  // Discoverable flow without rpId: picks the RP's credential and returns the user handle.
  const discoverable = custom.get({ challenge: 'Y2hhbGxlbmdl' })
  t.equal(discoverable.id, response.id)
  t.equal(discoverable.response.userHandle, options.user.id)
  t.equal(Buffer.from(discoverable.response.clientDataJSON, 'base64url').toString(),
    '{"type":"webauthn.get","challenge":"Y2hhbGxlbmdl","origin":"https://app.example","crossOrigin":false}')
  t.notOk('userHandle' in custom.get({ challenge: 'AA' }, { userHandle: null }).response, 'userHandle omitted')
  t.equal(custom.get({ challenge: 'AA' }, { userHandle: 'b3RoZXI' }).response.userHandle, 'b3RoZXI')

  const auth = new SoftwareAuthenticator()
  const alice = await registered(auth)
  const bob = await registered(auth)
  const request = await generateAuthenticationOptions({ rpID, allowCredentials: [{ id: alice.id }] })
  t.equal(auth.get(request, { credential: auth.credentials[1]! }).id, bob.id, 'credential tweak ignores allowCredentials')
  t.ok(await rejected(authenticate(auth, alice, { credential: auth.credentials[1]! })), "bob's credential fails as alice's")
  const single = await authenticate(auth, alice, { backupEligible: false })
  t.match(single.authenticationInfo, { credentialBackedUp: false, credentialDeviceType: 'singleDevice' })
  const framed = { crossOrigin: true, topOrigin: 'https://top.example' }
  t.ok(await rejected(authenticate(auth, alice, framed)), 'cross-origin without expectedTopOrigin fails')
  const allowed = await authenticate(auth, alice, framed, { expectedTopOrigin: 'https://top.example' })
  t.equal(allowed.verified, true)
})
