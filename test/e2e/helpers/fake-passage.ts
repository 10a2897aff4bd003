import { request as httpRequest } from 'node:http'
import { createServer } from 'node:https'
import type { Server } from 'node:https'
import { chromium } from 'playwright-core'
import type { Browser } from 'playwright-core'
import type { Test } from 'tap'
import { CHROMIUM } from './chromium.js'

/**
 * A self-signed certificate for `auth.passage.id`, for tests only: the browser that talks to the
 * fake host runs with `ignoreHTTPSErrors`, so it proves nothing and protects nothing.
 */
const TEST_ONLY_CERT = `-----BEGIN CERTIFICATE-----
MIIBpzCCAU2gAwIBAgIUGF9Dn0cM2UeCBdvaCLpN5KajXHIwCgYIKoZIzj0EAwIw
GjEYMBYGA1UEAwwPYXV0aC5wYXNzYWdlLmlkMCAXDTI2MTEyNTEzNDYwNloYDzIx
MjYxMTAxMTM0NjA2WjAaMRgwFgYDVQQDDA9hdXRoLnBhc3NhZ2UuaWQwWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAATiSzlWOjdbSaochVPfhyxgIu9Jj0hIfQEGm85a
ntHV7F+6fxnV27JOGZbvzqQZOQ3EkxeJr1oKNS9y7GPemTkUo28wbTAdBgNVHQ4E
FgQUeZBSPyj3l/zJ2ic+ofqrEwfB9ocwHwYDVR0jBBgwFoAUeZBSPyj3l/zJ2ic+
ofqrEwfB9ocwDwYDVR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgg9hdXRoLnBhc3Nh
Z2UuaWQwCgYIKoZIzj0EAwIDSAAwRQIhAJa5Iv7fYQPIHqhPN47o2Rh0CdQQ+SZd
V9uValEWf5u8AiBa6u4LZpyDHTG9zNUKwbNnsirRTvtYsXUAcLOV8312tQ==
-----END CERTIFICATE-----`
const TEST_ONLY_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgHPx7r0cNiZ3XkwhW
HAgvDieOnW6hVCNY4ob9+kaz6LuhRANCAATiSzlWOjdbSaochVPfhyxgIu9Jj0hI
fQEGm85antHV7F+6fxnV27JOGZbvzqQZOQ3EkxeJr1oKNS9y7GPemTkU
-----END PRIVATE KEY-----`

/** A request the browser sent to the fake `auth.passage.id`, and the app's answer. */
export interface Exchange {
  method: string
  path: string
  origin: string | undefined
  status: number
  allowOrigin: string | undefined
}

/** The fake `auth.passage.id` and what went through it. */
export interface FakePassage {
  port: number
  exchanges: Exchange[]
}

/**
 * An HTTPS server on 127.0.0.1 standing in for `auth.passage.id`: it passes every request, as the
 * browser sent it (preflights included), to the engine routes of the app at `appPort`
 * (`/v1/...` → `/passkey/flex/v1/...`) and answers with what the app answered. Closed in teardown.
 */
export async function startFakePassage (t: Test, appPort: number): Promise<FakePassage> {
  const exchanges: Exchange[] = []
  const server: Server = createServer({ cert: TEST_ONLY_CERT, key: TEST_ONLY_KEY }, (request, reply) => {
    const path = request.url ?? '/'
    const upstream = httpRequest({
      host: '127.0.0.1',
      port: appPort,
      method: request.method,
      path: `/passkey/flex${path}`,
      headers: { ...request.headers, host: `localhost:${appPort}` },
      timeout: 10_000
    }, (answer) => {
      const allowOrigin = answer.headers['access-control-allow-origin']
      exchanges.push({ method: request.method ?? '', path, origin: request.headers.origin, status: answer.statusCode ?? 0, allowOrigin })
      reply.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(reply)
    })
    upstream.on('timeout', () => upstream.destroy(new Error('the app did not answer')))
    upstream.on('error', () => { reply.writeHead(502).end() })
    request.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  return { port: (server.address() as { port: number }).port, exchanges }
}

/**
 * Headless Chromium that resolves `auth.passage.id` to the fake one, so Passage's SDK talks to it
 * over the network (real preflights, real CORS checks). Contexts need `ignoreHTTPSErrors`. Closed in teardown.
 */
export async function launchWithFakePassage (t: Test, fake: FakePassage): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    timeout: 30_000,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--host-resolver-rules=MAP auth.passage.id 127.0.0.1:${fake.port}`
    ]
  })
  t.teardown(async () => { await browser.close() })
  return browser
}
