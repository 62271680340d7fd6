// What signing costs a request on the stub benchmark (issue 27), judged as bench/cache-hit.mjs judges:
//
//   node bench/sign-cost.mjs                              # Node 20 and 26, 10 rounds each (~10 min)
//   node bench/sign-cost.mjs --node=20 --rounds=10
//   node bench/sign-cost.mjs --pairs=wechatpay-undici     # only these pairs (and their bare rows)
//   node bench/sign-cost.mjs --from=bench/results/sign-cost.json   # render saved rounds again
//
// A CPU profile of one signed row (after a run has built .cache/bench-sign-cost/):
//   FETCHLINE_BENCH_BUILD=$PWD/.cache/bench-sign-cost node --import ./bench/sign-rows.mjs --cpu-prof \
//     --cpu-prof-dir=.perf bench/profile/drive.mjs --scenario=stub --clients=s:sign-sigv4-undici --only=s --pin \
//     --rounds=3 --ms=2000 && node bench/profile/top.mjs .perf/CPU.*.cpuprofile
//
// Eight clients, each alone in a fresh process (bench/alone.mjs → bench/profile/drive.mjs
// --scenario=stub: sequential GETs, 1 in flight, on the stub Dispatcher of bench/rows.mjs, pinned,
// warmed up, the quieter of two windows kept), all rows of bench/sign-rows.mjs (loaded into the
// drive processes as a preload, through NODE_OPTIONS): sigv4() on the undici core, on the fetch core
// and after recommended(), each beside the same client without it, and the Alipay and WeChat Pay
// clients' signing + answer verification beside the bare undici core. Every row sends the same GET with a small query
// (/stub/json?limit=20&page=1). Each pair runs side by side, the order reversing round by round; a
// comparison is the median of its per-round differences (and ratios) with a 95% bootstrap interval
// (bench/stats.mjs). No verdict: there is no target for signing. Every process must report that
// each call was dispatched once and signed (a bare one: not signed), or its round counts as failed.
//
// Both sides load one build: the worktree compiled into .cache/bench-sign-cost/ (git-ignored) at the
// start, so a rebuild of dist/ during the run changes nothing (--build=DIR: use DIR, holding
// package.json, dist/ and node_modules, as it is). --pairs=ID,… runs only those pairs' clients.
// Output: the Markdown on stdout and bench/results/sign-cost.{md,json} (every round's raw figures
// and load average in the JSON); with --pairs=, bench/results/sign-cost-ID+….{md,json}, so a run
// of some pairs never overwrites the figures of all of them.
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, release, totalmem } from 'node:os'
import { basename, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { runAlone } from './alone.mjs'
import { NODE_LINES } from './args.mjs'
import { nodeBinaries } from './runtimes.mjs'
import { bootstrapMedian } from './stats.mjs'
import { formatFigure } from './targets-spec.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const here = (path) => fileURLToPath(new URL(path, import.meta.url))

/** The order a round runs them in (reversed in odd rounds): each compared pair side by side. */
const CLIENTS = [
  'sign-wechatpay-undici',
  'sign-sigv4-undici',
  'sign-bare-undici',
  'sign-alipay-undici',
  'sign-bare-fetch',
  'sign-sigv4-fetch',
  'sign-bare-undici-full',
  'sign-sigv4-undici-full',
]

const NAMES = {
  'sign-bare-undici': 'undici core',
  'sign-sigv4-undici': "undici core + `sigv4({ service: 'execute-api', region: 'us-east-1', credentials })`",
  'sign-bare-fetch': 'fetch core',
  'sign-sigv4-fetch': 'fetch core + `sigv4(…)`',
  'sign-bare-undici-full': 'undici core + `recommended()`',
  'sign-sigv4-undici-full': 'undici core + `[...recommended(), sigv4(…)]`',
  'sign-alipay-undici': 'undici core + Alipay client signing + answer verification (`createAlipayClient`, `middleware: []`)',
  'sign-wechatpay-undici':
    "undici core + WeChat Pay client signing + answer verification (`createWeChatPayClient`, `publicKey: { id: 'PUB_KEY_ID_…', pem }`, `middleware: []`)",
}

/** What is compared: a's CPU µs/req − b's (and a ÷ b) in the same round. */
const PAIRS = [
  { id: 'sigv4-undici', a: 'sign-sigv4-undici', b: 'sign-bare-undici' },
  { id: 'sigv4-fetch', a: 'sign-sigv4-fetch', b: 'sign-bare-fetch' },
  { id: 'sigv4-undici-full', a: 'sign-sigv4-undici-full', b: 'sign-bare-undici-full' },
  { id: 'alipay-undici', a: 'sign-alipay-undici', b: 'sign-bare-undici' },
  { id: 'wechatpay-undici', a: 'sign-wechatpay-undici', b: 'sign-bare-undici' },
]

/** The pairs named by id (all of them by default) and the clients they compare, in round order. */
function selection(ids = PAIRS.map((p) => p.id)) {
  const pairs = ids.map((id) => PAIRS.find((p) => p.id === id))
  const unknown = ids.filter((_, i) => !pairs[i])
  if (unknown.length) throw new Error(`--pairs=: unknown "${unknown.join(', ')}"; choose from ${PAIRS.map((p) => p.id).join(', ')}`)
  const clients = CLIENTS.filter((c) => pairs.some((p) => p.a === c || p.b === c))
  return { ids, pairs, clients, all: ids.length === PAIRS.length }
}

function options(argv) {
  const got = { node: '20,26', rounds: '10', ms: '700', warm: '1200', out: here('./results/'), from: '', build: '', pairs: '' }
  for (const a of argv) {
    const m = /^--([a-z]+)=(.*)$/.exec(a)
    if (!m || !(m[1] in got))
      throw new Error(
        `unknown option "${a}" (options: ${Object.keys(got)
          .map((k) => `--${k}=`)
          .join(', ')})`,
      )
    got[m[1]] = m[2]
  }
  const int = (name, min) => {
    const n = Number(got[name])
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name}= needs an integer ≥ ${min}, got "${got[name]}"`)
    return n
  }
  const node = got.node.split(',')
  const bad = node.find((x) => !NODE_LINES.includes(x))
  if (bad !== undefined) throw new Error(`--node=: unknown "${bad}"; choose from ${NODE_LINES.join(', ')}`)
  const pairs = got.pairs ? got.pairs.split(',') : undefined
  if (pairs && got.from) throw new Error('--pairs= picks what to run; --from= renders the pairs its file holds')
  return {
    node,
    rounds: int('rounds', 2),
    ms: int('ms', 100),
    warm: int('warm', 0),
    out: got.out,
    from: got.from,
    build: got.build,
    select: selection(pairs),
  }
}

/** The worktree compiled into its own folder (package.json for `#imports`, node_modules linked). */
function build() {
  const dir = join(root, '.cache/bench-sign-cost')
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  process.stderr.write(`building the worktree into ${dir}\n`)
  try {
    execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'tsconfig.build.json'), '--outDir', join(dir, 'dist')], {
      stdio: 'inherit',
    })
  } catch {
    if (!existsSync(join(dir, 'dist/clients/alipay.js'))) throw new Error('the build failed')
    process.stderr.write('tsc reported errors but emitted dist/; measuring that build\n')
  }
  cpSync(join(root, 'package.json'), join(dir, 'package.json'))
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'))
  return dir
}

