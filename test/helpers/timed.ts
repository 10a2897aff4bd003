/** What {@link answerWithin} saw: the answer (`undefined` if none came in time) and how long it took. */
export interface Timed<T> {
  answer: T | undefined
  elapsedMs: number
}

/**
 * Runs `send` and waits for its answer `limitMs` at most, so a request that hangs fails a test instead
 * of stalling it. The wait keeps the process alive (the engine's store timers do not).
 */
export async function answerWithin<T> (limitMs: number, send: () => Promise<T>): Promise<Timed<T>> {
  const started = performance.now()
  let timer: ReturnType<typeof setTimeout> | undefined
  const limit = new Promise<undefined>((resolve) => { timer = setTimeout(() => { resolve(undefined) }, limitMs) })
  try {
    return { answer: await Promise.race([send(), limit]), elapsedMs: performance.now() - started }
  } finally {
    clearTimeout(timer)
  }
}
