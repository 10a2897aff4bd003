import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { buildExampleApp } from '../../example/app.js'

// The example's log-in and sign-up are throttled: 5 failed log-ins per email and 20 per address in
// 15 minutes, 20 sign-ups per address in an hour; a refusal says how long to wait.

const password = 'correct horse battery'
const MINUTE = 60_000

/** The example app on a fresh data folder, and a clock to move `Date.now()` forward (frozen otherwise: a slow scrypt must not shift the waits). */
async function buildApp (t: Test): Promise<{ app: FastifyInstance, advance: (ms: number) => void }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'passkey-mfa-example-'))
  const realNow = Date.now
  const start = realNow()
  let offset = 0
  Date.now = () => start + offset
  const app = await buildExampleApp({ dataDir, port: 3000 })
  t.teardown(async () => {
    Date.now = realNow
    await app.close()
    await rm(dataDir, { recursive: true, force: true })
  })
  return { app, advance: (ms) => { offset += ms } }
}

const post = async (app: FastifyInstance, url: string, body: object, remoteAddress = '192.0.2.1'): Promise<LightMyRequestResponse> =>
  await app.inject({ method: 'POST', url, payload: body, remoteAddress })

const throttled = (t: Test, response: LightMyRequestResponse, retryAfter: number, message: string, code = 'LOGIN_THROTTLED'): void => {
  t.equal(response.statusCode, 429)
  t.equal(response.headers['retry-after'], String(retryAfter))
  t.same(response.json(), { statusCode: 429, code, error: 'Too Many Requests', message })
}

t.test('the 6th log-in of an email within 15 minutes after 5 wrong passwords is refused, saying how long to wait', async (t) => {
  const { app, advance } = await buildApp(t)
  t.equal((await post(app, '/signup', { email: 'alice@example.com', password })).statusCode, 201)
  for (let i = 0; i < 5; i++) {
    const wrong = await post(app, '/login', { email: 'alice@example.com', password: `wrong ${i}` })
    t.equal(wrong.statusCode, 401, `wrong password ${i + 1}: 401`)
    advance(MINUTE)
  }
  // The window started with the first failure, 5 minutes ago: 10 minutes left.
  throttled(t, await post(app, '/login', { email: 'Alice@example.com', password }), 600, 'Too many sign-in attempts. Try again in 10 minutes.')
  throttled(t, await post(app, '/login', { email: 'alice@example.com', password }, '198.51.100.7'), 600,
    'Too many sign-in attempts. Try again in 10 minutes.', 'LOGIN_THROTTLED')
  t.equal((await post(app, '/login', { email: 'bob@example.com', password })).statusCode, 401, 'another email from the same address is not throttled')

  advance(9 * MINUTE + 30_000)
  throttled(t, await post(app, '/login', { email: 'alice@example.com', password }), 30, 'Too many sign-in attempts. Try again in 30 seconds.')
  advance(29_000)
  throttled(t, await post(app, '/login', { email: 'alice@example.com', password }), 1, 'Too many sign-in attempts. Try again in 1 second.')
  advance(1000)
  const signedIn = await post(app, '/login', { email: 'alice@example.com', password })
  t.equal(signedIn.statusCode, 200, 'the window over, the right password signs in')
  t.same(signedIn.json(), { next: 'enroll' })
})

t.test('an unknown email is throttled as a known one is (no hint of which emails have accounts)', async (t) => {
  const { app } = await buildApp(t)
  for (let i = 0; i < 5; i++) t.equal((await post(app, '/login', { email: 'nobody@example.com', password })).statusCode, 401)
  throttled(t, await post(app, '/login', { email: 'nobody@example.com', password }), 900, 'Too many sign-in attempts. Try again in 15 minutes.')
})

t.test('a log-in clears its email\'s failures', async (t) => {
  const { app } = await buildApp(t)
  t.equal((await post(app, '/signup', { email: 'alice@example.com', password })).statusCode, 201)
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 4; i++) t.equal((await post(app, '/login', { email: 'alice@example.com', password: 'wrong' })).statusCode, 401)
    t.equal((await post(app, '/login', { email: 'alice@example.com', password })).statusCode, 200, `round ${round + 1}: the 5th try, right, signs in`)
  }
})

t.test('20 failed log-ins from one address, any emails, throttle that address only', async (t) => {
  const { app, advance } = await buildApp(t)
  t.equal((await post(app, '/signup', { email: 'alice@example.com', password }, '203.0.113.9')).statusCode, 201)
  for (let i = 0; i < 20; i++) t.equal((await post(app, '/login', { email: `guess${i}@example.com`, password })).statusCode, 401)
  advance(2 * MINUTE)
  throttled(t, await post(app, '/login', { email: 'alice@example.com', password }), 780, 'Too many sign-in attempts. Try again in 13 minutes.')
  t.equal((await post(app, '/login', { email: 'alice@example.com', password }, '203.0.113.9')).statusCode, 200, 'another address signs in')
})

t.test('sign-ups: 20 per address in an hour, taken emails included', async (t) => {
  const { app, advance } = await buildApp(t)
  for (let i = 0; i < 19; i++) t.equal((await post(app, '/signup', { email: `user${i}@example.com`, password })).statusCode, 201)
  t.equal((await post(app, '/signup', { email: 'user0@example.com', password })).statusCode, 409, 'a taken email counts')
  advance(MINUTE)
  throttled(t, await post(app, '/signup', { email: 'new@example.com', password }), 3540,
    'Too many sign-ups from your network. Try again in 59 minutes.', 'SIGNUP_THROTTLED')
  t.equal((await post(app, '/signup', { email: 'new@example.com', password }, '198.51.100.7')).statusCode, 201, 'another address signs up')
  t.equal((await post(app, '/login', { email: 'user1@example.com', password })).statusCode, 200, 'log-ins are not sign-ups')
})