/** The commit and the uncommitted files of the measured code (src/, middleware/, clients/, index.ts). */
function source() {
  const git = (...args) => execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' })
  try {
    const dirty = git('status', '--porcelain', '--', 'src', 'middleware', 'clients', 'index.ts')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(3))
    return { commit: git('rev-parse', '--short', 'HEAD').trim(), dirty }
  } catch {
    return { commit: 'unknown', dirty: [] }
  }
}

function runLine(line, bin, opts, dir, progress) {
  const { clients } = opts.select
  const data = Object.fromEntries(clients.map((c) => [c, []]))
  const checks = []
  const load = []
  const checkFile = join(dir, 'check.json')
  const preload = `--import=${pathToFileURL(here('./sign-rows.mjs')).href}`
  const saved = { NODE_OPTIONS: process.env.NODE_OPTIONS, FETCHLINE_BENCH_BUILD: process.env.FETCHLINE_BENCH_BUILD }
  // Every process of the run gets the preload, the build to load and where to write its counts.
  process.env.NODE_OPTIONS = [saved.NODE_OPTIONS, preload].filter(Boolean).join(' ')
  process.env.FETCHLINE_BENCH_BUILD = dir
  process.env.FETCHLINE_SIGN_CHECK = checkFile
  try {
    for (let r = 0; r < opts.rounds; r++) {
      load.push(loadavg()[0])
      for (const client of r % 2 ? [...clients].reverse() : clients) {
        rmSync(checkFile, { force: true })
        let figure = runAlone(bin, { scenario: 'stub', spec: `${client}:${client}`, ms: opts.ms, warm: opts.warm })
        const check = existsSync(checkFile) ? JSON.parse(readFileSync(checkFile, 'utf8')) : undefined
        checks.push({ round: r, client, ...(check ?? { ok: false, missing: true }) })
        if (!check?.ok) {
          process.stderr.write(
            `  ${client}, round ${r + 1}: not every call signed as it should be (${JSON.stringify(check)}); round dropped\n`,
          )
          figure = undefined
        }
        data[client][r] = figure
        progress()
      }
      process.stderr.write(`  Node ${line}: round ${r + 1} of ${opts.rounds} done (load ${load[r].toFixed(2)})\n`)
    }
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
    delete process.env.FETCHLINE_SIGN_CHECK
  }
  return { data, checks, load }
}

