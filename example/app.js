import Fastify from 'fastify'
import fastifyPasskeyMfa from 'fastify-passkey-mfa'
import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { STATUS_CODES } from 'node:http'
import { join } from 'node:path'
import { Throttle, tryAgainIn } from './throttle.js'
import { Users } from './users.js'

const PUBLIC = new URL('./public/', import.meta.url)

/** The pages and their assets: URL path → file in `public/` and its media type. */
const PAGES = {
  '/': 'index.html',
  '/passkey-step': 'passkey-step.html',
  '/account': 'account.html',
  '/recovery-codes': 'recovery-codes.html'
}
const ASSETS = {
  'style.css': 'text/css; charset=utf-8',
  'common.js': 'text/javascript; charset=utf-8',
  'index.js': 'text/javascript; charset=utf-8',
  'passkey-sign-in.js': 'text/javascript; charset=utf-8',
  'passkey-step.js': 'text/javascript; charset=utf-8',
  'account.js': 'text/javascript; charset=utf-8',
  'recovery-codes.js': 'text/javascript; charset=utf-8',
  'recovery-codes-panel.js': 'text/javascript; charset=utf-8',
  'account-recovery.js': 'text/javascript; charset=utf-8',
  'account-trusted-browsers.js': 'text/javascript; charset=utf-8',
  'favicon.svg': 'image/svg+xml'
}
const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store'
}

const credentials = (minPassword) => ({
  type: 'object',
  required: ['email', 'password'],
  properties: {
    email: { type: 'string', minLength: 3, maxLength: 254, pattern: '^[^\\s@]+@[^\\s@]+$' },
    password: { type: 'string', minLength: minPassword, maxLength: 1024 }
  }
})

const MINUTE = 60_000
/** Failed log-ins per email, and per address (a shared office counts as one). */
const LOGIN_FAILURES_PER_EMAIL = { limit: 5, windowMs: 15 * MINUTE }
const LOGIN_FAILURES_PER_ADDRESS = { limit: 20, windowMs: 15 * MINUTE }
/** Sign-ups per address, taken emails included (a sign-up tells whether an email has an account). */
const SIGNUPS_PER_ADDRESS = { limit: 20, windowMs: 60 * MINUTE }

/**
 * The example app: password sign-up and log-in (throttled per email and per address) as the first
 * factor, a passkey as the second (policy `required`) or alone (passkey sign-in, with autofill),
 * trusted browsers for 30 days, and pages to enroll, save recovery codes, sign in (with a passkey or
 * a recovery code) and manage passkeys and trusted browsers. Its data (users, passkeys and the
 * session key) lives in `dataDir`; the app runs on `http://localhost:${port}`.
 *
 * @param {{ dataDir: string, port: number, logger?: boolean | object }} options
 * @returns {Promise<import('fastify').FastifyInstance>} the app, ready and not listening
 */
