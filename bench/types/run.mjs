// The editor and compiler cost of a typed client (issue 17): `tsc --extendedDiagnostics` on 50
// typed calls against GitHub's REST API types (@octokit/openapi-types), through fetchline's
// `createClient<paths>()` and through openapi-fetch's, side by side.
//
//   npm run bench:types                       # builds, then 5 runs of each case
//   node bench/types/run.mjs --runs=9         # more runs (dist/ must be current)
//   node bench/types/run.mjs --write          # regenerate the bench files from calls.mjs
//
// Cases (one file and one tsconfig each, the repo's checking options): the document alone
// (baseline.ts), each client's 50 calls, and each client's single call to a wrong path (the typo
// case, openapi-ts/openapi-typescript#1882). fetchline is imported as a user imports it
// ('fetchline-http', i.e. the built dist/*.d.ts, skipped by skipLibCheck like openapi-fetch's):
// importing src/ would add the check of fetchline's own sources, which no user pays.
//
// Before measuring, each client's rejects file must type-check: every call in it carries a
// `@ts-expect-error` (a missing or extra param, a wrong query, a body on GET, …), so an input the
// client fails to check fails the run. A measured run that reports an error stops the bench.
//
// The runs are interleaved (one of each case per round) so a slow spell on the shared machine
// spreads over all of them; the figures are medians. Exit code 1 when fetchline's increment over
// the baseline is above 1.5× openapi-fetch's on instantiations or check time.
// Output: the Markdown on stdout and in bench/results/types.md, the figures in types.json.
import { spawnSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CALLS, generated } from './calls.mjs'
import { LIMIT, medians, minus, parseDiagnostics, verdict } from './diagnostics.mjs'

const here = (path) => fileURLToPath(new URL(path, import.meta.url))
const root = here('../../')

const argv = process.argv.slice(2)
const write = argv.includes('--write')
const runsArg = argv.find((a) => a.startsWith('--runs='))
const unknown = argv.filter((a) => a !== '--write' && a !== runsArg)
if (unknown.length) throw new Error(`bench/types/run.mjs: unknown option ${unknown[0]} (options: --runs=N, --write)`)
const runs = Number(runsArg?.split('=')[1] ?? 5)
if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`--runs must be an integer >= 1, got ${runsArg}`)

// ---- the bench files: generated from calls.mjs, and current ----
const files = generated()
if (write) {
  for (const [name, text] of Object.entries(files)) writeFileSync(here(`./${name}`), text)
  console.log(`wrote ${Object.keys(files).join(', ')} in bench/types/`)
  process.exit(0)
}
const stale = Object.keys(files).filter((name) => {
  try {
    return readFileSync(here(`./${name}`), 'utf8') !== files[name]
  } catch {
    return true
  }
})
if (stale.length) fail(`bench/types/${stale.join(', ')} differ from calls.mjs: run node bench/types/run.mjs --write`)

// ---- dist/ is what the fetchline cases import: it must be built from the current sources ----
const newest = (dir) =>
  readdirSync(join(root, dir), { recursive: true })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .reduce((t, f) => Math.max(t, statSync(join(root, dir, f)).mtimeMs), 0)
let built = 0
try {
  built = statSync(join(root, 'dist/src/client/openapi.d.ts')).mtimeMs
} catch {}
if (built < newest('src')) fail('dist/ is missing or older than src/: run npm run build (npm run bench:types does)')

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const tsVersion = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('typescript/package.json'), 'utf8')).version

function runTsc(name, extra = []) {
  const child = spawnSync(process.execPath, [tsc, '-p', here(`./tsconfig.${name}.json`), ...extra], { cwd: root, encoding: 'utf8' })
  const out = `${child.stdout}${child.stderr}`
  if (child.status !== 0)
    fail(`tsc -p bench/types/tsconfig.${name}.json exited ${child.status}: a run that errors is not a measurement\n${out}`)
  return out
}

function fail(message) {
  process.stderr.write(`${message}\n`)
  process.exit(2)
}

