// One line of the benchmark: fetchline against the floor, undici, Node's fetch, ofetch, ky, got
// and axios, everything on the Node binary that runs this file (bench/run.mjs starts it once per
// `--node=` line with that line's binary; without `--node=` it runs here, on the machine's node).
// With --runtime-line=bun|deno it runs the fetch rows (bench/rows.mjs RUNTIME_ROWS) inside that
// runtime instead, against a server on this Node.
//
//   npx tsc -p tsconfig.build.json && node --no-memory-reducer bench/run.mjs [--quick] [--rows=id,id,…] [--wait-quiet=S] [--out=DIR]
//
// --wait-quiet=S waits up to S seconds for other processes to leave the CPU before starting.
// --rows keeps only the listed rows (ids in bench/rows.mjs; the references — undici.request and the
// floor, ofetch on Bun and Deno — always stay). For experiments, env ROUNDS, MEASURE_MS (every
// scenario), WARMUP_MS, BUDGET_MS and HARD_LIMIT_MS override the mode's settings.
//
// Processes
//   - bench/server.mjs runs in its own process (node:http on 127.0.0.1, keep-alive): GET /json
//     answers a fixed ~200-byte JSON body, POST /echo echoes the JSON it gets.
//   - Every client row runs in its OWN long-lived worker process (bench/run-worker.mjs, forked with
//     --no-memory-reducer) that imports only its row's library and then receives "run scenario X for
//     D ms" messages over IPC. We chose long-lived workers over a fork per row per round because a
//     fresh process would time a cold JIT and a cold pool in every round (and spend ~0.2 s per fork
//     loading modules, 200+ forks in a full run); a long-lived worker measures the steady state a
//     service sees, keeps its keep-alive pool between rounds, and still gives per-client numbers:
//     CPU µs/request comes from process.cpuUsage() deltas over the measured window of the worker, so
//     it is that client's CPU alone (the server and this orchestrator are other processes); peak
//     RSS per scenario is the highest process.memoryUsage.rss() sampled (every 20 ms, and at the end)
//     during that scenario's runs, and the memory table gives each worker's
//     process.resourceUsage().maxRSS over its whole life (all four scenarios).
//   - Only one worker runs at a time (2 cores: one for the client, one for the server); the others
//     sit idle, each with its keep-alive connections open.
//   - On Bun and Deno the workers are the same file started by that runtime with --stdio: commands
//     and answers travel as JSON lines over stdin/stdout instead of Node's IPC channel.
//
// Measuring
//   - Scenarios: sequential GET (1 in flight), concurrent GET (64 in flight), concurrent JSON POST
//     (64 in flight), and a no-network overhead run (sequential GET on a stub transport, see
//     bench/rows.mjs for how each client's network is replaced).
//   - First a JIT warm-up: each worker in turn drives c=64 GET, c=64 POST and the stub for
//     prewarmMs each (unmeasured; undici's fetch needs seconds before V8 has optimised it).
//   - Rounds are interleaved per scenario: A B C … A B C …, 5 rounds (3 with --quick); each run
//     warms up (longer in round 1), then measures for a fixed time. Tables give the median and the
//     min–max over rounds; "× undici.request" is the ratio of the medians.
//   - Every run is bounded in time and count (MAX_COUNT); the parent gives each run a deadline and
//     kills a worker that overruns it; a hard safety timer kills everything (and prints what it
//     has) if the whole run overruns. Only 127.0.0.1 is ever targeted.
//   - After each run the server's own request count is compared with what the client completed:
//     a difference means hidden retries or lost requests (and a stub run must reach the server 0 times).
//   - Other processes on the machine: /proc/stat and /proc/<pid>/stat tell how much CPU anything but
//     the server, the running worker and this process used during each run. A run with more than
//     CONTENDED_CORES of such load is run once more if the time budget allows (the budget's slack
//     is shared evenly between scenarios), and the less disturbed of the two is kept. Both are in
//     the JSON; the Notes say how many runs were affected.
//   - The stub scenario's loop gives the event loop a turn every 32 requests (see run-worker.mjs),
//     and each stub run starts with a full GC (workers run with --expose-gc): the worker's network
//     scenarios leave ~100–250 MB of heap behind, and a major GC of it landing in a stub window
//     moved a µs-level difference by several µs between runs. The stub's own garbage is still
//     collected inside the window, so what the pipeline allocates is counted.
//   - Latency: every measured request of the c=64 scenarios is timed (performance.now() into a
//     preallocated Float64Array); each run reports p50/p99/p99.9; tables give medians over rounds.
//   - Cold start, after the rounds: for each row a NEW process (import, set-up, no warm-up) sends
//     its first 2,000 GETs at c=64; its p99 is the cold-start tail. Two more variants, fetchline's
//     undici and fetch cores "+ warmup", call `await client.warmup({ connections: 64 })` first,
//     when the client has it (n/a otherwise). The server is warm by then; only the client is cold.
//
// Output: Markdown tables on stdout (progress on stderr); bench/results/latest.{md,json,svg}
// (written by --quick too; the JSON says which mode). Ratios are given against both references:
// undici.request (the familiar one) and the floor row (the least work over undici). This harness
// runs every client side by side in long-lived workers and judges no target: the targets have one
// judge, `npm run bench:targets` (a process per client, intervals; see bench/targets.mjs). Errors
// change the exit code (1).
import { fork, spawn as spawnProcess } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from './args.mjs'
import { ROWS, RUNTIME_ROWS } from './rows.mjs'
import { ensureRuntimes, runtimeCommand } from './runtimes.mjs'
import { median } from './stats.mjs'

