/**
 * Bundles the browser client (src/client, with @simplewebauthn/browser) into one minified ES module,
 * browser/passkey-mfa-client.js, that the plugin serves at `GET {prefix}/client.js`.
 */
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

await build({
  absWorkingDir: root,
  entryPoints: ['src/client/index.ts'],
  outfile: 'browser/passkey-mfa-client.js',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  logLevel: 'warning'
})
