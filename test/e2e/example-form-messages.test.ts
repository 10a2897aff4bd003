import type { FastifyInstance } from 'fastify'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { buildExampleApp } from '../../example/app.js'

// A refused log-in or sign-up says what to fix on that form: the log-in form never asks for "at
// least 8 characters" (a password rule of sign-up), and sign-up names the field at fault.

const dataDir = await mkdtemp(join(tmpdir(), 'passkey-mfa-example-'))
const app: FastifyInstance = await buildExampleApp({ dataDir, port: 3000 })
t.teardown(async () => {
  await app.close()
  await rm(dataDir, { recursive: true, force: true })
})

const LOGIN_INVALID = { statusCode: 400, code: 'LOGIN_INVALID', error: 'Bad Request', message: 'Enter the email address and the password of your account.' }
const EMAIL_INVALID = { statusCode: 400, code: 'SIGNUP_INVALID', error: 'Bad Request', message: 'Enter a valid email address, like name@example.com.' }
const PASSWORD_SHORT = { statusCode: 400, code: 'SIGNUP_INVALID', error: 'Bad Request', message: 'Choose a password of at least 8 characters.' }
const PASSWORD_LONG = { statusCode: 400, code: 'SIGNUP_INVALID', error: 'Bad Request', message: 'Choose a password of at most 1024 characters.' }

t.test('log-in: an empty, missing or malformed field asks for the email and password, whatever the length', async (t) => {
  for (const [what, body] of Object.entries({
    'no password': { email: 'alice@example.com' },
    'an empty password': { email: 'alice@example.com', password: '' },
    'an empty email': { email: '', password: 'short' },
    'no @ in the email': { email: 'alice', password: 'short' },
    'a password over 1024 characters': { email: 'alice@example.com', password: 'x'.repeat(1025) },
    'nothing': {}
  })) {
    const response = await app.inject({ method: 'POST', url: '/login', payload: body })
    t.equal(response.statusCode, 400, what)
    t.same(response.json(), LOGIN_INVALID, what)
  }
  const short = await app.inject({ method: 'POST', url: '/login', payload: { email: 'alice@example.com', password: 'x' } })
  t.equal(short.statusCode, 401, 'a one-character password is checked like any other')
  t.same(short.json(), { statusCode: 401, code: 'CREDENTIALS_INVALID', error: 'Unauthorized', message: 'Wrong email or password' })
})

t.test('sign-up: the message names the field to fix', async (t) => {
  for (const [what, body, expected] of [
    ['no @ in the email', { email: 'alice', password: 'long enough' }, EMAIL_INVALID],
    ['an empty email', { email: '', password: 'long enough' }, EMAIL_INVALID],
    ['no email', { password: 'long enough' }, EMAIL_INVALID],
    ['a 7-character password', { email: 'alice@example.com', password: 'seven77' }, PASSWORD_SHORT],
    ['an empty password', { email: 'alice@example.com', password: '' }, PASSWORD_SHORT],
    ['no password', { email: 'alice@example.com' }, PASSWORD_SHORT],
    ['a password over 1024 characters', { email: 'alice@example.com', password: 'x'.repeat(1025) }, PASSWORD_LONG]
  ] as const) {
    const response = await app.inject({ method: 'POST', url: '/signup', payload: body })
    t.equal(response.statusCode, 400, what)
    t.same(response.json(), expected, what)
  }
  t.equal((await app.inject({ method: 'POST', url: '/signup', payload: { email: 'alice@example.com', password: 'eight888' } })).statusCode, 201, '8 characters will do')
})