const ARGS = parseArgs(process.argv.slice(2), { rowIds: [...ROWS, ...RUNTIME_ROWS].map((r) => r.id) })
const QUICK = ARGS.quick
const rowFilter = ARGS.rows
/** 'bun' | 'deno' | undefined (Node) */
const RUNTIME = ARGS.runtimeLine
const RUNTIME_BIN = RUNTIME ? ensureRuntimes([RUNTIME])[RUNTIME] : undefined
/** The rows ratios are given against, in column order. */
const REFS = RUNTIME
  ? [{ id: 'ofetch', label: '× ofetch' }]
  : [
      { id: 'undici-request', label: '× undici.request' },
      { id: 'floor', label: '× floor' },
    ]

const CONFIG = QUICK
  ? {
      mode: 'quick',
      rounds: 3,
      prewarmMs: 400,
      warmupMs: 100,
      firstWarmupMs: 250,
      measureMs: { 'seq-get': 200, 'c64-get': 300, 'c64-post': 300, stub: 500 },
      budgetMs: 80_000, // re-runs of contended runs stop when they would push the total past this
      hardLimitMs: 150_000,
      coldRuns: 1, // fresh processes per cold-start row
      coldCalls: 2000,
    }
  : {
      mode: 'full',
      rounds: 5,
      prewarmMs: 1000,
      warmupMs: 200,
      firstWarmupMs: 500,
      measureMs: { 'seq-get': 700, 'c64-get': 1000, 'c64-post': 1000, stub: 600 },
      budgetMs: 330_000,
      hardLimitMs: 480_000,
      coldRuns: 3,
      coldCalls: 2000,
    }
// Overrides for experiments (the defaults above are what the time budgets were planned for).
const envNumber = (name) => (process.env[name] === undefined ? undefined : Number(process.env[name]))
if (envNumber('ROUNDS')) CONFIG.rounds = Math.min(20, envNumber('ROUNDS'))
if (envNumber('MEASURE_MS')) for (const k of Object.keys(CONFIG.measureMs)) CONFIG.measureMs[k] = Math.min(10_000, envNumber('MEASURE_MS'))
if (envNumber('WARMUP_MS')) CONFIG.warmupMs = Math.min(10_000, envNumber('WARMUP_MS'))
if (envNumber('BUDGET_MS')) CONFIG.budgetMs = Math.min(1_700_000, envNumber('BUDGET_MS'))
if (envNumber('HARD_LIMIT_MS')) CONFIG.hardLimitMs = Math.min(1_800_000, envNumber('HARD_LIMIT_MS'))
const POOL = { connections: 64, keepAliveTimeout: 30_000 }
const MAX_COUNT = 5_000_000 // per run; far above what 1.2 s can reach
const RUN_GRACE_MS = 20_000 // a run that has not answered this long after its time is declared hung
const HIGH_SPREAD = 0.2 // (max − min) / median above this is flagged
const CONTENDED_CORES = 0.25 // other processes' CPU during a run, in cores, above which the run is redone once

const SCENARIOS = [
  { key: 'seq-get', title: 'Sequential GET /json (1 in flight)', inFlight: 1, network: true },
  { key: 'c64-get', title: 'Concurrent GET /json (64 in flight)', inFlight: 64, network: true },
  { key: 'c64-post', title: 'Concurrent JSON POST /echo (64 in flight)', inFlight: 64, network: true },
  { key: 'stub', title: 'No-network overhead: sequential GET on a stub transport', inFlight: 1, network: false },
]

// --wait-quiet=S: before starting, wait up to S seconds (max 600) for a second in which other
// processes use less than CONTENDED_CORES of CPU; the wait is not part of the time budget.
const waitQuietS = ARGS.waitQuiet
if (waitQuietS > 0 && existsSync('/proc/stat')) {
  const until = performance.now() + waitQuietS * 1000
  let load = Number.POSITIVE_INFINITY
  for (let i = 0; i < waitQuietS * 2 && performance.now() < until; i++) {
    const t0 = performance.now()
    const m0 = machineTicks()
    await new Promise((resolve) => setTimeout(resolve, 1000))
    load = (machineTicks() - m0) / 100 / ((performance.now() - t0) / 1000)
    if (load < CONTENDED_CORES) break
    if (i % 10 === 0) process.stderr.write(`waiting for a quiet machine: ${load.toFixed(2)} cores busy\n`)
  }
  process.stderr.write(`machine load before start: ${load.toFixed(2)} cores${load < CONTENDED_CORES ? '' : ' (gave up waiting)'}\n`)
}

const started = performance.now()
const elapsedS = () => ((performance.now() - started) / 1000).toFixed(1)
const progress = (text) => process.stderr.write(`[${elapsedS()} s] ${text}\n`)
const here = (path) => new URL(path, import.meta.url)
const readVersion = (path) => JSON.parse(readFileSync(here(path), 'utf8')).version
const versions = Object.fromEntries(
  ['undici', 'ofetch', 'ky', 'got', 'axios', 'consola'].map((name) => [name, readVersion(`../node_modules/${name}/package.json`)]),
)
versions.fetchline = readVersion('../package.json')
versions.node = process.version
versions.nodeBundledUndici = process.versions.undici
if (RUNTIME) versions[RUNTIME] = readVersion(`${RUNTIME_BIN.replace(/\/\.bin\/[^/]+$/, '')}/${RUNTIME}/package.json`)
const LINE = RUNTIME ? `${RUNTIME} ${versions[RUNTIME]}` : `Node ${process.version}`

