// The cache fleet: N processes, each a client with cache() over one Redis store, calling one
// vendor resource for a while; counts what reaches the vendor. One resource with max-age=2 and an
// ETag that never changes, so the fleet must make exactly one full request (200) in the whole run,
// one request for a burst of every process at a cold cache (the fleet lock), and about one
// revalidation (304) per 2-second freshness lifetime, however many processes call.
//
//   REDIS_URL=redis://127.0.0.1:6379 node --import tsx test/cache-fleet/run.ts [--seconds=60] [--processes=8]
//     [--concurrency=4] [--pause=5] [--out=cache-fleet.json]
//
// Exits 1 when a figure is off (each failure said on stderr), 2 when it cannot run.
import { type ChildProcess, fork } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Redis } from 'ioredis'
import type { FromWorker, Tally, ToWorker, WorkerConfig } from './worker.js'

const PATH = '/repos/octo/hello'
const MAX_AGE = 2 // seconds: the freshness lifetime, and the width of a counting window
const VENDOR_DELAY = 30 // ms the vendor takes per answer, so concurrent callers really overlap
const SLACK = 2 // revalidations beyond one per lifetime, for the windows at the run's two ends

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]))
const known = ['seconds', 'processes', 'concurrency', 'pause', 'out']
for (const name of Object.keys(args))
  if (!known.includes(name)) fail(2, `unknown option --${name}; known: ${known.map((k) => `--${k}`).join(' ')}`)
const seconds = whole('seconds', 60)
const processes = whole('processes', 8)
const concurrency = whole('concurrency', 4)
const pauseMs = whole('pause', 5, 0)
const out = args.out
const redisUrl = process.env.REDIS_URL
if (!redisUrl) fail(2, 'REDIS_URL is not set: the fleet shares its cache through Redis (e.g. REDIS_URL=redis://127.0.0.1:6379)')

function whole(name: string, fallback: number, min = 1): number {
  const value = args[name] === undefined ? fallback : Number(args[name])
  if (!Number.isInteger(value) || value < min) fail(2, `--${name} must be a whole number >= ${min}, got ${args[name]}`)
  return value
}

function fail(code: number, message: string): never {
  console.error(`cache-fleet: ${message}`)
  process.exit(code)
}

/** The vendor: one resource, its ETag constant for the run, 304 to a matching If-None-Match. */
function startVendor(token: string) {
  const version = 1
  const etag = `"hello-v${version}"`
  const body = JSON.stringify({ full_name: 'octo/hello', version, padding: 'x'.repeat(2_000) })
  const hits: Array<{ at: number; status: number }> = []
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const status =
      req.url !== PATH ? 404 : req.headers.authorization !== `Bearer ${token}` ? 401 : req.headers['if-none-match'] === etag ? 304 : 200
    hits.push({ at: Date.now(), status })
    const headers = { 'cache-control': `private, max-age=${MAX_AGE}`, etag, 'content-type': 'application/json' }
    setTimeout(() => (status === 200 ? res.writeHead(200, headers).end(body) : res.writeHead(status, headers).end()), VENDOR_DELAY)
  })
  return {
    version,
    hits,
    listen: () =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
      ),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

type Worker = { child: ChildProcess; next(type: FromWorker['type']): Promise<FromWorker>; warnings: string[] }

function startWorker(config: WorkerConfig): Promise<Worker> {
  const child = fork(new URL('./worker.ts', import.meta.url), [JSON.stringify(config)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const inbox: FromWorker[] = []
  const waiting: Array<{ type: FromWorker['type']; resolve(m: FromWorker): void; reject(e: Error): void }> = []
  const warnings: string[] = []
  child.on('message', (m: FromWorker) => {
    if (m.type === 'warn') return void warnings.push(m.message)
    const w = waiting.findIndex((x) => x.type === m.type)
    if (w >= 0) waiting.splice(w, 1)[0]?.resolve(m)
    else inbox.push(m)
  })
  child.once('exit', (code, signal) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`worker ${child.pid} exited (${code ?? signal}) before its '${w.type}'`))
  })
  const worker: Worker = {
    child,
    warnings,
    next: (type) => {
      const i = inbox.findIndex((m) => m.type === type)
      if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0] as FromWorker)
      if (child.exitCode !== null || child.signalCode !== null) return Promise.reject(new Error(`worker ${child.pid} is gone`))
      return new Promise((resolve, reject) => waiting.push({ type, resolve, reject }))
    },
  }
  return worker.next('ready').then(() => worker)
}

