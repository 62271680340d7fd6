import type { Interval } from './stats.mjs'
export type Round = { cpu: number; rps: number; maxRSS: number } | undefined
export type LineData = Record<string, Record<string, Round[]>>
export type Target = {
  id: string
  a: string
  b: string
  metric: 'cpu' | 'rps' | 'maxRSS'
  kind: 'ratio' | 'diff'
  op: '<=' | '>='
  limit: number
  scenarios: string[]
  stretch?: boolean
}
export type Judged = Interval & {
  id: string
  target: string
  scenario: string
  name: string
  kind: 'ratio' | 'diff'
  unit: string
  op: '<=' | '>='
  limit: number
  stretch: boolean
  values: number[]
  verdict: 'met' | 'missed' | 'unsettled' | 'no data' | 'too few rounds'
}
export declare const MIN_ROUNDS: number
export declare const SCENARIOS: Record<string, string[]>
export declare const CLIENT_NAMES: Record<string, string>
export declare const TARGETS: Target[]
export declare function targetName(t: Target, scenario: string): string
export declare function judgeLine(data: LineData, options?: { resamples?: number; seed?: number }): Judged[]
export declare function clientMedians(
  data: LineData,
  options?: { resamples?: number; seed?: number },
): { scenario: string; client: string; rounds: number; cpu: Interval; rps: number; maxRSS: number }[]
export declare function formatFigure(j: Judged): string