const rows = (RUNTIME ? RUNTIME_ROWS : ROWS)
  .filter((r) => !rowFilter || REFS.some((ref) => ref.id === r.id) || rowFilter.includes(r.id))
  .map((def) => ({
    def,
    id: def.id,
    name: def.name,
    fetchline: Boolean(def.fetchline),
    child: undefined,
    dead: undefined, // reason, once the worker is gone
    initRSS: undefined,
    maxRSS: 0,
    runs: Object.fromEntries(SCENARIOS.map((s) => [s.key, []])),
    failed: {}, // scenario key → first error text
    cold: [], // cold-start runs: { latency, elapsedMs, setupMs }
  }))
// The cold-start variants that warm the pool first: fetchline's cores with `client.warmup()`.
const COLD_WARMUP = rows
  .filter((r) => r.id === 'fl-undici' || r.id === 'fl-fetch')
  .map((r) => ({ id: `${r.id}+warmup`, base: r.id, name: `${r.name} + warmup`, warmup: true, cold: [], na: false }))
const errors = [] // { row, scenario, phase, error }
const countMismatches = [] // { row, scenario, round, client, server }
const contended = [] // { row, scenario, round, cores, retried }
let countsChecked = 0
let stage = 'starting'

// ---- processes ------------------------------------------------------------------------------------

const children = new Set()
function spawn(file, execArgv) {
  const child = fork(here(file), [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}
/** A worker on Bun or Deno: the same messages as JSON lines over stdin/stdout (see run-worker.mjs). */
function spawnRuntime(file) {
  const [bin, args] = runtimeCommand(RUNTIME, RUNTIME_BIN, fileURLToPath(here(file)))
  const child = spawnProcess(bin, [...args, '--stdio'], { cwd: fileURLToPath(here('..')), stdio: ['pipe', 'pipe', 'inherit'] })
  let open = true
  child.once('exit', () => (open = false))
  child.stdin.on('error', () => (open = false))
  Object.defineProperty(child, 'connected', { get: () => open })
  child.send = (message) => child.stdin.write(`${JSON.stringify(message)}\n`)
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (line.startsWith('{')) child.emit('message', JSON.parse(line))
    else if (line.trim()) process.stderr.write(`${RUNTIME} worker: ${line}\n`)
  })
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}
// --expose-gc: a stub run starts after a full collection (see run-worker.mjs), in every row alike.
const spawnWorker = () => (RUNTIME ? spawnRuntime('./run-worker.mjs') : spawn('./run-worker.mjs', ['--no-memory-reducer', '--expose-gc']))
function killAll() {
  for (const child of children) child.kill('SIGKILL')
}

const hardLimit = setTimeout(() => {
  process.stderr.write(`bench/run.mjs: still running after ${CONFIG.hardLimitMs / 1000} s (at: ${stage}); killing everything\n`)
  try {
    console.log(render({ partial: true }).markdown)
  } catch {}
  killAll()
  process.exit(1)
}, CONFIG.hardLimitMs)
hardLimit.unref()

const server = spawn('./server.mjs', ['--no-memory-reducer'])
const port = await new Promise((resolve, reject) => {
  server.once('message', (message) => resolve(message.port))
  server.once('error', reject)
  server.once('exit', (code) => reject(new Error(`server exited early with code ${code}`)))
})
const origin = `http://127.0.0.1:${port}`
if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(origin)) throw new Error(`refusing to target ${origin}`)

/** Sends a message to a child and waits for the first answer matching `accept`, or times out. */
function ask(child, message, accept, timeoutMs) {
  return new Promise((resolve) => {
    let timer
    const done = (value) => {
      clearTimeout(timer)
      child.off('message', onMessage)
      child.off('exit', onExit)
      resolve(value)
    }
    const onMessage = (m) => {
      if (accept(m)) done(m)
    }
    const onExit = (code, signal) => done({ type: 'error', error: `worker exited (code ${code}, signal ${signal})` })
    timer = setTimeout(() => done({ type: 'timeout' }), timeoutMs)
    child.on('message', onMessage)
    child.once('exit', onExit)
    if (child.connected) child.send(message)
    else done({ type: 'error', error: 'worker not connected' })
  })
}

async function serverCount() {
  const answer = await ask(server, { type: 'count' }, (m) => m?.type === 'count', 5000)
  return answer.type === 'count' ? answer.count : undefined
}

progress(`server on ${origin}; starting ${rows.length} workers (${CONFIG.mode} mode)`)
stage = 'starting workers'
await Promise.all(
  rows.map(async (row) => {
    row.child = spawnWorker()
    const answer = await ask(
      row.child,
      { cmd: 'init', rowId: row.id, rowSet: RUNTIME ? 'runtime' : 'node', origin, pool: POOL, hardLimitMs: CONFIG.hardLimitMs + 10_000 },
      (m) => m?.type === 'ready' || m?.type === 'error',
      30_000,
    )
    if (answer.type === 'ready') {
      row.initRSS = answer.rss
      return
    }
    row.dead = answer.type === 'timeout' ? 'no answer to init within 30 s' : answer.error
    errors.push({ row: row.name, scenario: '–', phase: 'set-up', error: row.dead })
    row.child.kill('SIGKILL')
  }),
)
progress('workers ready')

// ---- the runs --------------------------------------------------------------------------------------

