import fc from 'fast-check'
import type { FuzzProperty } from '../fuzz-property.js'
import { callRequest, mfaCall } from '../mfa-calls.js'
import type { MfaCall } from '../mfa-calls.js'
import { browserHeaders, clockAdvance } from '../requests.js'
import { openSession, sessionSpec } from '../sessions.js'
import type { SessionSpec } from '../sessions.js'

/** A call of one route under the prefix, from a session in any state. */
export interface MfaRouteCase {
  session: SessionSpec
  call: MfaCall
  headers: Record<string, string>
  advanceMs: number
}

/** The MFA routes' bodies and parameters, in sessions of every state, at every age. */
export const mfaRoutes: FuzzProperty<MfaRouteCase> = {
  name: 'MFA routes',
  arbitrary: fc.record({ session: sessionSpec, call: mfaCall, headers: browserHeaders, advanceMs: clockAdvance }),
  async prepare (world, { session: spec, call, headers, advanceMs }) {
    const session = await openSession(world, spec)
    const request = await callRequest(world, session, call)
    // The call's own cookies (a trusted browser's) go along with the session's.
    const cookies = [session.cookie, request.headers.cookie].filter((cookie) => cookie !== undefined)
    const cookie: Record<string, string> = cookies.length === 0 ? {} : { cookie: cookies.join('; ') }
    return { ...request, headers: { ...request.headers, ...headers, ...cookie }, advanceMs }
  }
}
