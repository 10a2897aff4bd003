import { fileURLToPath } from 'node:url'
import { buildExampleApp } from './app.js'

const port = Number(process.env.PORT ?? 3000)
const app = await buildExampleApp({
  dataDir: fileURLToPath(new URL('./data/', import.meta.url)),
  port,
  logger: { level: process.env.LOG_LEVEL ?? 'info' }
})
await app.listen({ port, host: 'localhost' })
// Passkeys are bound to the origin: open exactly this URL (not 127.0.0.1).
console.log(`Passkey MFA example: http://localhost:${port}`)

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    app.close().then(() => process.exit(0), (error) => {
      app.log.error({ err: error }, 'example: close failed')
      process.exit(1)
    })
  })
}