// Other processes on the machine (another build, a test run) steal the 2 cores the bench needs.
// /proc tells how much CPU was used during a run by anything but the server, the worker and this
// process; a run with more than CONTENDED_CORES of such load is re-run once, if the time budget
// allows, and counted in the notes either way.
const PROC = existsSync('/proc/stat')
function machineTicks() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number)
  return f[0] + f[1] + f[2] // user + nice + system (irq/softirq time left out: loopback traffic lands there)
}
function processTicks(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(fields[11]) + Number(fields[12]) // utime + stime
  } catch {
    return 0
  }
}
function loadProbe(pids) {
  if (!PROC) return () => undefined
  const t0 = performance.now()
  const m0 = machineTicks()
  const p0 = pids.reduce((sum, pid) => sum + processTicks(pid), 0)
  return () => {
    const seconds = (performance.now() - t0) / 1000
    const others = machineTicks() - m0 - (pids.reduce((sum, pid) => sum + processTicks(pid), 0) - p0)
    return Math.max(0, others / 100 / seconds) // USER_HZ is 100 on Linux
  }
}

const runCost = (scenario, round) => (round === 0 ? CONFIG.firstWarmupMs : CONFIG.warmupMs) + CONFIG.measureMs[scenario.key] + 40
let plannedLeftMs = 0
for (const scenario of SCENARIOS)
  for (let round = 0; round < CONFIG.rounds; round++) plannedLeftMs += rows.length * runCost(scenario, round)

/** One run of one row; returns the run's numbers, or undefined when the row failed. */
async function runOnce(row, scenario, round) {
  const warmupMs = round === 0 ? CONFIG.firstWarmupMs : CONFIG.warmupMs
  const measureMs = CONFIG.measureMs[scenario.key]
  const id = `${row.id}/${scenario.key}/${round}/${performance.now()}`
  const before = await serverCount()
  const probe = loadProbe([process.pid, server.pid, row.child.pid])
  const answer = await ask(
    row.child,
    {
      cmd: 'run',
      id,
      scenario: scenario.key,
      inFlight: scenario.inFlight,
      warmupMs,
      measureMs,
      maxCount: MAX_COUNT,
      check: round === 0,
    },
    (m) => m?.type === 'result' && m.id === id,
    warmupMs + measureMs + RUN_GRACE_MS,
  )
  const otherLoad = probe()
  const after = await serverCount()
  if (answer.type !== 'result') {
    const reason =
      answer.type === 'timeout' ? `no answer within ${(warmupMs + measureMs + RUN_GRACE_MS) / 1000} s (a request hung?)` : answer.error
    row.dead = reason
    row.failed[scenario.key] = reason
    errors.push({ row: row.name, scenario: scenario.title, phase: `round ${round + 1}`, error: reason })
    row.child.kill('SIGKILL')
    return undefined
  }
  if (answer.maxRSS) row.maxRSS = Math.max(row.maxRSS, answer.maxRSS)
  if (answer.error) {
    row.failed[scenario.key] = answer.error
    errors.push({ row: row.name, scenario: scenario.title, phase: `round ${round + 1}`, error: answer.error })
    return undefined
  }
  const served = before !== undefined && after !== undefined ? after - before : undefined
  const expected = scenario.network ? answer.completed : 0
  if (served !== undefined) countsChecked++
  if (served !== undefined && served !== expected) {
    countMismatches.push({ row: row.name, scenario: scenario.key, round: round + 1, client: expected, server: served })
  }
  return {
    round: round + 1,
    count: answer.count,
    elapsedMs: answer.elapsedMs,
    rps: answer.count / (answer.elapsedMs / 1000),
    usPerReq: (answer.elapsedMs * 1000) / answer.count,
    cpuPerReq: answer.cpuUs / answer.count,
    rssPeak: answer.rssPeak,
    latency: answer.latency,
    otherLoad,
  }
}

// JIT warm-up: undici's fetch, for one, needs seconds of traffic before V8 has optimised its hot
// paths (a cold worker spends 4× the CPU per request of a warm one). Before anything is measured,
// every worker drives c=64 GET, c=64 POST and the stub for prewarmMs each (one worker at a time:
// on 2 cores, warming them in parallel would not finish sooner). First answers are checked here.
plannedLeftMs += rows.length * 3 * (CONFIG.prewarmMs + 40)
stage = 'JIT warm-up'
progress(`JIT warm-up: ${CONFIG.prewarmMs} ms each of c64-get, c64-post and stub per worker`)
for (const row of rows) {
  for (const key of ['c64-get', 'c64-post', 'stub']) {
    plannedLeftMs -= CONFIG.prewarmMs + 40
    if (row.dead || row.failed[key]) continue
    const scenario = SCENARIOS.find((sc) => sc.key === key)
    const id = `${row.id}/prewarm/${key}`
    const answer = await ask(
      row.child,
      {
        cmd: 'run',
        id,
        scenario: key,
        inFlight: scenario.inFlight,
        warmupMs: CONFIG.prewarmMs,
        measureMs: 0,
        maxCount: MAX_COUNT,
        check: true,
      },
      (m) => m?.type === 'result' && m.id === id,
      CONFIG.prewarmMs + RUN_GRACE_MS,
    )
    if (answer.type === 'result' && !answer.error) continue
    const reason =
      answer.type === 'timeout' ? `no answer within ${(CONFIG.prewarmMs + RUN_GRACE_MS) / 1000} s (a request hung?)` : answer.error
    row.failed[key] = reason
    errors.push({ row: row.name, scenario: scenario.title, phase: 'JIT warm-up', error: reason })
    if (answer.type !== 'result') {
      row.dead = reason
      row.child.kill('SIGKILL')
    }
  }
}

// Re-runs share what the budget leaves over the plan, evenly per scenario, so a machine that is
// busy all along does not spend it all on the first scenario.
const retryBudgetMs = Object.fromEntries(
  SCENARIOS.map((sc) => [sc.key, Math.max(0, (CONFIG.budgetMs - plannedLeftMs - (performance.now() - started)) / SCENARIOS.length)]),
)

