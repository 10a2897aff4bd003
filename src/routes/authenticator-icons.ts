import type { FastifyInstance } from 'fastify'
import { authenticatorIcons } from '../engine/authenticator-metadata.js'
import type { IconTheme } from '../engine/authenticator-metadata.js'
import { AuthenticatorIconNotFoundError } from '../errors.js'
import { ERROR_REPLIES } from '../reply-error.js'
import { AuthenticatorIconParams, AuthenticatorIconQuery } from '../schemas/routes.js'

/** Light and dark icon URLs of a passkey provider. */
export interface AuthenticatorIconUrls {
  light: string
  dark: string
}

/**
 * The URLs under `prefix` of the icon of an AAGUID's provider, for light and dark pages, or `null`
 * when the provider is unknown. Each carries the icon's digest, so a changed icon has a new URL.
 *
 * @example
 * authenticatorIconUrls('/passkey', aaguid)?.light // '/passkey/authenticator-icons/<aaguid>/light.svg?v=…'
 */
export function authenticatorIconUrls (prefix: string, aaguid: string): AuthenticatorIconUrls | null {
  const icons = authenticatorIcons(aaguid)
  if (icons === null) return null
  const url = (theme: IconTheme): string => `${prefix}/authenticator-icons/${aaguid}/${theme}.svg?v=${icons[theme].digest}`
  return { light: url('light'), dark: url('dark') }
}

/**
 * `GET /authenticator-icons/:aaguid/:theme.svg`: a passkey provider's icon, for any session; cached
 * for a year (`immutable`, the URL changes with the icon) and revalidated by its `ETag`. An unknown
 * provider is `404 FST_PASSKEY_MFA_AUTHENTICATOR_ICON_NOT_FOUND`.
 */
export async function authenticatorIconRoute (fastify: FastifyInstance): Promise<void> {
  fastify.get<{ Params: AuthenticatorIconParams, Querystring: AuthenticatorIconQuery }>('/authenticator-icons/:aaguid/:theme.svg', {
    schema: { params: AuthenticatorIconParams, querystring: AuthenticatorIconQuery, response: ERROR_REPLIES }
  }, async (request, reply) => {
    const icon = authenticatorIcons(request.params.aaguid)?.[request.params.theme]
    if (icon === undefined) throw new AuthenticatorIconNotFoundError()
    const etag = `"${icon.digest}"`
    reply
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('etag', etag)
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .header('x-content-type-options', 'nosniff')
    if (request.headers['if-none-match'] === etag) return reply.code(304).send()
    return reply.type('image/svg+xml').send(icon.svg)
  })
}
