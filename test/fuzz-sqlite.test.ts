import t from 'tap'
import { fuzzTest } from './fuzz/fuzz-test.js'

t.test('fuzz on the SQLite store: no 5xx, coded refusals, and a refusal changes nothing', async (t) => {
  t.test('the MFA routes', async (t) => fuzzTest(t, 'sqlite/mfa-routes'))
  t.test('the ceremony routes', async (t) => fuzzTest(t, 'sqlite/engine-routes'))
  t.test('raw bodies', async (t) => fuzzTest(t, 'sqlite/raw-bodies'))
  t.test('the session cookie', async (t) => fuzzTest(t, 'sqlite/session-cookie'))
})