for (const scenario of SCENARIOS) {
  for (let round = 0; round < CONFIG.rounds; round++) {
    stage = `${scenario.key}, round ${round + 1}/${CONFIG.rounds}`
    progress(stage)
    for (const row of rows) {
      plannedLeftMs -= runCost(scenario, round)
      if (row.dead || row.failed[scenario.key]) continue
      let result = await runOnce(row, scenario, round)
      if (result && result.otherLoad > CONTENDED_CORES) {
        const cost = runCost(scenario, round)
        const affordable = retryBudgetMs[scenario.key] >= cost && performance.now() - started + plannedLeftMs + cost < CONFIG.budgetMs
        const entry = { row: row.name, scenario: scenario.key, round: round + 1, cores: result.otherLoad, retried: affordable }
        contended.push(entry)
        if (affordable) {
          retryBudgetMs[scenario.key] -= cost
          progress(`  ${row.name}: ${result.otherLoad.toFixed(2)} cores of other load during the run, running it again`)
          const again = await runOnce(row, scenario, round)
          if (again) {
            // Keep the less disturbed of the two; the other goes to the JSON's discardedRuns.
            const [kept, dropped] = again.otherLoad < result.otherLoad ? [again, result] : [result, again]
            kept.retried = true
            entry.retryCores = again.otherLoad
            row.discarded ??= []
            row.discarded.push({ scenario: scenario.key, ...dropped })
            result = kept
          } else result = undefined
        }
      }
      if (result) row.runs[scenario.key].push(result)
    }
  }
}

// ---- shutting down ----------------------------------------------------------------------------------

stage = 'shutting down'
await Promise.all(
  rows
    .filter((row) => !row.dead && row.child?.connected)
    .map(
      (row) =>
        new Promise((resolve) => {
          const timer = setTimeout(() => {
            row.child.kill('SIGKILL')
            resolve()
          }, 5000)
          row.child.once('exit', () => {
            clearTimeout(timer)
            resolve()
          })
          row.child.send({ cmd: 'exit' })
        }),
    ),
)
// ---- cold start ------------------------------------------------------------------------------------
// A fresh process per row (and per "+ warmup" variant), one at a time: init (import + set-up), then
// its first coldCalls GETs at c=64 with no warm-up. Run after the long-lived workers have gone, so
// the only other process is the (warm) server.

async function coldOnce(target, rowId, warmup, run) {
  const child = spawnWorker()
  try {
    const ready = await ask(
      child,
      { cmd: 'init', rowId, rowSet: RUNTIME ? 'runtime' : 'node', origin, pool: POOL, hardLimitMs: 120_000 },
      (m) => m?.type === 'ready' || m?.type === 'error',
      30_000,
    )
    if (ready.type !== 'ready') throw new Error(ready.error ?? 'no answer to init within 30 s')
    const id = `cold/${rowId}/${run}`
    const answer = await ask(
      child,
      { cmd: 'cold', id, calls: CONFIG.coldCalls, inFlight: 64, warmup },
      (m) => m?.type === 'cold' && m.id === id,
      60_000,
    )
    if (answer.type !== 'cold') throw new Error(answer.error ?? 'no answer within 60 s (a request hung?)')
    if (answer.error) throw new Error(answer.error)
    if (answer.na) target.na = true
    else target.cold.push({ setupMs: ready.setupMs, warmupMs: answer.warmupMs, elapsedMs: answer.elapsedMs, latency: answer.latency })
  } catch (error) {
    target.coldError = String(error?.message ?? error)
    errors.push({ row: target.name, scenario: 'cold start', phase: `run ${run + 1}`, error: target.coldError })
  } finally {
    child.kill('SIGKILL')
  }
}

stage = 'cold start'
progress(`cold start: a new process per row, its first ${CONFIG.coldCalls} GETs at c=64 (${CONFIG.coldRuns} run(s) each)`)
for (let run = 0; run < CONFIG.coldRuns; run++) {
  for (const row of rows) if (!row.coldError) await coldOnce(row, row.id, false, run)
  for (const variant of COLD_WARMUP) if (!variant.coldError && !variant.na) await coldOnce(variant, variant.base, true, run)
}

await new Promise((resolve) => {
  if (server.exitCode !== null || server.signalCode !== null) return resolve()
  const timer = setTimeout(() => {
    server.kill('SIGKILL')
    resolve()
  }, 5000)
  server.once('exit', () => {
    clearTimeout(timer)
    resolve()
  })
  server.kill('SIGTERM')
})

// ---- report -------------------------------------------------------------------------------------------

const { markdown, json, svg } = render({ partial: false })
console.log(markdown)
// --out=DIR writes the results elsewhere.
const outArg = ARGS.out
const outDir = outArg ? new URL(`${outArg.replace(/\/?$/, '/')}`, `file://${process.cwd()}/`) : here('./results/')
mkdirSync(outDir, { recursive: true })
const write = (name, text) => {
  const tmp = new URL(`${name}.tmp`, outDir)
  writeFileSync(tmp, text)
  renameSync(tmp, new URL(name, outDir))
}
write('latest.json', `${JSON.stringify(json, null, 2)}\n`)
write('latest.md', markdown)
write('latest.svg', svg)
process.stderr.write(`wrote ${outArg ?? 'bench/results'}/latest.{json,md,svg} in ${elapsedS()} s total\n`)
clearTimeout(hardLimit)
process.exitCode = errors.length > 0 ? 1 : 0

// ---- rendering ------------------------------------------------------------------------------------------

function fmt(n, digits = 0) {
  if (!Number.isFinite(n)) return '–'
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}
function mb(bytes) {
  return bytes / (1024 * 1024)
}

