import t from 'tap'
import { describeDuration } from '../src/duration.js'

t.test('durations read as a person says them: seconds under a minute, else whole minutes, rounded up', async (t) => {
  const cases: Array<[number, string]> = [
    [1, '1 second'], [1000, '1 second'], [40_000, '40 seconds'], [59_001, '1 minute'],
    [60_000, '1 minute'], [61_000, '2 minutes'], [300_000, '5 minutes']
  ]
  for (const [ms, text] of cases) t.equal(describeDuration(ms), text, `${ms} ms`)
})
