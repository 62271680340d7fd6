// A/B driver for profiling the request path: several clients in ONE process, run in turn
// (the order rotates each round), each for a fixed time, against bench/server.mjs (its own
// process) or the stub Dispatcher of bench/rows.mjs. Prints, per client, the median over rounds of
// CPU µs per request (process.cpuUsage deltas: this process only, the server is another) and of
// requests per second, and each median as a ratio of the first client's.
//
//   node --no-memory-reducer bench/profile/drive.mjs --scenario=c64-get \
//     --clients=ref:undici-request,old:fl-undici-full@/tmp/flold,new:fl-undici-full [--rounds=7] [--ms=800]
//
// A client is label:rowId[@dir]: a row of bench/rows.mjs, or for the fetchline rows (fl-*) a
// build to load: `dir` holds package.json, dist/ and node_modules (default: this worktree), so an
// old build (git worktree of another commit, built) runs against the new one in the same minute.
// Scenarios: c64-get, c64-post (64 in flight), seq-get (1), stub (1, the stub Dispatcher), stub64
// (64 in flight on the stub: what concurrency does to the request path, without socket noise).
// Under --cpu-prof / --heap-prof only the label given as --only runs (after a warm-up).
import { fork } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { constants, PerformanceObserver } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { isDeepStrictEqual } from 'node:util'
import { createStubDispatcher, GET_BODY, PAYLOAD, ROWS } from '../rows.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback
const scenario = arg('scenario', 'c64-get')
const rounds = Number(arg('rounds', 7))
const ms = Number(arg('ms', 800))
const warmMs = Number(arg('warm', 1500))
const only = arg('only', undefined)
const POOL = { connections: 64, keepAliveTimeout: 30_000 }
const STUB_PATH = '/stub/json'

/** A fetchline row loaded from the build in `dir` (mirrors fetchlineRow in bench/rows.mjs). */
async function fetchlineRow(dir, origin, id) {
  const core = id.startsWith('fl-undici') ? 'undici' : 'fetch'
  // fl-undici-full, or fl-undici-full-no=log+trace: recommended() without the named middleware.
  const full = id.includes('-full')
  const without = Object.fromEntries((id.split('-no=')[1]?.split('+') ?? []).map((name) => [name, false]))
  const { createClient, recommended } = await import(pathToFileURL(resolve(dir, 'dist/index.js')).href)
  const { createConsola } = await import('consola')
  const logger = createConsola({ level: 3, reporters: [{ log() {} }] })
  const mw = () => (full ? { middleware: recommended({ log: { logger }, ...without }) } : {})
  const client = createClient({ baseURL: origin, core, pool: { ...POOL }, ...mw() })
  const stub = await createStubDispatcher()
  const stubClient = createClient({ baseURL: origin, core, pool: { factory: () => stub }, ...mw() })
  return {
    get: async () => (await client.get('/json')).data,
    post: async (payload) => (await client.post('/echo', { json: payload })).data,
    stub: async () => (await stubClient.get(STUB_PATH)).data,
  }
}

/**
 * Raw dispatch rows, to take the request path apart: `raw-new` (Dispatcher.dispatch with a minimal
 * buffering handler of the controller API + JSON.parse: the floor), `raw-legacy` (the same handler
 * in the legacy onConnect/onHeaders API, as undici.request's is), `-hdrs` sending fetchline's two
 * default headers, `-timer` arming and clearing a 30 s setTimeout per request.
 */
async function rawRow(id, origin) {
  const { Agent } = await import('undici')
  const agent = new Agent({ ...POOL })
  const headers = id.includes('-hdrs') ? ['accept', 'application/json, text/plain, */*', 'user-agent', 'fetchline'] : undefined
  const timer = id.includes('-timer')
  const legacy = id.startsWith('raw-legacy')
  const run = (path, method, body) =>
    new Promise((resolve, reject) => {
      const chunks = []
      const t = timer ? setTimeout(() => {}, 30_000) : undefined
      const done = () => {
        clearTimeout(t)
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
        } catch (e) {
          reject(e)
        }
      }
      const fail = (e) => (clearTimeout(t), reject(e))
      const handler = legacy
        ? { onConnect() {}, onHeaders: () => true, onData: (c) => (chunks.push(c), true), onComplete: done, onError: fail }
        : {
            onRequestStart() {},
            onResponseStart() {},
            onResponseData: (_, c) => chunks.push(c),
            onResponseEnd: done,
            onResponseError: (_, e) => fail(e),
          }
      const h = body ? [...(headers ?? []), 'content-type', 'application/json'] : headers
      agent.dispatch({ origin, path, method, headers: h, body: body ?? null }, handler)
    })
  return {
    get: () => run('/json', 'GET'),
    post: (payload) => run('/echo', 'POST', JSON.stringify(payload)),
    stub: () => Promise.reject(new Error('no stub for raw rows')),
  }
}

async function setup(spec, origin) {
  const [label, rest] = spec.split(':')
  const [id, dir] = rest.split('@')
  if (id.startsWith('raw-')) return { label, ...(await rawRow(id, origin)) }
  if (id.startsWith('fl-')) return { label, ...(await fetchlineRow(dir ?? resolve(here, '../..'), origin, id)) }
  const row = ROWS.find((r) => r.id === id)
  if (!row) throw new Error(`no row ${id}`)
  const c = await row.setup({ origin, pool: { ...POOL } })
  const stub = await c.stubSetup()
  return { label, get: c.get, post: c.post, stub }
}

