// The vendored cache-tests suite (vendor/, see vendor/README.md), typed: its test definitions, its
// client runner and server, and how it grades a result. The .mjs files are loaded by URL, so
// TypeScript neither checks them nor needs declarations for them.

/** One request of a test, as the suite defines it (only the fields read here are typed). */
export type SuiteRequest = { readonly request_headers?: ReadonlyArray<readonly [string, unknown]> }

/** One test definition. `kind`: 'required' (the default), 'optimal' or 'check' (a yes/no question). */
export type SuiteTest = {
  readonly id: string
  readonly name: string
  readonly kind?: 'required' | 'optimal' | 'check'
  readonly requests: readonly SuiteRequest[]
  browser_only?: boolean
  browser_skip?: boolean
  cdn_only?: boolean
}

export type SuiteSection = { readonly id: string; readonly name: string; readonly tests: SuiteTest[] }

/** What the runner records per test: `true`, or the error's name and message. */
export type RawResult = true | [string, string]

/** The suite's verdicts (results.mjs `resultTypes`): `yes`/`no` answer the `check` tests. */
export type Verdict =
  | 'untested'
  | 'pass'
  | 'fail'
  | 'optional_fail'
  | 'yes'
  | 'no'
  | 'setup_fail'
  | 'harness_fail'
  | 'dependency_fail'
  | 'retry'

/** The verdicts that count as passing. */
export const PASSING: ReadonlySet<Verdict> = new Set(['pass', 'yes'])

type Runner = {
  runTests(sections: SuiteSection[], browserCache: boolean, base: string, chunkSize?: number): Promise<void>
  getResults(): Record<string, RawResult>
}
type Results = {
  resultTypes: Record<Verdict, readonly [string, string, string]>
  determineTestResult(
    sections: readonly SuiteSection[],
    id: string,
    results: Record<string, RawResult>,
    honorDependencies: boolean,
  ): readonly [string, string, string]
}

const vendor = (path: string): string => new URL(`./vendor/${path}`, import.meta.url).href

/** The test definitions (tests/index.mjs), in the suite's order. */
export async function loadSections(): Promise<SuiteSection[]> {
  return ((await import(vendor('tests/index.mjs'))) as { default: SuiteSection[] }).default
}

/** The client runner (test-engine/client/runner.mjs): it sends every request with the global `fetch`. */
export async function loadRunner(): Promise<Runner> {
  return (await import(vendor('test-engine/client/runner.mjs'))) as Runner
}

/**
 * Starts the suite's server (test-engine/server/server.mjs) on `port`: it reads its settings from
 * npm_config_* variables at import time and resolves once it listens. Once per process.
 */
export async function startServer(port: number, pidfile: string): Promise<void> {
  process.env.npm_config_protocol = 'http'
  process.env.npm_config_port = String(port)
  process.env.npm_config_pidfile = pidfile
  await import(vendor('test-engine/server/server.mjs'))
}

/** Every test, by id. */
export function byId(sections: readonly SuiteSection[]): Map<string, SuiteTest> {
  const tests = new Map<string, SuiteTest>()
  for (const section of sections) for (const test of section.tests) tests.set(test.id, test)
  return tests
}

/**
 * The suite's verdict on a test from the runner's raw results, as undici's runner grades it
 * (dependencies not honoured: each test stands on its own result).
 */
export async function grader(sections: readonly SuiteSection[]): Promise<(id: string, results: Record<string, RawResult>) => Verdict> {
  const { resultTypes, determineTestResult } = (await import(vendor('test-engine/lib/results.mjs'))) as Results
  const names = new Map(Object.entries(resultTypes).map(([name, type]) => [type, name as Verdict]))
  return (id, results) => {
    const verdict = names.get(determineTestResult(sections, id, results, false))
    if (!verdict) throw new Error(`cache-tests graded ${id} with an unknown result type`)
    return verdict
  }
}