async function phase(workers: Worker[], message: ToWorker & { type: 'burst' | 'steady' }): Promise<Tally> {
  for (const w of workers) w.child.send(message)
  const tallies = await Promise.all(workers.map(async (w) => ((await w.next(message.type)) as { tally: Tally }).tally))
  return tallies.reduce((sum, t) => ({
    calls: sum.calls + t.calls,
    hit: sum.hit + t.hit,
    revalidated: sum.revalidated + t.revalidated,
    stale: sum.stale + t.stale,
    miss: sum.miss + t.miss,
    uncached: sum.uncached + t.uncached,
    errors: [...sum.errors, ...t.errors],
  }))
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    if (keys.length > 0) await redis.del(...keys)
    cursor = next
  } while (cursor !== '0')
}

const count = (hits: Array<{ status: number }>, status: number): number => hits.filter((h) => h.status === status).length

async function main(): Promise<number> {
  const token = 'fleet-token-0123456789'
  const vendor = startVendor(token)
  const baseURL = await vendor.listen()
  const redis = new Redis(redisUrl as string, { lazyConnect: true, maxRetriesPerRequest: 1 })
  redis.on('error', () => {}) // said once, below
  try {
    await redis.connect()
    await redis.ping()
  } catch (error) {
    redis.disconnect()
    await vendor.close()
    fail(2, `cannot reach Redis at REDIS_URL (${(error as Error)?.message ?? error})`)
  }
  const prefix = `cache-fleet:${process.pid}:`
  const config: WorkerConfig = {
    redisUrl: redisUrl as string,
    prefix,
    baseURL,
    path: PATH,
    token,
    secret: 'fleet-deployment-secret-0123456789',
    version: vendor.version,
    concurrency,
    pauseMs,
  }
  const workers: Worker[] = []
  try {
    await deleteKeys(redis, prefix) // a cold cache
    const started = Date.now()
    workers.push(...(await Promise.all(Array.from({ length: processes }, () => startWorker(config)))))
    console.info(`cache-fleet: ${processes} processes up in ${((Date.now() - started) / 1000).toFixed(1)} s; vendor ${baseURL}`)

    // Burst: every process's callers at once, at one instant, at a cold cache.
    const burstAt = Date.now() + 300
    const burst = await phase(workers, { type: 'burst', at: burstAt })
    const burstHits = vendor.hits.length

    // Steady: every caller in a loop for `seconds`, while the one entry goes stale every 2 s.
    const steadyFrom = Date.now()
    const steady = await phase(workers, { type: 'steady', until: steadyFrom + seconds * 1000 })
    const steadyHits = vendor.hits.slice(burstHits)
    const windows = Array.from({ length: Math.ceil(seconds / MAX_AGE) }, (_, i) => {
      const inWindow = steadyHits.filter((h) => Math.floor((h.at - steadyFrom) / (MAX_AGE * 1000)) === i)
      return { from: i * MAX_AGE, full: count(inWindow, 200), notModified: count(inWindow, 304) }
    })
    const beyond = steadyHits.filter((h) => h.at - steadyFrom >= windows.length * MAX_AGE * 1000)
    if (beyond.length > 0 && windows.length > 0) {
      const last = windows[windows.length - 1] as (typeof windows)[number]
      last.full += count(beyond, 200) // calls that started before the end and reached the vendor just after
      last.notModified += count(beyond, 304)
    }

    const vendor200 = count(vendor.hits, 200)
    const vendor304 = count(vendor.hits, 304)
    const others = vendor.hits.length - vendor200 - vendor304
    const maxRevalidations = Math.ceil(seconds / MAX_AGE) + SLACK
    const summary = {
      seconds,
      processes,
      concurrency,
      calls: burst.calls + steady.calls,
      vendor: { requests: vendor.hits.length, full200: vendor200, notModified304: vendor304, other: others },
      burst: {
        calls: burst.calls,
        vendorRequests: burstHits,
        hit: burst.hit,
        revalidated: burst.revalidated,
        stale: burst.stale,
        miss: burst.miss,
      },
      steady: {
        calls: steady.calls,
        vendor200: count(steadyHits, 200),
        vendor304: count(steadyHits, 304),
        hit: steady.hit,
        revalidated: steady.revalidated,
        stale: steady.stale,
        miss: steady.miss,
        uncached: steady.uncached,
      },
      cache: {
        hit: burst.hit + steady.hit,
        revalidated: burst.revalidated + steady.revalidated,
        stale: burst.stale + steady.stale,
        miss: burst.miss + steady.miss,
      },
      windows,
      maxRevalidations,
      redisWarnings: workers.flatMap((w) => w.warnings),
      errors: [...burst.errors, ...steady.errors].slice(0, 20),
    }
    const failures = [
      vendor200 !== 1 && `the vendor sent ${vendor200} full answers (200); expected exactly 1 for the whole run`,
      burstHits !== 1 && `the cold burst of ${burst.calls} calls reached the vendor ${burstHits} times; expected 1 (the fleet lock)`,
      vendor304 > maxRevalidations &&
        `${vendor304} revalidations (304) in ${seconds} s; expected at most ${maxRevalidations} (one per ${MAX_AGE} s + ${SLACK})`,
      // Not a bound of the design (a loaded machine spaces revalidations a little more): a cache
      // that never lets its entry go stale would pass every other check.
      vendor304 < Math.floor(seconds / MAX_AGE / 2) && `only ${vendor304} revalidations in ${seconds} s: does the entry ever go stale?`,
      others > 0 && `the vendor answered ${others} requests with neither 200 nor 304`,
      summary.errors.length > 0 && `calls failed: ${summary.errors.join(' | ')}`,
      burst.uncached + steady.uncached > 0 && `${burst.uncached + steady.uncached} calls came back without response.cache`,
      steady.miss > 0 && `${steady.miss} steady-phase calls were misses`,
      summary.redisWarnings.length > 0 && `Redis warnings: ${summary.redisWarnings.join(' | ')}`,
    ].filter((f): f is string => typeof f === 'string')
    print(summary)
    if (out) writeFileSync(out, `${JSON.stringify({ ...summary, ok: failures.length === 0, failures }, null, 2)}\n`)
    for (const f of failures) console.error(`cache-fleet: FAIL ${f}`)
    if (failures.length === 0) console.info('cache-fleet: ok')
    return failures.length === 0 ? 0 : 1
  } finally {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.child.exitCode !== null || w.child.signalCode !== null) return resolve()
            const kill = setTimeout(() => w.child.kill('SIGKILL'), 5_000)
            w.child.once('exit', () => (clearTimeout(kill), resolve()))
            w.child.send({ type: 'exit' } satisfies ToWorker)
          }),
      ),
    )
    await deleteKeys(redis, prefix).catch(() => undefined)
    redis.disconnect()
    await vendor.close()
  }
}

