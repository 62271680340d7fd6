export interface Call {
  name: string
  method: 'get' | 'post' | 'put' | 'patch' | 'delete'
  path: string
  params?: object
  query?: object
  json?: object
  use: string
  check?: [string, string]
  notAny?: string
}
export declare const CALLS: Call[]
export declare const TYPO: Call
export declare const REJECTS: Array<Call & { why: string; accepted?: string[] }>
export declare function render(lib: 'fetchline' | 'openapi-fetch', kind?: 'calls' | 'typo' | 'rejects'): string
export declare function generated(): Record<string, string>
