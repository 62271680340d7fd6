export interface Figures {
  checkTime: number
  instantiations: number
  types: number
  memory: number
  totalTime: number
}
export declare const FIELDS: Record<keyof Figures, string>
export declare function parseDiagnostics(text: string): Figures
export declare function medians(runs: Figures[]): Figures
export declare function minus(a: Figures, b: Figures): Figures
export declare const LIMITED: Array<keyof Figures>
export declare const LIMIT: number
export declare function verdict(fetchline: Figures, openapiFetch: Figures): { ratios: Figures; over: Array<keyof Figures>; ok: boolean }
