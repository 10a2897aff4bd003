import Fastify from 'fastify'
import fastifyPasskeyMfa from 'fastify-passkey-mfa'
import { randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
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
  'passkey-step.js': 'text/javascript; charset=utf-8',
  'account.js': 'text/javascript; charset=utf-8',
  'recovery-codes.js': 'text/javascript; charset=utf-8',
  'recovery-codes-panel.js': 'text/javascript; charset=utf-8',
  'account-recovery.js': 'text/javascript; charset=utf-8'
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

/**
 * The example app: password sign-up and log-in as the first factor, a passkey as the second
 * (policy `required`), and pages to enroll, save recovery codes, sign in (with a passkey or a recovery
 * code) and manage passkeys. Its data (users, passkeys
 * and the session key) lives in `dataDir`; the app runs on `http://localhost:${port}`.
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
    onEvent: (event) => { auditLog.write(`${JSON.stringify(event)}\n`) },
    findUser: async (externalId) => users.findByExternalId(externalId),
    issueToken: async (user) => {
      const token = randomBytes(32).toString('base64url')
      tokens.set(token, user.externalId) // a real app keeps its sessions in its own store
      return token
    }
  })

  app.post('/signup', { schema: { body: credentials(8) } }, async (request, reply) => {
    const user = await users.create(request.body.email.toLowerCase(), request.body.password)
    if (user === null) return refuse(reply, 409, 'EMAIL_TAKEN', 'An account with this email already exists')
    request.log.info({ event: 'signed-up', externalId: user.externalId }, 'example: account created')
    return reply.code(201).send({ next: await request.mfa.completeFirstFactor(user) })
  })

  app.post('/login', { schema: { body: credentials(1) } }, async (request, reply) => {
    const user = await users.checkPassword(request.body.email.toLowerCase(), request.body.password)
    if (user === null) {
      request.log.info({ event: 'password-refused' }, 'example: wrong email or password')
      return refuse(reply, 401, 'CREDENTIALS_INVALID', 'Wrong email or password')
    }
    request.log.info({ event: 'password-accepted', externalId: user.externalId }, 'example: password accepted')
    return { next: await request.mfa.completeFirstFactor(user) }
  })

  app.get('/me', { preHandler: app.mfa.requireAuthenticated }, async (request) => {
    return { email: users.findByExternalId(request.mfa.externalId).email }
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

function refuse (reply, statusCode, code, error) {
  return reply.code(statusCode).send({ statusCode, code, error })
}
