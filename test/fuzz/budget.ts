/**
 * How many cases each fuzz property runs. `FUZZ_RUNS` is the total over every property (default
 * 10,000, what CI runs through `npm test`; `npm run fuzz` runs 100,000), shared out in fixed parts.
 */

/** The total when `FUZZ_RUNS` is not set. */
const DEFAULT_TOTAL_RUNS = 10_000

/** Each property's part of the total, per 10,000 cases. */
export const SHARES = {
  'mfa-routes': 2600,
  'engine-routes': 2600,
  'raw-bodies': 1500,
  'session-cookie': 1500,
  'sqlite/mfa-routes': 450,
  'sqlite/engine-routes': 450,
  'sqlite/raw-bodies': 450,
  'sqlite/session-cookie': 450
} as const

/** The name of a share in {@link SHARES}. */
export type ShareName = keyof typeof SHARES

/** The total number of cases: `FUZZ_RUNS` when set to a positive integer, else `fallback`. */
export function totalRuns (fallback = DEFAULT_TOTAL_RUNS): number {
  const total = Number(process.env.FUZZ_RUNS)
  return Number.isInteger(total) && total > 0 ? total : fallback
}

/** How many cases the share `name` runs out of `total`. */
export function runsOf (name: ShareName, total = totalRuns()): number {
  return Math.max(1, Math.round(SHARES[name] * total / 10_000))
}
