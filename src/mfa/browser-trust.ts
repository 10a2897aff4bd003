import type { FastifyReply, FastifyRequest } from 'fastify'
import { deviceName } from '../engine/device-name.js'
import type { BrowserTrust } from '../engine/trusted-browsers.js'
import type { CeremonyKind } from '../engine/store.js'
import { BodyInvalidError } from '../errors.js'
import type { MfaRuntime, RequestMfa } from './request-mfa.js'

/**
 * Throws `FST_PASSKEY_MFA_BODY_INVALID` unless a step of `kind` may trust the browser: trusted
 * browsers are on, and the step is a passkey authentication (trusting is a factor change, and a
 * registration is no passkey check). Checked before the nonce is spent.
 */
export function assertMayTrust (runtime: MfaRuntime, kind: CeremonyKind): void {
  if (runtime.options.trustedBrowsers === null) throw new BodyInvalidError('trustBrowser: trusted browsers are off')
  if (kind !== 'authenticate') throw new BodyInvalidError('trustBrowser needs a passkey authentication; a registration is none')
}

/**
 * Trusts the requesting browser for the user, named after its `User-Agent`, replacing (in the same
 * store write) the trust its cookie already holds for this user, if any. The cookie is set by
 * {@link setTrustCookie} once the step completed.
 */
export async function trustBrowser (runtime: MfaRuntime, request: FastifyRequest, externalId: string): Promise<BrowserTrust> {
  const { engine, options } = runtime
  const name = deviceName(request.headers['user-agent']) ?? 'Web browser'
  return await engine.trustBrowser(externalId, name, options.trustedBrowsers!.maxAgeMs, (request.mfa as RequestMfa).trustedBrowserToken)
}

/** Sets the cookie of a trust made by {@link trustBrowser}, and records the event. */
export function setTrustCookie (runtime: MfaRuntime, request: FastifyRequest, reply: FastifyReply, externalId: string, { token, browser }: BrowserTrust): void {
  runtime.trustedCookie!.write(reply, token, browser.expiresAt)
  runtime.audit(request, { type: 'browser-trusted', externalId, trustedBrowserId: browser.id })
}
