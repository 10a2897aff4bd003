import fastifySecureSession from '@fastify/secure-session'
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse
} from '@simplewebauthn/server'
import type { AuthenticationResponseJSON, RegistrationResponseJSON, WebAuthnCredential } from '@simplewebauthn/server'
import Fastify from 'fastify'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ORIGIN, RP_ID } from '../../test/helpers/engine-app.js'
import { SESSION_KEY } from '../lib/config.js'
import './session-data.js'

/**
 * The library floor of the second-factor step: Fastify, a bare `@fastify/secure-session` and
 * `@simplewebauthn/server`, credentials in a `Map`, no transactions, nonces or state machine. The
 * step is two requests: `POST /options`, then `POST /verify` with the assertion. `POST /login` is the
 * first factor; `POST /register/options` and `/register/verify` enroll a passkey (setup only).
 */
export async function referenceApp (): Promise<FastifyInstance> {
  const credentials = new Map<string, WebAuthnCredential>()
  const app = Fastify()
  await app.register(fastifySecureSession, { key: SESSION_KEY, cookie: { path: '/', httpOnly: true, sameSite: 'lax' } })

  app.post<{ Body: { externalId: string } }>('/login', async (request) => {
    request.session.set('externalId', request.body.externalId)
    request.session.set('authenticated', false)
    return { next: credentials.has(request.body.externalId) ? 'authenticate' : 'enroll' }
  })

  app.post('/register/options', async (request) => {
    const externalId = userOf(request)
    const options = await generateRegistrationOptions({
      rpName: 'Bench', rpID: RP_ID, userName: externalId, attestationType: 'none',
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' }
    })
    request.session.set('challenge', options.challenge)
    return options
  })

  app.post<{ Body: RegistrationResponseJSON }>('/register/verify', async (request) => {
    const externalId = userOf(request)
    const { verified, registrationInfo } = await verifyRegistrationResponse({
      response: request.body, expectedChallenge: takeChallenge(request), expectedOrigin: ORIGIN, expectedRPID: RP_ID
    })
    if (!verified) throw new Error('registration not verified')
    credentials.set(externalId, registrationInfo.credential)
    return { verified }
  })

  app.post('/options', async (request) => {
    const credential = credentials.get(userOf(request))!
    const options = await generateAuthenticationOptions({
      rpID: RP_ID, allowCredentials: [{ id: credential.id, transports: credential.transports }], userVerification: 'required'
    })
    request.session.set('challenge', options.challenge)
    return options
  })

  app.post<{ Body: AuthenticationResponseJSON }>('/verify', async (request) => {
    const externalId = userOf(request)
    const credential = credentials.get(externalId)!
    const { verified, authenticationInfo } = await verifyAuthenticationResponse({
      response: request.body, expectedChallenge: takeChallenge(request), expectedOrigin: ORIGIN, expectedRPID: RP_ID,
      credential, requireUserVerification: true
    })
    if (!verified) throw new Error('assertion not verified')
    credential.counter = authenticationInfo.newCounter
    request.session.set('authenticated', true)
    return { auth_token: `token-for-${externalId}` }
  })

  return app
}

function userOf (request: FastifyRequest): string {
  const externalId = request.session.get('externalId')
  if (externalId === undefined) throw new Error('no first factor in this session')
  return externalId
}

function takeChallenge (request: FastifyRequest): string {
  const challenge = request.session.get('challenge')
  if (challenge === undefined) throw new Error('no challenge in this session')
  request.session.set('challenge', undefined)
  return challenge
}
