/**
 * Checks the package as users get it: packs the tarball (build first), runs attw and publint on it,
 * then installs it once into a temp folder holding three consumer projects (ESM with `nodenext`,
 * `moduleResolution: bundler`, CommonJS with `require`). Each is type-checked by tsc (strict,
 * `skipLibCheck: false`) and run: it registers the plugin on a MemoryStore engine, signs in on
 * `/login` and reads `GET /passkey/status`. None installs `pg`, so each also checks the coded error of
 * a PostgresStore without it. Prints one `ok`/`not ok` line per check and a tap-style summary
 * (`# { total, pass, fail }`); exits non-zero when a check fails.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const bin = (name) => join(root, 'node_modules', '.bin', name)
const work = mkdtempSync(join(tmpdir(), 'passkey-mfa-consumers-'))
const results = []

/** Runs a command, echoing its output; true when it exits with 0. */
function run (file, args, cwd) {
  try {
    const out = execFileSync(file, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    process.stdout.write(out)
    return true
  } catch (error) {
    process.stdout.write(`${error.stdout ?? ''}${error.stderr ?? ''}`)
    return false
  }
}

function check (name, ok) {
  results.push(ok)
  console.log(`${ok ? 'ok' : 'not ok'} ${results.length} - ${name}`)
}

const built = run('npm', ['run', 'build'], root)
check('the package builds', built)
const packed = built && run('npm', ['pack', '--pack-destination', work], root)
const tarball = join(work, `fastify-passkey-mfa-${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}.tgz`)

// attw 0.18 predates require(esm): it flags every entry 'ESM (dynamic import only)' from CommonJS. Node >= 20.19 and
// 22.12 (engines) load it with require(), TypeScript >= 5.8 types that under `module: nodenext`, and the CommonJS
// consumer below proves both; every other rule stays on.
check('attw (cjs-resolves-to-esm ignored)', packed && run(bin('attw'), [tarball, '--ignore-rules', 'cjs-resolves-to-esm'], root))
check('publint --strict', packed && run(bin('publint'), ['--strict'], root))

const { devDependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumers', private: true }))
const installed = packed && run('npm', [
  'install', '--no-audit', '--no-fund', '--prefer-offline', tarball,
  `fastify@${devDependencies.fastify}`, `@types/node@${devDependencies['@types/node']}`
], work)
check('the tarball installs with fastify', installed)

const compilerOptions = { strict: true, skipLibCheck: false, target: 'ES2022', types: ['node'], outDir: 'dist', rootDir: 'src' }

/** The flow each consumer runs, after its own imports; `main` is called by each. */
const flow = `
const users = new Map([['alice', { externalId: 'alice', displayName: 'Alice' }]])

async function main (): Promise<void> {
  const app = Fastify()
  await app.register(fastifyPasskeyMfa, {
    sessionKey: Buffer.alloc(32, 7),
    engine: { rpId: 'localhost', rpName: 'Consumer', origins: ['http://localhost:3000'], store: new MemoryStore(), sweepIntervalMs: 0 },
    findUser: async (externalId) => users.get(externalId) ?? null,
    issueToken: async (user) => \`token-for-\${user.externalId}\`
  })
  app.post<{ Body: { externalId: string } }>('/login', async (request, reply) => {
    const user = users.get(request.body.externalId)
    if (user === undefined) return await reply.code(401).send({ error: 'bad credentials' })
    return { next: await request.mfa.completeFirstFactor(user) }
  })
  const login = await app.inject({ method: 'POST', url: '/login', payload: { externalId: 'alice' } })
  const cookies = Object.fromEntries(login.cookies.map(({ name, value }) => [name, value]))
  const status = await app.inject({ method: 'GET', url: '/passkey/status', cookies })
  await app.close()
  const body = status.json()
  if (login.statusCode !== 200 || status.statusCode !== 200 || body.state !== 'first-factor' || body.next !== 'enroll') {
    throw new Error(\`unexpected answers: \${login.statusCode} \${login.body} / \${status.statusCode} \${status.body}\`)
  }
  try {
    new PostgresStore({ connectionString: 'postgres://127.0.0.1/none' })
    throw new Error('PostgresStore opened a pool without pg installed')
  } catch (error) {
    if (!(error instanceof OptionsInvalidError) || error.code !== 'FST_PASSKEY_MFA_OPTIONS_INVALID') throw error
  }
  if (typeof PasskeyMfaClient !== 'function') throw new Error('the client entry has no PasskeyMfaClient')
  console.log(\`GET /passkey/status: \${status.statusCode} \${status.body}\`)
}
`

const consumers = [
  {
    name: 'ESM, module nodenext',
    type: 'module',
    options: { module: 'nodenext', moduleResolution: 'nodenext' },
    source: `import Fastify from 'fastify'
import fastifyPasskeyMfa, { MemoryStore, OptionsInvalidError, PostgresStore } from 'fastify-passkey-mfa'
import { PasskeyMfaClient } from 'fastify-passkey-mfa/client'
${flow}
await main()
`
  },
  {
    name: 'moduleResolution bundler',
    type: 'module',
    options: { module: 'esnext', moduleResolution: 'bundler' },
    source: `import Fastify from 'fastify'
import { fastifyPasskeyMfa, MemoryStore, OptionsInvalidError, PostgresStore } from 'fastify-passkey-mfa'
import { PasskeyMfaClient } from 'fastify-passkey-mfa/client'
${flow}
await main()
`
  },
  {
    name: 'CommonJS with require',
    type: 'commonjs',
    options: { module: 'nodenext', moduleResolution: 'nodenext' },
    source: `import Fastify = require('fastify')
import passkeyMfa = require('fastify-passkey-mfa')
import client = require('fastify-passkey-mfa/client')
const { default: fastifyPasskeyMfa, MemoryStore, OptionsInvalidError, PostgresStore } = passkeyMfa
const { PasskeyMfaClient } = client
${flow}
main().catch((error: unknown) => { console.error(error); process.exitCode = 1 })
`
  }
]

for (const { name, type, options, source } of consumers) {
  const dir = join(work, name.replace(/\W+/g, '-').toLowerCase())
  mkdirSync(join(dir, 'src'), { recursive: true })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type }))
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, ...options }, include: ['src'] }))
  writeFileSync(join(dir, 'src', 'index.ts'), source)
  check(`${name}: type-checks and runs a sign-in`, installed && run(bin('tsc'), ['-p', dir], dir) && run(process.execPath, ['dist/index.js'], dir))
}

rmSync(work, { recursive: true, force: true })
const pass = results.filter(Boolean).length
const fail = results.length - pass
console.log(`1..${results.length}`)
console.log(`# { total: ${results.length}, pass: ${pass}${fail > 0 ? `, fail: ${fail}` : ''} }`)
process.exitCode = fail > 0 ? 1 : 0
