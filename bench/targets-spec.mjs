// fetchline's performance targets (issue 25) and how each is judged, apart from how the figures
// are gathered (bench/targets.mjs) so that the judging can be tested on made-up rounds.
//
// Every figure comes from one client alone in a fresh process (bench/profile/drive.mjs --only),
// the processes alternating round by round. A target compares two clients of the same scenario
// round by round — a ratio of their CPU µs/req or req/s, or a difference of their CPU µs/req or
// peak RSS — and is judged on the median of those per-round figures with its 95% bootstrap
// interval: met when the whole interval clears the limit, missed when the whole interval fails it,
// unsettled otherwise (bench/stats.mjs).
import { bootstrapMedian, median, verdict } from './stats.mjs'

/**
 * The clients each scenario runs (row ids of bench/rows.mjs and bench/profile/drive.mjs), in the
 * order a round runs them: every pair a target compares sits side by side (floor | undici core |
 * undici.request | undici core + recommended(); fetch core | ofetch | fetch core + recommended()),
 * so that the two processes of a pair run one right after the other.
 */
export const SCENARIOS = {
  'c64-get': ['floor', 'fl-undici', 'undici-request', 'fl-undici-full', 'fl-fetch', 'ofetch', 'fl-fetch-full'],
  'c64-post': ['floor', 'fl-undici', 'undici-request', 'fl-undici-full', 'fl-fetch', 'ofetch', 'fl-fetch-full'],
  stub: ['fl-undici', 'fl-undici-full', 'fl-fetch', 'fl-fetch-full'],
}

export const CLIENT_NAMES = {
  floor: 'floor (`Agent.dispatch` + `JSON.parse`)',
  'undici-request': '`undici.request`',
  ofetch: 'ofetch',
  'fl-undici': 'undici core, bare',
  'fl-undici-full': 'undici core + `recommended()`',
  'fl-fetch': 'fetch core, bare',
  'fl-fetch-full': 'fetch core + `recommended()`',
}

const NET = ['c64-get', 'c64-post']
const METRICS = { cpu: 'CPU µs/req', rps: 'req/s', maxRSS: 'peak RSS' }

/**
 * kind 'ratio': a's metric ÷ b's in the same round; kind 'diff': a's − b's (µs, or MB for RSS).
 * `stretch`: the target to reach once the others are met (reported, marked as such).
 */
export const TARGETS = [
  { id: 'undici-bare-cpu', a: 'fl-undici', b: 'undici-request', metric: 'cpu', kind: 'ratio', op: '<=', limit: 1.0, scenarios: NET },
  { id: 'undici-full-cpu', a: 'fl-undici-full', b: 'undici-request', metric: 'cpu', kind: 'ratio', op: '<=', limit: 1.1, scenarios: NET },
  { id: 'fetch-full-cpu', a: 'fl-fetch-full', b: 'ofetch', metric: 'cpu', kind: 'ratio', op: '<=', limit: 1.0, scenarios: NET },
  { id: 'fetch-full-rps', a: 'fl-fetch-full', b: 'ofetch', metric: 'rps', kind: 'ratio', op: '>=', limit: 1.0, scenarios: NET },
  { id: 'stub-undici', a: 'fl-undici-full', b: 'fl-undici', metric: 'cpu', kind: 'diff', op: '<=', limit: 2, scenarios: ['stub'] },
  { id: 'stub-fetch', a: 'fl-fetch-full', b: 'fl-fetch', metric: 'cpu', kind: 'diff', op: '<=', limit: 2, scenarios: ['stub'] },
  { id: 'rss-fetch', a: 'fl-fetch', b: 'ofetch', metric: 'maxRSS', kind: 'diff', op: '<=', limit: 0, scenarios: NET },
  { id: 'rss-undici', a: 'fl-undici', b: 'undici-request', metric: 'maxRSS', kind: 'diff', op: '<=', limit: 5, scenarios: NET },
  {
    id: 'undici-floor-cpu',
    a: 'fl-undici',
    b: 'floor',
    metric: 'cpu',
    kind: 'ratio',
    op: '<=',
    limit: 1.1,
    scenarios: NET,
    stretch: true,
  },
]