/** Median numbers of one row in one scenario, or undefined when it has none. */
function stats(row, key) {
  const runs = row.runs[key]
  if (row.failed[key] || runs.length === 0) return undefined
  const rps = runs.map((r) => r.rps)
  const us = runs.map((r) => r.usPerReq)
  const rpsMedian = median(rps)
  return {
    rounds: runs.length,
    rps: rpsMedian,
    rpsMin: Math.min(...rps),
    rpsMax: Math.max(...rps),
    spread: (Math.max(...rps) - Math.min(...rps)) / rpsMedian,
    usPerReq: median(us),
    usMin: Math.min(...us),
    usMax: Math.max(...us),
    cpuPerReq: median(runs.map((r) => r.cpuPerReq)),
    rssPeakMB: mb(Math.max(...runs.map((r) => r.rssPeak))),
    // Latency (ms) of the c=64 scenarios: each percentile's median over rounds.
    ...Object.fromEntries(['p50', 'p99', 'p999'].map((p) => [p, median(runs.map((r) => r.latency?.[p]).filter(Number.isFinite))])),
  }
}

/** A cold-start row's medians over its fresh processes (ms), or undefined. */
function coldStats(target) {
  if (target.cold.length === 0) return undefined
  const m = (f) => median(target.cold.map(f).filter(Number.isFinite))
  return {
    processes: target.cold.length,
    p50: m((c) => c.latency.p50),
    p99: m((c) => c.latency.p99),
    p999: m((c) => c.latency.p999),
    burstMs: m((c) => c.elapsedMs),
    setupMs: m((c) => c.setupMs),
    warmupMs: m((c) => c.warmupMs),
  }
}