function fnOf(client) {
  if (scenario === 'c64-post') return [() => client.post(PAYLOAD), PAYLOAD, 64]
  if (scenario === 'stub') return [client.stub, GET_BODY, 1]
  if (scenario === 'stub64') return [client.stub, GET_BODY, 64]
  return [client.get, GET_BODY, scenario === 'seq-get' ? 1 : 64]
}

async function drive(client, time) {
  const [fn, expected, inFlight] = fnOf(client)
  if (!isDeepStrictEqual(await fn(), expected)) throw new Error(`${client.label}: unexpected answer`)
  const yieldEvery = scenario.startsWith('stub') ? 32 : 0
  let count = 0
  const deadline = performance.now() + time
  const loop = async () => {
    while (performance.now() < deadline) {
      await fn()
      count++
      if (yieldEvery && count % yieldEvery === 0) await new Promise(setImmediate)
    }
  }
  const gc = { minor: 0, major: 0, ms: 0 }
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.ms += e.duration
      if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.minor++
      else gc.major++
    }
  })
  observer.observe({ entryTypes: ['gc'] })
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await Promise.all(Array.from({ length: inFlight }, loop))
  const elapsed = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  await new Promise(setImmediate) // the last GC entries
  observer.disconnect()
  return {
    rps: (count * 1000) / elapsed,
    cpu: (cpu.user + cpu.system) / count,
    count,
    maxRSS: process.resourceUsage().maxRSS / 1024,
    // GC in the window: scavenges and mark-compacts per 1,000 requests, and GC pause µs a request.
    gc: { minorPer1k: (gc.minor * 1000) / count, majorPer1k: (gc.major * 1000) / count, usPerReq: (gc.ms * 1000) / count },
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

const server = fork(resolve(here, '../server.mjs'), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
const port = await new Promise((ok) => server.once('message', (m) => ok(m.port)))
// --pin: the server on CPU 1, this process on CPU 0 (Linux, taskset), so the scheduler cannot put
// both on one core for part of a run: on a 2-core machine that placement is the largest noise.
if (process.argv.includes('--pin')) {
  const { execFileSync } = await import('node:child_process')
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '1', String(server.pid)], { stdio: 'ignore' })
    execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' })
  } catch (error) {
    process.stderr.write(`--pin: taskset failed (${error.message.split('\n')[0]}); running unpinned\n`)
  }
}
const origin = `http://127.0.0.1:${port}`
try {
  // With --only, only that client is set up: a process per client loads no other library.
  const specs = arg('clients', 'new:fl-undici-full')
    .split(',')
    .filter((spec) => !only || spec.split(':')[0] === only)
  if (specs.length === 0) throw new Error(`--only=${only}: no such label in --clients`)
  const active = []
  for (const spec of specs) active.push(await setup(spec, origin))
  for (const c of active) await drive(c, warmMs)
  const results = new Map(active.map((c) => [c.label, []]))
  const alloc = arg('alloc', undefined)
  const session = alloc ? await startAllocationSampling() : undefined
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < active.length; i++) {
      const c = active[(i + r) % active.length]
      results.get(c.label).push(await drive(c, ms))
    }
  }
  if (session) await writeAllocationProfile(session, alloc, results)
  if (process.argv.includes('--spaces')) {
    // What the heap holds at the end, per V8 space (MB committed): where a peak-RSS difference lives.
    const { getHeapSpaceStatistics } = await import('node:v8')
    const spaces = getHeapSpaceStatistics().map((x) => `${x.space_name} ${(x.physical_space_size / 2 ** 20).toFixed(1)}`)
    process.stderr.write(`${spaces.join(', ')}; rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(1)}\n`)
  }
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(Object.fromEntries(results)))
    process.exitCode = 0
  } else printTable(results, active)
} finally {
  server.kill()
  // Pools stay open otherwise (keep-alive sockets), and the CPU profile is written at exit.
  setTimeout(() => process.exit(0), 50)
}

/**
 * --alloc=FILE: every allocation sampled over the measured rounds, collected objects included
 * (node --heap-prof keeps only what is still alive at exit), written as a .heapprofile.
 */
async function startAllocationSampling() {
  const { Session } = await import('node:inspector/promises')
  const session = new Session()
  session.connect()
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 1024,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  })
  return session
}

async function writeAllocationProfile(session, file, results) {
  const { profile } = await session.post('HeapProfiler.stopSampling')
  const { writeFileSync } = await import('node:fs')
  writeFileSync(file, JSON.stringify(profile))
  const count = [...results.values()].flat().reduce((sum, x) => sum + x.count, 0)
  console.log(`wrote ${file}: ${count} requests (heap-top.mjs --per=${count})`)
}

function printTable(results, active) {
  const base = results.get(active[0].label)
  const [baseCpu, baseRps] = [median(base.map((x) => x.cpu)), median(base.map((x) => x.rps))]
  console.log(`node ${process.version} ${scenario}, ${rounds} rounds × ${ms} ms, medians (ratios to ${active[0].label})`)
  console.log('| client | CPU µs/req | × | req/s | × |')
  console.log('| --- | ---: | ---: | ---: | ---: |')
  for (const [label, rs] of results) {
    const cpu = median(rs.map((x) => x.cpu))
    const rps = median(rs.map((x) => x.rps))
    const total = rs.reduce((sum, x) => sum + x.count, 0)
    console.log(
      `| ${label} (${total} requests measured) | ${cpu.toFixed(1)} | ${(cpu / baseCpu).toFixed(2)} | ${rps.toFixed(0)} | ${(rps / baseRps).toFixed(2)} |`,
    )
  }
}
