import t from 'tap'
import { fuzzTest } from './fuzz/fuzz-test.js'

t.test('fuzz, the session cookie: edited, random, or sealed around odd data, on every route: no 5xx, coded refusals, and a refusal changes nothing', async (t) => fuzzTest(t, 'session-cookie'))
