// The statistics every benchmark script reports: the median over rounds, latency percentiles.

/** The median of `xs` (the mean of the two middle values for an even count); NaN when empty. */
export function median(xs) {
  if (xs.length === 0) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/**
 * The p-th percentile (0 < p ≤ 100) of `sorted` (ascending) by the nearest-rank method: the
 * smallest value with at least p% of the values at or below it. NaN when empty.
 */
export function percentile(sorted, p) {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile: p must be in (0, 100], got ${p}`)
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]
}

/** p50, p99, p99.9 and max of a run's latencies (ms); sorts `latencies` (a Float64Array) in place. */
export function latencySummary(latencies) {
  latencies.sort()
  return {
    n: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    p999: percentile(latencies, 99.9),
    max: latencies.length ? latencies[latencies.length - 1] : Number.NaN,
  }
}
