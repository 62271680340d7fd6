// fetchline's performance targets (issue 16), computed from one line's medians. bench/line.mjs
// prints them as the Targets section and stores them in its JSON (`targets`: one entry per target
// with name, value, limit and pass); bench/summarize.mjs judges the median over several runs with
// the same `judge`.

/** Does `value` meet `limit` under `op` ('>=' or '<=')? undefined when there is no value. */
export function judge(value, op, limit) {
  if (!Number.isFinite(value)) return undefined
  return op === '>=' ? value >= limit : value <= limit
}

/** 'PASS' | 'FAIL' | 'INFO' (measured, not a target on this line) | 'N/A' (no data). */
export function status(target) {
  if (target.pass === undefined || target.pass === null) return 'N/A'
  if (!target.applies) return 'INFO'
  return target.pass ? 'PASS' : 'FAIL'
}

const MB = 2 ** 20
const fmt = (n, digits) => (Number.isFinite(n) ? n.toFixed(digits) : '–')

/**
 * The targets of one line.
 * `line`: { node: 26 } or { runtime: 'bun' }; `all[id][scenario]`: a row's medians (rps, usPerReq,
 * cpuPerReq, p99, …) or undefined; `maxRSS[id]`: a row's peak RSS in bytes; `names[id]`: its label.
 */
export function computeTargets({ line, all, maxRSS, names = {} }) {
  const targets = []
  const add = (id, name, value, op, limit, unit, applies, detail) =>
    targets.push({ id, name, value, op, limit, unit, applies, pass: judge(value, op, limit) ?? null, detail })
  const s = (id, key) => all[id]?.[key]
  const both = [
    ['c64-get', 'GET'],
    ['c64-post', 'POST'],
  ]
  const throughput = (id, mine, ref, limit, label, applies = true) => {
    for (const [key, method] of both) {
      const a = s(mine, key)
      const b = s(ref, key)
      const r = a && b ? a.rps / b.rps : Number.NaN
      const detail =
        a && b
          ? `${fmt(a.rps, 0)} vs ${fmt(b.rps, 0)} req/s; CPU µs/req ${fmt(a.cpuPerReq, 1)} vs ${fmt(b.cpuPerReq, 1)}`
          : 'a row has no data'
      add(`${id}-${key}`, `${label}, c=64 ${method}`, r, '>=', limit, '×', applies, detail)
    }
  }
  const stubOverhead = (id, full, bare, label, applies) => {
    const a = s(full, 'stub')
    const b = s(bare, 'stub')
    const d = a && b ? a.usPerReq - b.usPerReq : Number.NaN
    const detail =
      a && b
        ? `${fmt(a.usPerReq, 2)} vs ${fmt(b.usPerReq, 2)} µs/req (CPU ${fmt(a.cpuPerReq, 2)} vs ${fmt(b.cpuPerReq, 2)})`
        : 'a row has no data'
    add(id, label, d, '<=', 2, 'µs', applies, detail)
  }
  if (line.node !== undefined) {
    throughput('undici-full', 'fl-undici-full', 'undici-request', 0.9, 'undici core + recommended() ÷ undici.request')
    throughput('undici-bare', 'fl-undici', 'undici-request', 1.0, 'bare undici core ÷ undici.request')
  }
  throughput('fetch-full', 'fl-fetch-full', 'ofetch', 1.0, 'fetch core + recommended() ÷ bare ofetch')
  if (line.node !== undefined) {
    stubOverhead('undici-stub', 'fl-undici-full', 'fl-undici', 'undici core: recommended() − bare, stub transport', true)
  }
  // On Node 20 undici's fetch objects are promoted by the young-generation GC (see docs/performance.md); the
  // fetch core's target holds from Node 24 on, and is only reported elsewhere.
  stubOverhead('fetch-stub', 'fl-fetch-full', 'fl-fetch', 'fetch core: recommended() − bare, stub transport', line.node >= 24)
  for (const id of Object.keys(maxRSS).filter((id) => id.startsWith('fl-'))) {
    const a = maxRSS[id]
    const b = maxRSS.ofetch
    const d = a && b ? (a - b) / MB : Number.NaN
    add(
      `rss-${id}`,
      `peak RSS of ${names[id] ?? id} − ofetch's`,
      d,
      '<=',
      0,
      'MB',
      true,
      a && b ? `${fmt(a / MB, 1)} vs ${fmt(b / MB, 1)} MB` : 'no data',
    )
  }
  if (line.node !== undefined) {
    for (const [key, method] of both) {
      const a = s('fl-undici', key)
      const b = s('floor', key)
      const r = a && b ? a.p99 / b.p99 : Number.NaN
      const detail = a && b ? `p99 ${fmt(a.p99, 2)} vs ${fmt(b.p99, 2)} ms` : 'a row has no data'
      add(`p99-undici-${key}`, `bare undici core p99 ÷ floor p99, c=64 ${method}`, r, '<=', 1.5, '×', true, detail)
    }
  }
  return targets
}

/** One target as text: its value against its limit, e.g. '0.93× ≥ 0.90×' or '+1.20 µs ≤ 2 µs'. */
export function formatTarget(t, value = t.value) {
  if (!Number.isFinite(value))
    return `– (${t.op === '>=' ? '≥' : '≤'} ${t.unit === '×' ? `${t.limit.toFixed(2)}×` : `${t.limit} ${t.unit}`})`
  const v = t.unit === '×' ? `${fmt(value, 2)}×` : `${value >= 0 ? '+' : ''}${fmt(value, t.unit === 'MB' ? 1 : 2)} ${t.unit}`
  const limit = t.unit === '×' ? `${t.limit.toFixed(2)}×` : `${t.limit} ${t.unit}`
  return `${v} (${t.op === '>=' ? '≥' : '≤'} ${limit})`
}