/**
 * The fewest per-round figures a verdict stands on (issue 25: at least 10 rounds a line); fewer —
 * a short smoke run, or processes that failed — print the interval with 'too few rounds'.
 */
export const MIN_ROUNDS = 10

const SCENARIO_NAMES = { 'c64-get': 'c=64 GET', 'c64-post': 'c=64 POST', stub: 'stub, 1 in flight' }

/** A target's name for one scenario, e.g. 'undici core, bare ÷ `undici.request`: CPU µs/req, c=64 GET (≤ 1.00×)'. */
export function targetName(t, scenario) {
  const unit = t.kind === 'ratio' ? '×' : t.metric === 'maxRSS' ? ' MB' : ' µs'
  const limit = t.kind === 'ratio' ? `${t.limit.toFixed(2)}×` : `${t.limit}${unit}`
  const how = t.kind === 'ratio' ? '÷' : '−'
  const op = t.op === '<=' ? '≤' : '≥'
  return `${CLIENT_NAMES[t.a]} ${how} ${CLIENT_NAMES[t.b]}: ${METRICS[t.metric]}, ${SCENARIO_NAMES[scenario]} (${op} ${limit})${t.stretch ? ', stretch' : ''}`
}

/** One round's figure for a metric: CPU in µs/req, rps, peak RSS in MB. */
const value = (round, metric) => (round ? round[metric] : Number.NaN)

/**
 * Judges every target on one line. `data[scenario][client]` is an array indexed by round of
 * `{ cpu, rps, maxRSS }` (µs/req, req/s, MB) or undefined where that process failed.
 * Returns one entry per target and scenario: { id, name, values (per round), median, lo, hi, verdict }.
 */
export function judgeLine(data, options) {
  const out = []
  for (const t of TARGETS) {
    for (const scenario of t.scenarios) {
      const a = data[scenario]?.[t.a] ?? []
      const b = data[scenario]?.[t.b] ?? []
      const rounds = Math.max(a.length, b.length)
      const values = Array.from({ length: rounds }, (_, r) => {
        const x = value(a[r], t.metric)
        const y = value(b[r], t.metric)
        return t.kind === 'ratio' ? x / y : x - y
      })
      const ci = bootstrapMedian(values, options)
      out.push({
        id: `${t.id}-${scenario}`,
        target: t.id,
        scenario,
        name: targetName(t, scenario),
        kind: t.kind,
        unit: t.kind === 'ratio' ? '×' : t.metric === 'maxRSS' ? 'MB' : 'µs',
        op: t.op,
        limit: t.limit,
        stretch: Boolean(t.stretch),
        values,
        ...ci,
        verdict: ci.n >= MIN_ROUNDS ? verdict(ci, t.op, t.limit) : 'too few rounds',
      })
    }
  }
  return out
}

/** Each client's own medians per scenario (with the interval of its CPU µs/req). */
export function clientMedians(data, options) {
  const out = []
  for (const [scenario, clients] of Object.entries(data)) {
    for (const [client, rounds] of Object.entries(clients)) {
      const ok = rounds.filter(Boolean)
      out.push({
        scenario,
        client,
        rounds: ok.length,
        cpu: bootstrapMedian(
          ok.map((r) => r.cpu),
          options,
        ),
        rps: median(ok.map((r) => r.rps)),
        maxRSS: median(ok.map((r) => r.maxRSS)),
      })
    }
  }
  return out
}

/** '0.97× (0.95–0.99)' or '+1.8 µs (+1.5 to +2.1)'. */
export function formatFigure(j) {
  if (!Number.isFinite(j.median)) return '–'
  if (j.kind === 'ratio') return `${j.median.toFixed(2)}× (${j.lo.toFixed(2)}–${j.hi.toFixed(2)})`
  const digits = j.unit === 'MB' ? 1 : 2
  const s = (v) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}`
  return `${s(j.median)} ${j.unit} (${s(j.lo)} to ${s(j.hi)})`
}
