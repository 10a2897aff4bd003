/** One measured run of a variant. */
export interface Sample {
  /** Requests or steps per second. */
  rate: number
  /** CPU time of the load generator over the run, as a share of one core. */
  clientCpu: number
  /** CPU time of the server over the run, as a share of one core. */
  serverCpu: number
  /** The server process's own CPU time over the run ÷ the requests or steps it served, in microseconds. */
  serverMicros: number
}

/**
 * Runs each variant once per round, the order reversed every other round so neither side always
 * runs first; returns the samples of each variant in round order. A variant is a list of runs (one
 * per server process), used in turn: round `r` uses run `r % runs.length`.
 */
export async function alternate<Name extends string> (
  variants: Record<Name, Array<() => Promise<Sample>>>, rounds: number
): Promise<Record<Name, Sample[]>> {
  const names = Object.keys(variants) as Name[]
  const samples = Object.fromEntries(names.map((name) => [name, []])) as unknown as Record<Name, Sample[]>
  for (let round = 0; round < rounds; round++) {
    for (const name of round % 2 === 0 ? names : [...names].reverse()) {
      const runs = variants[name]
      samples[name].push(await runs[round % runs.length]!())
    }
  }
  return samples
}
