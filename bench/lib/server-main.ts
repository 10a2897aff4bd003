/**
 * The entry of a server process: builds the app named on the command line, listens on 127.0.0.1,
 * reports its port, answers CPU-time questions and stops when told to, or when the bench is gone.
 */
import { buildApp } from '../apps/index.js'
import type { AppName } from '../apps/index.js'
import { cpuMicros } from './cpu-clock.js'

const app = await buildApp(process.argv[2] as AppName)
await app.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.address()
process.send!({ port: typeof address === 'object' && address !== null ? address.port : 0 })
process.on('disconnect', () => process.exit(1))
process.on('message', (message: { type: 'cpu' | 'stop' }) => {
  if (message.type === 'cpu') {
    process.send!({ cpu: cpuMicros() })
    return
  }
  app.close().then(() => process.exit(0), (error: unknown) => {
    console.error(error)
    process.exit(1)
  })
})
