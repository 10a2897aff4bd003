/**
 * A duration as a person reads it in a message: whole minutes (rounded up) from one minute on,
 * else seconds (rounded up), e.g. `5 minutes`, `1 minute`, `40 seconds`.
 */
export function describeDuration (ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000))
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`
  const minutes = Math.ceil(seconds / 60)
  return minutes === 1 ? '1 minute' : `${minutes} minutes`
}
