import { fileURLToPath } from 'node:url'
import { buildExampleApp } from './app.js'

const port = Number(process.env.PORT ?? 3000)
const app = await buildExampleApp({
  dataDir: fileURLToPath(new URL('./data/', import.meta.url)),
  port,
  logger: { level: process.env.LOG_LEVEL ?? 'info' }
})
// Passkeys are bound to the origin: the one URL printed is the one that works, http://localhost (the
// address Fastify would log, http://127.0.0.1, fails the passkey origin check).
await app.listen({ port, host: 'localhost', listenTextResolver: () => `example: listening on port ${port}` })
console.log(`Passkey MFA example: http://localhost:${port}`)

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    app.close().then(() => process.exit(0), (error) => {
      app.log.error({ err: error }, 'example: close failed')
      process.exit(1)
    })
  })
}