/** Each pair's per-round differences and ratios, bootstrapped; each client's own median. */
function judge(data, select) {
  const cpu = (client) => (data[client] ?? []).map((x) => (x ? x.cpu : Number.NaN))
  const pairs = select.pairs.map((p) => {
    const a = cpu(p.a)
    const b = cpu(p.b)
    const diffs = a.map((x, r) => x - b[r])
    const ratios = a.map((x, r) => x / b[r])
    return {
      ...p,
      name: `${NAMES[p.a]} − ${NAMES[p.b]}`,
      diff: { kind: 'diff', unit: 'µs', values: diffs, ...bootstrapMedian(diffs) },
      ratio: { kind: 'ratio', values: ratios, ...bootstrapMedian(ratios) },
    }
  })
  const clients = select.clients.map((client) => ({ client, cpu: bootstrapMedian(cpu(client).filter(Number.isFinite)) }))
  return { pairs, clients }
}

function machine() {
  const cores = cpus()
  return `${cores[0]?.model.trim() ?? 'unknown CPU'}, ${cores.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}`
}

/** The service clients among the rows that verify answers, by name. */
const SERVICES = { 'sign-alipay-undici': 'Alipay', 'sign-wechatpay-undici': 'WeChat Pay' }

function render(result, select) {
  const { lines, rounds, ms, warm, date } = result
  const loads = lines.flatMap((l) => l.load)
  const checked = lines.flatMap((l) => l.checks)
  const services = select.clients.filter((c) => c in SERVICES).map((c) => SERVICES[c])
  const verified = services.length ? `, each ${services.join(' and ')} answer verified` : ''
  const tampered = services.length
    ? ` Each ${services.join(' and ')} process also checked at setup that an answer altered by one byte is refused with FL_ERR_SIGNATURE.`
    : ''
  const out = [
    `# fetchline: the cost of signing — ${date.slice(0, 10)}`,
    '',
    `${result.machine}; load average ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)} at the starts of rounds. The stub scenario of bench/targets.mjs (sequential GETs of \`/stub/json?limit=20&page=1\`, 1 in flight, on the stub Dispatcher; CPU µs/req): ${rounds} rounds a line, in each every client alone in a fresh process (${warm} ms warm-up, ${ms} ms measured, the quieter of two windows), the order reversing by round, each compared pair side by side. Each cell: the median of the per-round figures and its 95% bootstrap interval. Build: ${result.source.commit}${result.source.dirty.length ? ` + uncommitted ${result.source.dirty.join(', ')}` : ''}. \`${result.command ?? 'node bench/sign-cost.mjs'}\` (${result.minutes} min).`,
    '',
    `Signing checked: ${checked.filter((c) => c.ok).length} of ${checked.length} processes dispatched every call once, signed in the signed rows (${checked
      .filter((c) => c.ok && c.signer !== 'none')
      .reduce((n, c) => n + c.signed, 0)
      .toLocaleString('en-US')} signed calls in all${verified}) and unsigned in the bare ones.${tampered}`,
    '',
    `| comparison | ${lines.map((l) => `Node ${l.line}: difference`).join(' | ')} | ${lines.map((l) => `Node ${l.line}: ratio`).join(' | ')} |`,
    `| --- | ${lines.map(() => '---:').join(' | ')} | ${lines.map(() => '---:').join(' | ')} |`,
  ]
  for (const p of select.pairs) {
    const find = (l) => l.pairs.find((x) => x.id === p.id)
    const name = `${NAMES[p.a]} − ${NAMES[p.b]}`
    out.push(
      `| ${name} | ${lines.map((l) => formatFigure(find(l).diff)).join(' | ')} | ${lines.map((l) => formatFigure(find(l).ratio)).join(' | ')} |`,
    )
  }
  out.push(
    '',
    'Each client on its own (CPU µs/req, median with its 95% interval):',
    '',
    `| client | ${lines.map((l) => `Node ${l.line} (${l.version})`).join(' | ')} |`,
    `| --- | ${lines.map(() => '---:').join(' | ')} |`,
  )
  for (const client of select.clients) {
    const cells = lines.map((l) => {
      const c = l.clients.find((x) => x.client === client)?.cpu
      return c && Number.isFinite(c.median) ? `${c.median.toFixed(2)} µs (${c.lo.toFixed(2)}–${c.hi.toFixed(2)}), n=${c.n}` : '–'
    })
    out.push(`| stub: ${NAMES[client]} | ${cells.join(' | ')} |`)
  }
  return `${out.join('\n')}\n`
}

