import type { FastifyRequest } from 'fastify'
import type { AuditDetails } from '../audit.js'
import { CrossSiteRequestError } from '../errors.js'
import { syncHook } from '../sync-hook.js'
import type { SyncHook } from '../sync-hook.js'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
const SAME_ORIGIN_FETCH = new Set(['same-origin', 'none'])
/** How much of a refused header an event records (an 8 KB `Origin` was seen). */
const MAX_HEADER = 256

/**
 * An `onRequest` hook that refuses state-changing requests from other sites: a browser's
 * `Sec-Fetch-Site` must be `same-origin` (or `none`, typed by the user), and its `Origin` one of
 * `origins`. Requests that carry neither header come from no browser, so no cookie was sent for them
 * by a victim's browser. Each refusal is recorded.
 */
export function refuseCrossSite (origins: readonly string[], record: (request: FastifyRequest, details: AuditDetails) => void): SyncHook {
  return syncHook(function refuseCrossSiteRequest (request) {
    if (SAFE_METHODS.has(request.method)) return
    const site = request.headers['sec-fetch-site']
    const origin = request.headers.origin
    const reason = site !== undefined && !SAME_ORIGIN_FETCH.has(site)
      ? `sec-fetch-site: ${site.slice(0, MAX_HEADER)}`
      : origin !== undefined && !origins.includes(origin) ? `origin: ${origin.slice(0, MAX_HEADER)}` : null
    if (reason !== null) {
      record(request, { type: 'cross-site-refused', externalId: null, reason })
      throw new CrossSiteRequestError()
    }
  })
}
