import type { Target } from './checks.mjs'
export type Entry = { target: Target; values: number[]; median: number; pass: boolean | null }
export declare function summarize(results: unknown[]): Map<string, Map<string, Entry>>
export declare function renderSummary(byLine: Map<string, Map<string, Entry>>, runs: number): string
