import t from 'tap'
import { fuzzTest } from './fuzz/fuzz-test.js'

t.test('fuzz, the ceremony routes: real ceremonies with mutated bodies, IDs, answers and app IDs: no 5xx, coded refusals, and a refusal changes nothing', async (t) => fuzzTest(t, 'engine-routes'))
