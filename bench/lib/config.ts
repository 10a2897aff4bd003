/** The settings every scenario shares: how long and how often each variant runs. */

/** Rounds per scenario: each round runs every variant once, in alternating order. */
export const ROUNDS = 6

/** Length of one measured run. */
export const RUN_MS = 3_000

/** Load a fresh server gets before its first measured run, for the JIT and the caches. */
export const WARMUP_MS = 2_000

/** Connections autocannon keeps open (one worker: the client shares two cores with the server). */
export const AUTOCANNON_CONNECTIONS = 10

/** Browsers running the second-factor step at once, each a user of its own. */
export const STEP_CONCURRENCY = 8

/** The session key of every app that seals a cookie. */
export const SESSION_KEY = Buffer.alloc(32, 7)

/** The PostgreSQL server (`PG_URL` overrides it, as in the tests). */
export const PG_URL = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
