import fc from 'fast-check'
import { cookieHeader, cookieLayout, cookieValueSpec } from '../cookies.js'
import type { CookieLayout, CookieValueSpec } from '../cookies.js'
import type { FuzzProperty } from '../fuzz-property.js'
import { callRequest, mfaCall } from '../mfa-calls.js'
import type { MfaCall } from '../mfa-calls.js'
import { SAME_ORIGIN, clockAdvance } from '../requests.js'
import { openSession, sessionSpec } from '../sessions.js'
import type { SessionSpec } from '../sessions.js'

/** A call of one route with a session cookie derived from a real one. */
export interface SessionCookieCase {
  session: SessionSpec
  cookie: CookieValueSpec
  layout: CookieLayout
  call: MfaCall
  advanceMs: number
}

/** The session cookie: edited, random, or sealed around data that is no valid state, on every route. */
export const sessionCookie: FuzzProperty<SessionCookieCase> = {
  name: 'session cookie',
  arbitrary: fc.record({ session: sessionSpec, cookie: cookieValueSpec, layout: cookieLayout, call: mfaCall, advanceMs: clockAdvance }),
  async prepare (world, { session: spec, cookie, layout, call, advanceMs }) {
    const session = await openSession(world, spec)
    const request = await callRequest(world, session, call)
    // The call's own cookies (a trusted browser's) go along with the session's.
    const cookies = [cookieHeader(world, session, cookie, layout), request.headers.cookie].filter((value) => value !== undefined).join('; ')
    return { ...request, headers: { ...request.headers, ...SAME_ORIGIN, cookie: cookies }, advanceMs }
  }
}
