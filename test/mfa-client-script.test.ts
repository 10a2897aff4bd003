import t from 'tap'
import Fastify from 'fastify'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { clientScriptRoute } from '../src/routes/client-script.js'
import { replyWithCode } from '../src/reply-error.js'

t.test('the browser bundle is served as a module, and a missing build is a clear 404', async (t) => {
  const file = join(mkdtempSync(join(tmpdir(), 'pkmfa-client-')), 'client.js')
  const app = Fastify()
  t.teardown(async () => app.close())
  app.setErrorHandler(replyWithCode)
  await app.register(clientScriptRoute, { file: pathToFileURL(file) })

  const missing = await app.inject('/client.js')
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().code, 'FST_PASSKEY_MFA_CLIENT_NOT_BUILT')

  writeFileSync(file, 'export const built = true\n')
  const served = await app.inject('/client.js')
  t.equal(served.statusCode, 200)
  t.match(served.headers['content-type'], /^text\/javascript/)
  t.equal(served.body, 'export const built = true\n')
})
