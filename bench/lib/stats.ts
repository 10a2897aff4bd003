/** The median of `values` (the mean of the two middle ones for an even count). */
export function median (values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Median, minimum and maximum of a series of measurements. */
export interface Spread {
  median: number
  min: number
  max: number
}

/** The {@link Spread} of `values`. */
export function spread (values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) }
}