function render({ partial }) {
  const all = Object.fromEntries(rows.map((r) => [r.id, Object.fromEntries(SCENARIOS.map((s) => [s.key, stats(r, s.key)]))]))
  /** Median req/s of row `id` ÷ the reference row's (REFS[0] unless named). */
  const ratio = (id, key, refId = REFS[0].id) => {
    const ref = all[refId]?.[key]
    const own = all[id]?.[key]
    return ref && own ? own.rps / ref.rps : Number.NaN
  }
  const refCells = (id, key) => REFS.map((ref) => (id === ref.id ? '1.00×' : `${fmt(ratio(id, key, ref.id), 2)}×`)).join(' | ')
  const lines = []
  const out = (line = '') => lines.push(line)

  out(`# fetchline benchmark — ${LINE}${partial ? ' (PARTIAL: the run was cut short by the safety timer)' : ''}`)
  out()
  out(
    `- ${CONFIG.mode} mode: ${CONFIG.rounds} interleaved rounds per scenario; measured ${Object.entries(CONFIG.measureMs)
      .map(([k, v]) => `${k} ${v} ms`)
      .join(
        ', ',
      )}; after a JIT warm-up of ${CONFIG.prewarmMs} ms × (c64-get, c64-post, stub) per worker, each run warms up ${CONFIG.firstWarmupMs} ms in round 1, ${CONFIG.warmupMs} ms after`,
  )
  out(
    RUNTIME
      ? `- clients on ${LINE} (workers over stdin/stdout), the server on Node ${process.version}; ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? '?'})`
      : `- Node ${process.version} (${process.platform} ${process.arch}), ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? '?'}), every process started with --no-memory-reducer`,
  )
  out(
    `- undici ${versions.undici}, ofetch ${versions.ofetch}, ky ${versions.ky}, got ${versions.got}, axios ${versions.axios}, consola ${versions.consola}, fetchline ${versions.fetchline} (dist/), Node's bundled undici ${versions.nodeBundledUndici}`,
  )
  out(
    `- server: node:http in its own process on 127.0.0.1; each client in its own worker process; pools of 64 keep-alive connections (keepAliveTimeout 30 s / http.Agent keepAlive maxSockets 64)`,
  )
  out(
    `- req/s and CPU µs/req are medians over rounds (CPU = the client process's user+system time in the measured window ÷ requests); ${REFS.map((r) => `"${r.label}"`).join(' and ')} = median req/s ÷ that row's median; peak RSS = highest RSS sampled during the scenario's runs`,
  )
  {
    const loads = rows.flatMap((row) => SCENARIOS.flatMap((sc) => row.runs[sc.key].map((r) => r.otherLoad))).filter(Number.isFinite)
    if (loads.length > 0 && median(loads) > CONTENDED_CORES) {
      out(
        `- ⚠ the machine was busy with other work: other processes used a median ${fmt(median(loads), 2)} of the ${os.availableParallelism()} cores during the kept runs (see Notes); throughput numbers are depressed and noisy, CPU µs/req is the steadier measure`,
      )
    }
  }

  const refHeads = REFS.map((r) => r.label).join(' | ')
  const refAligns = REFS.map(() => '---:').join(' | ')
  for (const scenario of SCENARIOS) {
    out()
    out(`## ${scenario.title}`)
    out()
    const stub = scenario.key === 'stub'
    const latency = scenario.inFlight > 1 && scenario.network
    if (stub) {
      out(`| client | µs/req (median) | µs/req min–max | req/s | ${refHeads} | CPU µs/req | peak RSS MB |`)
      out(`| --- | ---: | ---: | ---: | ${refAligns} | ---: | ---: |`)
    } else {
      out(
        `| client | req/s (median) | req/s min–max | ${refHeads} | CPU µs/req |${latency ? ' p50 ms | p99 ms | p99.9 ms |' : ''} peak RSS MB |`,
      )
      out(`| --- | ---: | ---: | ${refAligns} | ---: |${latency ? ' ---: | ---: | ---: |' : ''} ---: |`)
    }
    for (const row of rows) {
      const s = all[row.id][scenario.key]
      if (!s) {
        const why = row.failed[scenario.key] || row.dead ? 'failed' : 'no data'
        const cells = 3 + REFS.length + (stub ? 2 : 1) + (latency ? 3 : 0)
        out(`| ${row.name} | ${why} |${' – |'.repeat(cells - 1)}`)
        continue
      }
      const flag = s.spread > HIGH_SPREAD ? ' ⚠' : ''
      if (stub) {
        out(
          `| ${row.name} | ${fmt(s.usPerReq, 2)} | ${fmt(s.usMin, 2)}–${fmt(s.usMax, 2)}${flag} | ${fmt(s.rps)} | ${refCells(row.id, scenario.key)} | ${fmt(s.cpuPerReq, 2)} | ${fmt(s.rssPeakMB, 1)} |`,
        )
      } else {
        const lat = latency ? ` ${fmt(s.p50, 2)} | ${fmt(s.p99, 2)} | ${fmt(s.p999, 2)} |` : ''
        out(
          `| ${row.name} | ${fmt(s.rps)} | ${fmt(s.rpsMin)}–${fmt(s.rpsMax)}${flag} | ${refCells(row.id, scenario.key)} | ${fmt(s.cpuPerReq, 1)} |${lat} ${fmt(s.rssPeakMB, 1)} |`,
        )
      }
    }
  }

  const cold = [...rows, ...COLD_WARMUP].map((t) => ({ id: t.id, name: t.name, na: Boolean(t.na), error: t.coldError, ...coldStats(t) }))
  out()
  out(`## Cold start: a new process's first ${CONFIG.coldCalls} GETs at c=64`)
  out()
  out(`Each from a fresh process (import, set-up, no warm-up), median of ${CONFIG.coldRuns} process(es); the server is warm.`)
  out()
  out('| client | p50 ms | p99 ms | p99.9 ms | burst ms | set-up ms | warmup() ms |')
  out('| --- | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const c of cold) {
    if (c.na) out(`| ${c.name} | n/a (no client.warmup) | – | – | – | – | – |`)
    else if (c.processes === undefined) out(`| ${c.name} | ${c.error ? 'failed' : 'no data'} | – | – | – | – | – |`)
    else {
      out(
        `| ${c.name} | ${fmt(c.p50, 1)} | ${fmt(c.p99, 1)} | ${fmt(c.p999, 1)} | ${fmt(c.burstMs)} | ${fmt(c.setupMs)} | ${Number.isFinite(c.warmupMs) ? fmt(c.warmupMs, 1) : '–'} |`,
      )
    }
  }

  out()
  out('## Memory per client process')
  out()
  out('| client | RSS after set-up MB | peak RSS (maxRSS, whole run) MB |')
  out('| --- | ---: | ---: |')
  for (const row of rows) {
    out(`| ${row.name} | ${fmt(row.initRSS ? mb(row.initRSS) : Number.NaN, 1)} | ${fmt(row.maxRSS ? mb(row.maxRSS) : Number.NaN, 1)} |`)
  }

  out()
  out('Targets: this harness judges none; `npm run bench:targets` does (a process per client, 95% intervals).')

  // ---- oddities
  const notes = []
  for (const e of errors) notes.push(`ERROR ${e.row} — ${e.scenario} (${e.phase}): ${String(e.error).split('\n')[0]}`)
  for (const m of countMismatches) {
    notes.push(`server count mismatch: ${m.row}, ${m.scenario} round ${m.round}: client completed ${m.client}, server answered ${m.server}`)
  }
  for (const row of rows) {
    for (const scenario of SCENARIOS) {
      const st = all[row.id][scenario.key]
      if (st && st.spread > HIGH_SPREAD) {
        notes.push(
          `high variance (⚠): ${row.name}, ${scenario.key}: req/s ${fmt(st.rpsMin)}–${fmt(st.rpsMax)} around a median of ${fmt(st.rps)} (${fmt(st.spread * 100)}%)`,
        )
      }
    }
  }
  notes.push(
    `server-side request count cross-check: ${countsChecked} runs checked, ${countMismatches.length} mismatch(es) (a mismatch = hidden retries or lost requests; stub runs must not reach the server)`,
  )
  const loads = rows.flatMap((row) => SCENARIOS.flatMap((sc) => row.runs[sc.key].map((r) => r.otherLoad))).filter(Number.isFinite)
  if (loads.length > 0) {
    notes.push(
      `other processes' CPU during the kept runs: median ${fmt(median(loads), 2)} cores, max ${fmt(Math.max(...loads), 2)} (${CONTENDED_CORES} triggers a re-run)`,
    )
  }
  if (contended.length > 0) {
    const perScenario = SCENARIOS.map((sc) => {
      const these = contended.filter((c) => c.scenario === sc.key)
      const total = rows.reduce((n, row) => n + row.runs[sc.key].length, 0)
      return `${sc.key} ${these.length}/${total} (${these.filter((c) => c.retried).length} re-run)`
    })
    notes.push(
      `runs with more than ${CONTENDED_CORES} cores of other load: ${perScenario.join(', ')}; a re-run keeps the less disturbed of its two runs (details in latest.json: contended, discardedRuns)`,
    )
  }
  out()
  out('## Notes')
  out()
  for (const n of notes) out(`- ${n}`)

  out()
  out('## Rows')
  out()
  for (const row of rows) out(`- **${row.name}**: ${row.def.note}`)

  if (errors.length > 0) {
    out()
    out('## Errors')
    for (const e of errors) {
      out()
      out(`### ${e.row} — ${e.scenario} (${e.phase})`)
      out()
      out('```')
      out(String(e.error))
      out('```')
    }
  }
  out()
  out(`Total run time: ${elapsedS()} s`)

  const json = {
    mode: CONFIG.mode,
    partial,
    date: new Date().toISOString(),
    totalSeconds: Number(elapsedS()),
    line: LINE,
    runtime: RUNTIME ?? 'node',
    references: REFS,
    environment: {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cores: os.availableParallelism(),
      cpu: os.cpus()[0]?.model,
    },
    versions,
    config: { ...CONFIG, pool: POOL, maxCount: MAX_COUNT },
    scenarios: SCENARIOS,
    rows: rows.map((row) => ({
      id: row.id,
      name: row.name,
      note: row.def.note,
      fetchline: row.fetchline,
      initRSS: row.initRSS,
      maxRSS: row.maxRSS || undefined,
      dead: row.dead,
      failed: row.failed,
      discardedRuns: row.discarded ?? [],
      scenarios: Object.fromEntries(
        SCENARIOS.map((sc) => [
          sc.key,
          {
            summary: all[row.id][sc.key] ?? null,
            ratios: Object.fromEntries(REFS.map((ref) => [ref.id, ratio(row.id, sc.key, ref.id)])),
            runs: row.runs[sc.key],
          },
        ]),
      ),
    })),
    cold: cold.map((c) => ({ ...c, runs: [...rows, ...COLD_WARMUP].find((t) => t.id === c.id).cold })),
    contended,
    countMismatches,
    errors,
  }
  return { markdown: `${lines.join('\n')}\n`, json, svg: chart(all, ratio) }
}

