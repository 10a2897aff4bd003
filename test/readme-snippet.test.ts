import t from 'tap'
import { readFile } from 'node:fs/promises'

// `tsc --noEmit` type-checks test/readme/snippet.ts under `strict`; this keeps it the README's snippet.
t.test('the README\'s "Add it to an app" snippet is test/readme/snippet.ts, which type-checks', async (t) => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
  const section = readme.slice(readme.indexOf('## Add it to an app'))
  const block = /```ts\n([\s\S]*?)```\n/.exec(section)?.[1]
  const snippet = await readFile(new URL('readme/snippet.ts', import.meta.url), 'utf8')
  t.equal(block, snippet.replace("from '../../src/index.js'", "from 'fastify-passkey-mfa'"), 'the same code, the package imported by name')
})
