/** The settings every scenario shares: how long and how often each variant runs. */

/** Rounds per scenario: each round runs every variant once, in alternating order. */
export const ROUNDS = 8

/**
 * Server processes per variant, each round using the next: two processes of the same app, alternated,
 * ran at a steady 1.16 ratio in one trial of three (per-process luck, such as JIT decisions), so each
 * variant's rounds are spread over several processes and the median of the rounds is not one
 * process's luck.
 */
export const PROCESSES = 2

/** Length of one measured run. */
export const RUN_MS = 2_000

/** Load a fresh server gets before its first measured run, for the JIT and the caches. */
export const WARMUP_MS = 2_000

/** The same for the second-factor step, whose servers run much more code per request (better-auth's takes longest). */
export const STEP_WARMUP_MS = 3_000

/** Connections autocannon keeps open, from the bench process itself (no worker threads). */
export const AUTOCANNON_CONNECTIONS = 10

/** Browsers running the second-factor step at once, each a user of its own. */
export const STEP_CONCURRENCY = 8

/** The session key of every app that seals a cookie. */
export const SESSION_KEY = Buffer.alloc(32, 7)

/** The PostgreSQL server (`PG_URL` overrides it, as in the tests). */
export const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
