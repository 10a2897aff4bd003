import { once } from 'node:events'
import { connect, createServer } from 'node:net'
import type { Socket } from 'node:net'

/** A TCP proxy on 127.0.0.1 in this process that holds every chunk, each way, for a fixed delay. */
export interface DelayProxy {
  /** `http://127.0.0.1:port`, to use in place of the target's. */
  url: string
  /** Drops every pending chunk, destroys every socket and stops listening. */
  close: () => Promise<void>
}

/**
 * Starts a proxy to `target` (`http://127.0.0.1:port`) that adds `delayMs` to each direction: a
 * chunk read from one side is written to the other `delayMs` later, in order, and an end or close
 * follows the same way. A socket idle for `idleMs` is destroyed, so a stuck request fails.
 */
export async function startDelayProxy (target: string, delayMs: number, idleMs = 10_000): Promise<DelayProxy> {
  const { hostname, port } = new URL(target)
  const sockets = new Set<Socket>()
  const timers = new Set<NodeJS.Timeout>()
  let closed = false

  const later = (action: () => void): void => {
    if (closed) return
    const timer = setTimeout(() => {
      timers.delete(timer)
      action()
    }, delayMs)
    timers.add(timer)
  }
  const track = (socket: Socket): void => {
    sockets.add(socket)
    socket.setNoDelay(true)
    socket.setTimeout(idleMs, () => socket.destroy())
    socket.on('error', () => socket.destroy())
    socket.once('close', () => sockets.delete(socket))
  }
  const relay = (from: Socket, to: Socket): void => {
    from.on('data', (chunk) => { later(() => { if (!to.destroyed) to.write(chunk) }) })
    from.once('end', () => { later(() => { to.end() }) })
    from.once('close', () => { later(() => { to.destroy() }) })
  }

  const server = createServer((client) => {
    const upstream = connect(Number(port), hostname)
    track(client)
    track(upstream)
    relay(client, upstream)
    relay(upstream, client)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`,
    close: async () => {
      closed = true
      for (const timer of timers) clearTimeout(timer)
      for (const socket of sockets) socket.destroy()
      server.close()
      await once(server, 'close')
    }
  }
}
