export type Target = {
  id: string
  name: string
  value: number
  op: '>=' | '<='
  limit: number
  unit: string
  applies: boolean
  pass: boolean | null
  detail: string
}
export type Medians = { rps?: number; usPerReq?: number; cpuPerReq?: number; p99?: number }
export declare function judge(value: number, op: '>=' | '<=', limit: number): boolean | undefined
export declare function status(target: Pick<Target, 'pass' | 'applies'>): 'PASS' | 'FAIL' | 'INFO' | 'N/A'
export declare function computeTargets(input: {
  line: { node: number } | { runtime: string }
  all: Record<string, Record<string, Medians | undefined>>
  maxRSS: Record<string, number>
  names?: Record<string, string>
}): Target[]
export declare function formatTarget(target: Target, value?: number): string