function measure(opts) {
  // What is measured: the worktree as it is when it is built (others may edit it meanwhile).
  const src = opts.build ? { commit: `the build in ${opts.build}`, dirty: [] } : source()
  const dir = opts.build || build()
  const bins = nodeBinaries(opts.node)
  const started = performance.now()
  const total = opts.node.length * opts.rounds * opts.select.clients.length
  let done = 0
  const progress = () => {
    done++
    if (done % 14 === 0) {
      const perRun = (performance.now() - started) / done
      process.stderr.write(`  ${done} of ${total} processes, about ${Math.ceil(((total - done) * perRun) / 60_000)} min left\n`)
    }
  }
  const loadBefore = loadavg()[0]
  const lines = []
  for (const line of opts.node) {
    const version = execFileSync(bins[line], ['-v'], { encoding: 'utf8' }).trim()
    process.stderr.write(`\n== Node ${line} (${version}, ${bins[line]}) ==\n`)
    const { data, checks, load } = runLine(line, bins[line], opts, dir, progress)
    lines.push({ line, version, ...judge(data, opts.select), data, checks, load })
  }
  return {
    date: new Date().toISOString(),
    command: ['node bench/sign-cost.mjs', ...process.argv.slice(2)].join(' '),
    pairs: opts.select.ids,
    machine: machine(),
    source: src,
    build: dir,
    loadBefore,
    loadAfter: loadavg()[0],
    minutes: Math.round((performance.now() - started) / 6000) / 10,
    rounds: opts.rounds,
    ms: opts.ms,
    warm: opts.warm,
    lines,
  }
}

const opts = options(process.argv.slice(2))
let result
let select = opts.select
// A saved file is rendered again under its own name, with the pairs it holds.
let name = select.all ? 'sign-cost' : `sign-cost-${select.ids.join('+')}`
if (opts.from) {
  const saved = JSON.parse(readFileSync(opts.from, 'utf8'))
  select = selection(saved.pairs ?? saved.lines[0].pairs.map((p) => p.id))
  name = basename(opts.from, '.json')
  result = { ...saved, lines: saved.lines.map((l) => ({ ...l, ...judge(l.data, select) })) }
} else result = measure(opts)
const markdown = render(result, select)
console.log(markdown)
mkdirSync(opts.out, { recursive: true })
writeFileSync(join(opts.out, `${name}.md`), markdown)
writeFileSync(join(opts.out, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`)
process.stderr.write(`wrote ${join(opts.out, name)}.{md,json}${opts.from ? '' : ` in ${result.minutes} min`}\n`)
