export declare const NODE_LINES: string[]
export declare const RUNTIMES: string[]
export type BenchArgs = {
  quick: boolean
  node: string[] | undefined
  runtime: string[] | undefined
  rows: string[] | undefined
  waitQuiet: number
  out: string | undefined
  runtimeLine: string | undefined
}
export declare function parseArgs(argv: string[], options?: { rowIds?: string[] }): BenchArgs
