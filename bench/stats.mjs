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

/** A seeded PRNG (mulberry32): the same seed, the same numbers (the bootstrap's resamples, the lossy proxy's test link). */
export function prng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * The median of `xs` with a 95% confidence interval by the percentile bootstrap: resample the
 * values with replacement `resamples` times, take each resample's median, and report the 2.5th and
 * 97.5th percentiles of those. `xs` are per-round figures (a ratio or a difference of two clients
 * measured in the same round), so the interval is that of the paired comparison. Fewer than 2
 * values: no interval (NaN bounds).
 */
export function bootstrapMedian(xs, { resamples = 10_000, seed = 1 } = {}) {
  const values = xs.filter(Number.isFinite)
  const m = median(values)
  if (values.length < 2) return { median: m, lo: Number.NaN, hi: Number.NaN, n: values.length }
  const random = prng(seed)
  const medians = new Float64Array(resamples)
  const sample = new Array(values.length)
  for (let i = 0; i < resamples; i++) {
    for (let j = 0; j < values.length; j++) sample[j] = values[Math.floor(random() * values.length)]
    medians[i] = median(sample)
  }
  medians.sort()
  return { median: m, lo: percentile(medians, 2.5), hi: percentile(medians, 97.5), n: values.length }
}

/**
 * A target's verdict from its interval: 'met' when the whole interval clears `limit` under `op`
 * ('<=' or '>='), 'missed' when the whole interval fails it, 'unsettled' when it straddles the
 * limit, 'no data' without an interval.
 */
export function verdict({ lo, hi }, op, limit) {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return 'no data'
  const ok = (v) => (op === '>=' ? v >= limit : v <= limit)
  if (ok(lo) && ok(hi)) return 'met'
  if (!ok(lo) && !ok(hi)) return 'missed'
  return 'unsettled'
}