function escapeXML(text) {
  return String(text).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c])
}

/** Horizontal bars of × undici.request for the c=64 GET and POST scenarios. */
function chart(all, ratio) {
  const panels = SCENARIOS.filter((s) => s.key === 'c64-get' || s.key === 'c64-post')
  const labelW = 290
  const barW = 470
  const valueW = 110
  const width = labelW + barW + valueW + 20
  const barH = 18
  const gap = 6
  const panelTop = 34
  const panelH = panelTop + rows.length * (barH + gap) + 28
  const height = 46 + panels.length * panelH
  let maxRatio = 1
  for (const p of panels)
    for (const row of rows) if (Number.isFinite(ratio(row.id, p.key))) maxRatio = Math.max(maxRatio, ratio(row.id, p.key))
  const scaleMax = Math.ceil(maxRatio * 4) / 4
  const x = (v) => labelW + (v / scaleMax) * barW
  const parts = []
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`,
  )
  parts.push(`<rect width="100%" height="100%" fill="#ffffff"/>`)
  parts.push(
    `<text x="10" y="22" font-size="15" font-weight="600">Throughput relative to ${escapeXML(REFS[0].label.slice(2))} (${escapeXML(CONFIG.mode)} run, ${escapeXML(LINE)}, median of ${CONFIG.rounds} rounds)</text>`,
  )
  parts.push(
    `<text x="10" y="38" font-size="11" fill="#6b7280">dashed line: ${escapeXML(REFS[0].label.slice(2))} (1.00×) · blue: fetchline rows · label: ${escapeXML(REFS[0].label)} and median req/s · each client in its own process, server in another</text>`,
  )
  panels.forEach((panel, pi) => {
    const top = 46 + pi * panelH
    parts.push(`<text x="10" y="${top + 16}" font-size="13" font-weight="600">${escapeXML(panel.title)}</text>`)
    const barsTop = top + panelTop
    const barsBottom = barsTop + rows.length * (barH + gap)
    for (let t = 0; t <= scaleMax + 1e-9; t += 0.25) {
      const gx = x(t).toFixed(1)
      parts.push(
        `<line x1="${gx}" y1="${barsTop - 4}" x2="${gx}" y2="${barsBottom}" stroke="${Math.abs(t - 1) < 1e-9 ? '#111827' : '#e5e7eb'}" stroke-width="${Math.abs(t - 1) < 1e-9 ? 1.5 : 1}"${Math.abs(t - 1) < 1e-9 ? ' stroke-dasharray="4 3"' : ''}/>`,
      )
      parts.push(`<text x="${gx}" y="${barsBottom + 14}" text-anchor="middle" fill="#6b7280" font-size="11">${t.toFixed(2)}×</text>`)
    }
    rows.forEach((row, i) => {
      const y = barsTop + i * (barH + gap)
      const r = ratio(row.id, panel.key)
      const color = row.id === REFS[0].id ? '#374151' : row.fetchline ? '#2563eb' : '#9ca3af'
      parts.push(`<text x="${labelW - 8}" y="${y + barH - 5}" text-anchor="end" fill="#111827">${escapeXML(row.name)}</text>`)
      if (!Number.isFinite(r)) {
        parts.push(`<text x="${labelW + 4}" y="${y + barH - 5}" fill="#b91c1c">failed / no data</text>`)
        return
      }
      const w = Math.max(1, x(r) - labelW)
      const rps = all[row.id][panel.key]?.rps
      parts.push(
        `<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${color}" rx="2"><title>${escapeXML(`${row.name}: ${fmt(rps)} req/s, ${r.toFixed(2)}${REFS[0].label}`)}</title></rect>`,
      )
      parts.push(
        `<text x="${(labelW + w + 6).toFixed(1)}" y="${y + barH - 5}" fill="#111827">${r.toFixed(2)}× <tspan fill="#6b7280" font-size="10">${escapeXML(fmt(rps))}/s</tspan></text>`,
      )
    })
  })
  parts.push('</svg>')
  return `${parts.join('\n')}\n`
}
