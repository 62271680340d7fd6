export declare function median(xs: number[]): number
export declare function percentile(sorted: ArrayLike<number>, p: number): number
export declare function latencySummary(latencies: Float64Array): { n: number; p50: number; p99: number; p999: number; max: number }
export type Interval = { median: number; lo: number; hi: number; n: number }
export declare function bootstrapMedian(xs: number[], options?: { resamples?: number; seed?: number }): Interval
export declare function verdict(
  interval: { lo: number; hi: number },
  op: '<=' | '>=',
  limit: number,
): 'met' | 'missed' | 'unsettled' | 'no data'
export declare function prng(seed: number): () => number
