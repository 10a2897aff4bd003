import type { FastifyRequest } from 'fastify'
import { CrossSiteRequestError } from '../errors.js'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
const SAME_ORIGIN_FETCH = new Set(['same-origin', 'none'])

/**
 * An `onRequest` hook that refuses state-changing requests from other sites: a browser's
 * `Sec-Fetch-Site` must be `same-origin` (or `none`, typed by the user), and its `Origin` one of
 * `origins`. Requests that carry neither header come from no browser, so no cookie was sent for them
 * by a victim's browser.
 */
export function refuseCrossSite (origins: readonly string[]) {
  return async function refuseCrossSiteRequest (request: FastifyRequest): Promise<void> {
    if (SAFE_METHODS.has(request.method)) return
    const site = request.headers['sec-fetch-site']
    const origin = request.headers.origin
    if ((site !== undefined && !SAME_ORIGIN_FETCH.has(site)) || (origin !== undefined && !origins.includes(origin))) {
      request.log.info({ event: 'cross-site-refused', origin, site }, 'passkey-mfa: cross-site request refused')
      throw new CrossSiteRequestError()
    }
  }
}