export async function buildExampleApp ({ dataDir, port, logger = false }) {
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const origin = `http://localhost:${port}`
  const users = new Users(join(dataDir, 'users.db'))
  const tokens = new Map()
  const app = Fastify({ logger })
  app.addHook('onClose', async () => users.close())
  // Every authentication event (sign-ins, failures, lockouts, passkey changes), one JSON line each.
  const auditLog = createWriteStream(join(dataDir, 'audit.log'), { flags: 'a', mode: 0o600 })
  app.addHook('onClose', async () => new Promise((resolve) => auditLog.end(resolve)))

  await app.register(fastifyPasskeyMfa, {
    sessionKey: await loadSessionKey(join(dataDir, 'session.key')),
    engine: { appId: 'passkey-mfa-example', rpId: 'localhost', rpName: 'Passkey MFA example', origins: [origin], sqlitePath: join(dataDir, 'passkeys.db') },
    policy: 'required',
    // A passkey alone also signs in (it is both factors): the log-in page offers it in the email
    // field's autofill and with a button.
    passkeySignIn: true,
    // After the passkey step, the user may trust the browser: its next log-ins need the password only.
    trustedBrowsers: { maxAgeMs: 30 * 24 * 60 * MINUTE },
    onEvent: (event) => { auditLog.write(`${JSON.stringify(event)}\n`) },
    findUser: async (externalId) => users.findByExternalId(externalId),
    issueToken: async (user) => {
      const token = randomBytes(32).toString('base64url')
      tokens.set(token, user.externalId) // a real app keeps its sessions in its own store
      return token
    }
  })

  // The password check is the first factor: without a limit, anyone can try passwords at the speed of
  // scrypt. A real app keeps these counts in a store its instances share.
  const loginFailuresByEmail = new Throttle(LOGIN_FAILURES_PER_EMAIL)
  const loginFailuresByAddress = new Throttle(LOGIN_FAILURES_PER_ADDRESS)
  const signupsByAddress = new Throttle(SIGNUPS_PER_ADDRESS)

  app.post('/signup', { schema: { body: credentials(8) }, attachValidation: true }, async (request, reply) => {
    const wait = signupsByAddress.wait(request.ip)
    if (wait > 0) return throttled(reply, wait, 'SIGNUP_THROTTLED', 'Too many sign-ups from your network.')
    if (request.validationError !== undefined) return refuse(reply, 400, 'SIGNUP_INVALID', signupProblem(request.validationError))
    signupsByAddress.count(request.ip)
    const user = await users.create(request.body.email.toLowerCase(), request.body.password)
    if (user === null) return refuse(reply, 409, 'EMAIL_TAKEN', 'An account with this email already exists')
    request.log.info({ event: 'signed-up', externalId: user.externalId }, 'example: account created')
    return reply.code(201).send({ next: await request.mfa.completeFirstFactor(user) })
  })

  app.post('/login', { schema: { body: credentials(1) }, attachValidation: true }, async (request, reply) => {
    if (request.validationError !== undefined) return refuse(reply, 400, 'LOGIN_INVALID', 'Enter the email address and the password of your account.')
    const email = request.body.email.toLowerCase()
    const wait = Math.max(loginFailuresByEmail.wait(email), loginFailuresByAddress.wait(request.ip))
    if (wait > 0) {
      request.log.info({ event: 'login-throttled' }, 'example: too many failed log-ins')
      return throttled(reply, wait, 'LOGIN_THROTTLED', 'Too many sign-in attempts.')
    }
    const user = await users.checkPassword(email, request.body.password)
    if (user === null) {
      loginFailuresByEmail.count(email)
      loginFailuresByAddress.count(request.ip)
      request.log.info({ event: 'password-refused' }, 'example: wrong email or password')
      return refuse(reply, 401, 'CREDENTIALS_INVALID', 'Wrong email or password')
    }
    loginFailuresByEmail.forget(email)
    request.log.info({ event: 'password-accepted', externalId: user.externalId }, 'example: password accepted')
    return { next: await request.mfa.completeFirstFactor(user) }
  })

  app.get('/me', { preHandler: app.mfa.requireAuthenticated }, async (request) => {
    return { email: users.findByExternalId(request.mfa.externalId).email }
  })

  // The passkey step page shows whose sign-in it finishes: the password was right, the passkey is next.
  app.get('/pending-account', async (request, reply) => {
    const { state, externalId } = request.mfa
    const user = state === 'first-factor' || state === 'passkey-pending' ? users.findByExternalId(externalId) : null
    if (user === null) return refuse(reply, 401, 'NOT_SIGNING_IN', 'No sign-in is waiting for a passkey')
    return { email: user.email }
  })

  const pages = Object.fromEntries(await Promise.all(Object.values(PAGES).map(async (file) => [file, await readFile(new URL(file, PUBLIC))])))
  const redirects = {
    '/': { authenticated: '/account' },
    '/passkey-step': { anonymous: '/', authenticated: '/account' },
    '/account': { anonymous: '/', 'first-factor': '/passkey-step', 'passkey-pending': '/passkey-step' },
    '/recovery-codes': { anonymous: '/', 'first-factor': '/passkey-step', 'passkey-pending': '/passkey-step' }
  }
  for (const [path, file] of Object.entries(PAGES)) {
    app.get(path, async (request, reply) => {
      const to = redirects[path][request.mfa.state]
      if (to !== undefined) return reply.header('cache-control', 'no-store').redirect(to, 303)
      return reply.headers(PAGE_HEADERS).send(pages[file])
    })
  }

  const assets = Object.fromEntries(await Promise.all(Object.keys(ASSETS).map(async (file) => [file, await readFile(new URL(file, PUBLIC))])))
  app.get('/assets/:file', async (request, reply) => {
    const type = Object.hasOwn(ASSETS, request.params.file) ? ASSETS[request.params.file] : undefined
    if (type === undefined) return refuse(reply, 404, 'NOT_FOUND', 'Not found')
    return reply.type(type).header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').send(assets[request.params.file])
  })

  // Browsers ask for /favicon.ico when a page names no icon: the pages do, this is for the others.
  app.get('/favicon.ico', async (request, reply) => reply.redirect('/assets/favicon.svg', 301))

  await app.ready()
  return app
}

/** The 32-byte session key in `file`, made (mode 0600) on first start and reused after. */
async function loadSessionKey (file) {
  const key = randomBytes(32)
  try {
    await writeFile(file, key, { mode: 0o600, flag: 'wx' })
    return key
  } catch (error) {
    if (error.code !== 'EEXIST') throw error
  }
  const saved = await readFile(file)
  if (saved.length !== 32) throw new Error(`${file} must hold 32 bytes; delete it to make a new key`)
  return saved
}

/** A refusal in the plugin's shape: `error` is the HTTP reason phrase, `message` what the form shows. */
function refuse (reply, statusCode, code, message) {
  return reply.code(statusCode).send({ statusCode, code, error: STATUS_CODES[statusCode], message })
}

/** A 429 that says how long to wait, in its `Retry-After` header and its message. */
function throttled (reply, seconds, code, what) {
  return refuse(reply.header('retry-after', String(seconds)), 429, code, `${what} ${tryAgainIn(seconds)}`)
}

/** What to fix in a refused sign-up, for the form to show. */
function signupProblem (validationError) {
  const [{ instancePath, keyword, params }] = validationError.validation
  const field = keyword === 'required' ? `/${params.missingProperty}` : instancePath
  if (field !== '/password') return 'Enter a valid email address, like name@example.com.'
  return keyword === 'maxLength' ? 'Choose a password of at most 1024 characters.' : 'Choose a password of at least 8 characters.'
}
