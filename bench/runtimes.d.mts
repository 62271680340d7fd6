export declare function readPins(path?: string): { text: string; pins: Record<string, string> }
export declare function pinnedVersion(pins: Record<string, string>, name: string): string
export declare function runtimesDir(): string
export declare function binaryPath(name: string, dir?: string): string
export declare function pinnedLines(lines: string[], ownVersion: string): string[]