// ---- each client checks the inputs of the calls it is measured on ----
for (const lib of ['fetchline', 'openapi-fetch']) {
  process.stderr.write(`checking bench/types/${lib}-rejects.ts (every @ts-expect-error must fire)\n`)
  runTsc(`${lib}-rejects`)
}

// ---- the measurement ----
const CASES = [
  { id: 'baseline', label: 'the document alone (baseline.ts)' },
  { id: 'openapi-fetch', label: `openapi-fetch, ${CALLS.length} calls` },
  { id: 'fetchline', label: `fetchline, ${CALLS.length} calls` },
  { id: 'openapi-fetch-typo', label: 'openapi-fetch, 1 wrong path' },
  { id: 'fetchline-typo', label: 'fetchline, 1 wrong path' },
]
const raw = Object.fromEntries(CASES.map((c) => [c.id, []]))
for (let round = 1; round <= runs; round++) {
  for (const c of CASES) {
    process.stderr.write(`run ${round} of ${runs}: ${c.id}\n`)
    raw[c.id].push(parseDiagnostics(runTsc(c.id, ['--extendedDiagnostics'])))
  }
}
const med = Object.fromEntries(CASES.map((c) => [c.id, medians(raw[c.id])]))
const inc = Object.fromEntries(CASES.slice(1).map((c) => [c.id, minus(med[c.id], med.baseline)]))
const v = verdict(inc.fetchline, inc['openapi-fetch'])

// ---- the report ----
const s = (x) => `${x.toFixed(2)} s`
const n = (x) => Math.round(x).toLocaleString('en-US')
const mb = (x) => `${Math.round(x)} MB`
const plus = (f) => (x) => `${x < 0 ? '−' : '+'}${f(Math.abs(x))}`
const ratio = (x) => `${x.toFixed(2)}×`
const row = (cells) => `| ${cells.join(' | ')} |`
const HEAD = ['check time', 'instantiations', 'types', 'memory used', 'total time']
const cells = (m, f = (g) => g) => [f(s)(m.checkTime), f(n)(m.instantiations), f(n)(m.types), f(mb)(m.memory), f(s)(m.totalTime)]

const lines = [
  `### Compile cost of ${CALLS.length} typed calls against GitHub's REST API types`,
  '',
  `TypeScript ${tsVersion}, \`tsc --extendedDiagnostics\`, median of ${runs} runs per case (interleaved), Node ${process.versions.node}.`,
  '',
  row(['case', ...HEAD]),
  row(['---', ...HEAD.map(() => '---:')]),
  ...CASES.map((c) => row([c.label, ...cells(med[c.id])])),
  '',
  'Over the baseline (what the client and its calls add to the document alone):',
  '',
  row(['case', ...HEAD]),
  row(['---', ...HEAD.map(() => '---:')]),
  ...CASES.slice(1).map((c) => row([c.label, ...cells(inc[c.id], plus)])),
  row([
    `**fetchline ÷ openapi-fetch** (${CALLS.length} calls)`,
    `**${ratio(v.ratios.checkTime)}**`,
    `**${ratio(v.ratios.instantiations)}**`,
    ratio(v.ratios.types),
    ratio(v.ratios.memory),
    ratio(v.ratios.totalTime),
  ]),
  '',
  v.ok
    ? `Within the limit: fetchline's increment is at most ${LIMIT}× openapi-fetch's on instantiations and check time.`
    : `**Over the limit** (${LIMIT}× openapi-fetch's increment) on ${v.over.join(' and ')}.`,
]
const markdown = lines.join('\n')
console.log(markdown)
mkdirSync(join(root, 'bench/results'), { recursive: true })
writeFileSync(join(root, 'bench/results/types.md'), `${markdown}\n`)
writeFileSync(
  join(root, 'bench/results/types.json'),
  `${JSON.stringify({ typescript: tsVersion, node: process.versions.node, runs, medians: med, increments: inc, verdict: v, raw }, null, 2)}\n`,
)
process.stderr.write('wrote bench/results/types.{md,json}\n')
process.exit(v.ok ? 0 : 1)
