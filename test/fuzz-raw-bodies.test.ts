import t from 'tap'
import { fuzzTest } from './fuzz/fuzz-test.js'

t.test('fuzz, raw bodies on every route: any bytes, hostile JSON, prototype keys, deep nesting, huge sizes, any content type: no 5xx, coded refusals, and a refusal changes nothing', async (t) => fuzzTest(t, 'raw-bodies'))
