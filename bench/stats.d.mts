export declare function median(xs: number[]): number
export declare function percentile(sorted: ArrayLike<number>, p: number): number
export declare function latencySummary(latencies: Float64Array): { n: number; p50: number; p99: number; p999: number; max: number }
