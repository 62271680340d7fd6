// fetchline's performance targets (issue 6), each judged on the median of several runs.
//
//   npm run bench:targets            # 3 quick runs of the rows the targets compare (~2.5 min)
//   node bench/targets.mjs --runs=5  # more runs
//
// One run of bench/run.mjs already interleaves its rows, but on a shared 2-core machine a whole
// run can land in a slow or a fast spell, and a target that compares two rows within a few per
// cent (or two stub figures within 2 µs of ~60) flips between runs. So this script runs the quick
// benchmark N times over just the rows the targets need, computes each target's figure per run,
// and judges the median: a close call needs the median of at least 3 runs.
// Output: a Markdown table on stdout; bench/results/targets.{md,json}.
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { median } from './stats.mjs'

const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.split('=')[1] ?? 3)
if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`--runs must be an integer >= 1, got ${runs}`)
const ROWS = ['ofetch', 'fl-fetch', 'fl-fetch-full', 'fl-undici', 'fl-undici-full'] // + undici.request, always there
const here = (path) => new URL(path, import.meta.url)
const scratch = mkdtempSync(join(tmpdir(), 'fetchline-targets-'))

const results = []
for (let i = 1; i <= runs; i++) {
  process.stderr.write(`\n== run ${i} of ${runs} ==\n`)
  const out = join(scratch, `run-${i}`)
  const child = spawnSync(
    process.execPath,
    ['--no-memory-reducer', here('./run.mjs').pathname, '--quick', `--rows=${ROWS.join(',')}`, `--out=${out}`],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  )
  if (child.status !== 0) throw new Error(`bench/run.mjs failed (exit ${child.status}) in run ${i}`)
  results.push(JSON.parse(readFileSync(join(out, 'latest.json'), 'utf8')))
}
rmSync(scratch, { recursive: true, force: true })

const summary = (json, id, key) => json.rows.find((r) => r.id === id)?.scenarios[key]?.summary
const maxRSS = (json, id) => json.rows.find((r) => r.id === id)?.maxRSS

/** [label, per-run figure, pass(median), unit] */
const TARGETS = [
  ...['c64-get', 'c64-post'].map((key) => [
    `(1) fetch core + recommended() ÷ bare ofetch, ${key === 'c64-get' ? 'GET' : 'POST'} c=64 (≥ 1.00×)`,
    (j) => summary(j, 'fl-fetch-full', key).rps / summary(j, 'ofetch', key).rps,
    (m) => m >= 1,
    '×',
  ]),
  [
    '(1) fetch core + recommended() − bare fetch core, stub transport (≤ +2 µs)',
    (j) => summary(j, 'fl-fetch-full', 'stub').usPerReq - summary(j, 'fl-fetch', 'stub').usPerReq,
    (m) => m <= 2,
    'µs',
  ],
  [
    '(1) undici core + recommended() − bare undici core, stub transport (same pipeline, for reference)',
    (j) => summary(j, 'fl-undici-full', 'stub').usPerReq - summary(j, 'fl-undici', 'stub').usPerReq,
    () => undefined,
    'µs',
  ],
  ...['c64-get', 'c64-post'].map((key) => [
    `(2) undici core + recommended() ÷ undici.request, ${key === 'c64-get' ? 'GET' : 'POST'} c=64 (≥ 0.80×)`,
    (j) => summary(j, 'fl-undici-full', key).rps / summary(j, 'undici-request', key).rps,
    (m) => m >= 0.8,
    '×',
  ]),
  ...['fl-fetch', 'fl-fetch-full', 'fl-undici', 'fl-undici-full'].map((id) => [
    `(3) peak RSS of ${results[0].rows.find((r) => r.id === id)?.name} − ofetch's (≤ 0 MB)`,
    (j) => (maxRSS(j, id) - maxRSS(j, 'ofetch')) / 2 ** 20,
    (m) => m <= 0,
    'MB',
  ]),
]

const fmt = (v, unit) => (unit === '×' ? `${v.toFixed(2)}×` : `${v >= 0 ? '+' : ''}${v.toFixed(unit === 'MB' ? 1 : 2)} ${unit}`)
const lines = [
  `# fetchline performance targets — median of ${runs} quick runs`,
  '',
  `- ${results[0].environment.node}, ${results[0].environment.cores} cores (${results[0].environment.cpu}); rows: undici.request, ${ROWS.join(', ')}; each run is \`bench/run.mjs --quick\` over those rows`,
  '',
  `| target | ${results.map((_, i) => `run ${i + 1}`).join(' | ')} | median | |`,
  `| --- | ${results.map(() => '---:').join(' | ')} | ---: | --- |`,
]
const judged = []
for (const [label, figure, pass, unit] of TARGETS) {
  const values = results.map((j) => figure(j))
  const m = median(values)
  const verdict = pass(m)
  judged.push({ label, values, median: m, unit, status: verdict === undefined ? 'info' : verdict ? 'PASS' : 'FAIL' })
  lines.push(
    `| ${label} | ${values.map((v) => fmt(v, unit)).join(' | ')} | ${fmt(m, unit)} | ${verdict === undefined ? '—' : verdict ? 'PASS' : 'FAIL'} |`,
  )
}
const markdown = `${lines.join('\n')}\n`
console.log(markdown)
mkdirSync(here('./results/'), { recursive: true })
writeFileSync(here('./results/targets.md'), markdown)
writeFileSync(here('./results/targets.json'), `${JSON.stringify({ date: new Date().toISOString(), runs, targets: judged }, null, 2)}\n`)
process.stderr.write('wrote bench/results/targets.{md,json}\n')