function print(s: {
  seconds: number
  processes: number
  calls: number
  vendor: { full200: number; notModified304: number }
  burst: { calls: number; vendorRequests: number }
  cache: { hit: number; revalidated: number; stale: number; miss: number }
  windows: Array<{ from: number; full: number; notModified: number }>
  maxRevalidations: number
}): void {
  const rows: Array<[string, string | number]> = [
    ['seconds', s.seconds],
    ['processes', s.processes],
    ['calls made by clients', s.calls],
    ['vendor 200s', s.vendor.full200],
    ['vendor 304s', `${s.vendor.notModified304} (at most ${s.maxRevalidations})`],
    ['cold burst: calls / vendor requests', `${s.burst.calls} / ${s.burst.vendorRequests}`],
    ['response.cache hit', s.cache.hit],
    ['response.cache revalidated', s.cache.revalidated],
    ['response.cache stale', s.cache.stale],
    ['response.cache miss', s.cache.miss],
  ]
  const width = Math.max(...rows.map(([k]) => k.length))
  console.info(rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n'))
  console.info(`  304s per ${MAX_AGE} s window: ${s.windows.map((w) => w.notModified + (w.full ? `+${w.full}×200` : '')).join(' ')}`)
}

process.exitCode = await main().catch((error: unknown) => {
  console.error(`cache-fleet: ${(error as Error)?.stack ?? error}`)
  return 2
})
