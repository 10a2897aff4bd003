import t from 'tap'
import { fuzzTest } from './fuzz/fuzz-test.js'

t.test('fuzz, the MFA routes: bodies, parameters and sessions of every state: no 5xx, coded refusals, and a refusal changes nothing', async (t) => fuzzTest(t, 'mfa-routes'))
