import type { FastifyInstance } from 'fastify'
import { readFile } from 'node:fs/promises'
import { ClientNotBuiltError } from '../errors.js'

/** Where `npm run build` writes the browser bundle, from both `src/routes/` and `dist/routes/`. */
export const CLIENT_BUNDLE = new URL('../../browser/passkey-mfa-client.js', import.meta.url)

/**
 * `GET /client.js`: the browser client as one ES module, for pages without a build step
 * (`import { PasskeyMfaClient } from '/passkey/client.js'`). Read once, on first request.
 */
export async function clientScriptRoute (fastify: FastifyInstance, { file = CLIENT_BUNDLE }: { file?: URL }): Promise<void> {
  let script: Promise<Buffer> | undefined
  fastify.get('/client.js', async (_request, reply) => {
    script ??= readFile(file)
    const body = await script.catch((cause: unknown) => {
      script = undefined
      throw new ClientNotBuiltError({ cause })
    })
    return reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(body)
  })
}
