/** CPU time of this process in microseconds (user and system). */
export function cpuMicros (): number {
  const { user, system } = process.cpuUsage()
  return user + system
}

/** Measures this process's CPU share of one core from now on. */
export function startCpuClock (): () => number {
  const cpu = cpuMicros()
  const wall = performance.now()
  return () => (cpuMicros() - cpu) / ((performance.now() - wall) * 1000)
}
