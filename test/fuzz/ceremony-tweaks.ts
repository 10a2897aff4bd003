import fc from 'fast-check'
import { ORIGIN } from '../helpers/engine-app.js'
import type { AssertionTweaks, AuthenticatorOptions, CommonTweaks, RegistrationTweaks } from '../helpers/software-authenticator.js'

/**
 * Answers of the software authenticator made wrong in one precise way each (a challenge, origin,
 * RP ID, flag, counter or signature), so the WebAuthn checks themselves are fuzzed. Most cases get
 * none or one tweak: each refusal happens at its own check.
 */

const base64url = fc.base64String({ maxLength: 64 }).map((text) => text.replace(/[+/=]/g, ''))

const commonTweak: fc.Arbitrary<CommonTweaks> = fc.oneof(
  fc.record({ challenge: base64url }),
  fc.record({ origin: fc.constantFrom('http://localhost:3001', 'https://localhost:3000', 'http://localhost', `${ORIGIN}/`, 'null', '') }),
  fc.record({ type: fc.constantFrom('webauthn.get', 'webauthn.create', 'payment.get', '') }),
  fc.record({ rpId: fc.constantFrom('evil.example', 'localhost.', 'LOCALHOST', '') }),
  fc.record({ userPresent: fc.constant(false) }),
  fc.record({ userVerified: fc.constant(false) }),
  fc.record({ crossOrigin: fc.constant(true), topOrigin: fc.option(fc.constantFrom(ORIGIN, 'http://evil.example'), { nil: undefined }) }),
  fc.record({ topOrigin: fc.constantFrom(ORIGIN, 'http://evil.example') })
)

/** Tweaks of a registration answer. */
export const registrationTweaks: fc.Arbitrary<RegistrationTweaks> = fc.array(fc.oneof(
  { weight: 3, arbitrary: commonTweak },
  fc.record({ flipAttestationSignatureBit: fc.constant(true) }),
  fc.record({ credentialId: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.integer({ min: 1000, max: 1100 }).map((length) => new Uint8Array(length))) })
), { maxLength: 2 }).map((tweaks) => Object.assign({}, ...tweaks))

/** Tweaks of an authentication answer (another user's credential is chosen by the case itself). */
export const assertionTweaks: fc.Arbitrary<AssertionTweaks> = fc.array(fc.oneof(
  { weight: 3, arbitrary: commonTweak },
  fc.record({ flipSignatureBit: fc.constant(true) }),
  fc.record({ counter: fc.nat({ max: 2 ** 32 - 1 }) }),
  fc.record({ backupEligible: fc.boolean() }),
  fc.record({ userHandle: fc.option(base64url) })
), { maxLength: 2 }).map((tweaks) => Object.assign({}, ...tweaks))

/** Settings of the authenticator that registers: key algorithm, attestation, flags, AAGUID, transports. */
export const authenticatorOptions: fc.Arbitrary<AuthenticatorOptions> = fc.record({
  algorithm: fc.constantFrom('ES256' as const, 'EdDSA' as const),
  attestation: fc.constantFrom('none' as const, 'packed' as const),
  backupEligible: fc.boolean(),
  backedUp: fc.boolean(),
  aaguid: fc.uuid(),
  transports: fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom('internal', 'hybrid', 'usb', 'nfc', 'ble', 'smart-card') }, fc.string({ maxLength: 40 })), { maxLength: 5 }),
  signCount: fc.nat()
}, { requiredKeys: [] })
