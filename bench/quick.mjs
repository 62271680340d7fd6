// Quick throughput benchmark: fetchline's two cores against bare ofetch and undici.request.
//
//   npm run build && node --no-memory-reducer bench/quick.mjs
//
// The server (bench/server.mjs) runs in its own process on 127.0.0.1, so the client's CPU time
// (process.cpuUsage) is the client's alone. Every row keeps 64 requests in flight on its own
// keep-alive pool of 64 connections. Rows are interleaved (A B C D, A B C D, …) for ROUNDS rounds,
// each measured for MEASURE_MS after WARMUP_MS of warm-up; the table gives the median.
//
// Bare ofetch: the global fetch of Node 20 (its bundled undici 6.x) does accept an undici 7 Agent
// as `dispatcher`, but that would compare two different fetch implementations. For a fair row we
// give ofetch the same stack fetchline's fetch core uses: `createFetch({ fetch: undiciFetch })`
// (undici 7's fetch) with `dispatcher: new Agent(...)`, an equal keep-alive pool. So that row
// minus fetchline's fetch-core row is fetchline's own overhead.
// Set OFETCH_FETCH=global to run bare ofetch over the global fetch (plus the same Agent) instead.
import { fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import { isDeepStrictEqual } from 'node:util'
import { createFetch, ofetch } from 'ofetch'
import { Agent, fetch as undiciFetch } from 'undici'
import { createClient } from '../dist/src/index.js'

const IN_FLIGHT = 64
const ROUNDS = 5
const MEASURE_MS = 1500
const WARMUP_MS = 200
const FIRST_WARMUP_MS = 500
const HARD_LIMIT_MS = 88_000
const POOL = { connections: 64, keepAliveTimeout: 30_000 }
const OFETCH_GLOBAL = process.env.OFETCH_FETCH === 'global'

const started = performance.now()
const readVersion = (path) => JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')).version
const versionOf = (name) => readVersion(`../node_modules/${name}/package.json`)

// ---- server process ---------------------------------------------------------------------------

const server = fork(new URL('./server.mjs', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
const hardLimit = setTimeout(() => {
  console.error(`bench/quick.mjs: still running after ${HARD_LIMIT_MS} ms, giving up`)
  server.kill('SIGKILL')
  process.exit(1)
}, HARD_LIMIT_MS)
hardLimit.unref()

function stopServer() {
  if (server.exitCode !== null || server.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    server.once('exit', resolve)
    server.kill('SIGTERM')
  })
}

const port = await new Promise((resolve, reject) => {
  server.once('message', (message) => resolve(message.port))
  server.once('error', reject)
  server.once('exit', (code) => reject(new Error(`server exited early with code ${code}`)))
})
const origin = `http://127.0.0.1:${port}`

// ---- the rows -----------------------------------------------------------------------------------

const EXPECTED_GET = JSON.parse(
  JSON.stringify({
    id: 12345,
    name: 'fetchline benchmark',
    active: true,
    tags: ['http', 'client', 'bench'],
    owner: { id: 42, login: 'octocat', site_admin: false },
    created_at: '2024-01-01T00:00:00Z',
    score: 0.987654321,
  }),
)
const PAYLOAD = { id: 7, name: 'widget', price: 19.99, tags: ['a', 'b', 'c'], nested: { ok: true, count: 3 } }
const PAYLOAD_JSON = JSON.stringify(PAYLOAD)
const JSON_HEADERS = { 'content-type': 'application/json' }

const undiciAgent = new Agent(POOL)
const ofetchAgent = new Agent(POOL)
const $ofetch = OFETCH_GLOBAL
  ? ofetch.create({ baseURL: origin, dispatcher: ofetchAgent })
  : createFetch({ fetch: undiciFetch, Headers, AbortController }).create({ baseURL: origin, dispatcher: ofetchAgent })
const fetchCoreClient = createClient({ baseURL: origin, pool: { connections: 64 } })
const undiciCoreClient = createClient({ baseURL: origin, core: 'undici', pool: { connections: 64 } })

const rows = [
  {
    name: 'undici.request',
    get: async () => {
      const res = await undiciAgent.request({ origin, path: '/json', method: 'GET' })
      return res.body.json()
    },
    post: async () => {
      const res = await undiciAgent.request({ origin, path: '/echo', method: 'POST', headers: JSON_HEADERS, body: PAYLOAD_JSON })
      return res.body.json()
    },
  },
  {
    name: OFETCH_GLOBAL ? 'ofetch (global fetch)' : 'ofetch (undici fetch)',
    get: () => $ofetch('/json'),
    post: () => $ofetch('/echo', { method: 'POST', body: PAYLOAD }),
  },
  {
    name: 'fetchline (fetch core)',
    get: async () => (await fetchCoreClient.get('/json')).data,
    post: async () => (await fetchCoreClient.post('/echo', { json: PAYLOAD })).data,
  },
  {
    name: 'fetchline (undici core)',
    get: async () => (await undiciCoreClient.get('/json')).data,
    post: async () => (await undiciCoreClient.post('/echo', { json: PAYLOAD })).data,
  },
]

const scenarios = [
  { key: 'get', title: `GET /json, ${IN_FLIGHT} in flight`, expected: EXPECTED_GET },
  { key: 'post', title: `POST /echo (JSON), ${IN_FLIGHT} in flight`, expected: PAYLOAD },
]

// ---- measuring ----------------------------------------------------------------------------------

/** Keeps IN_FLIGHT requests going until `ms` have passed; stops at the first error. */
async function drive(fn, ms) {
  let count = 0
  let error
  const deadline = performance.now() + ms
  const worker = async () => {
    while (error === undefined && performance.now() < deadline) {
      try {
        await fn()
      } catch (e) {
        error ??= e
        return
      }
      count++
    }
  }
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker))
  const elapsed = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  return { count, elapsed, cpuUs: cpu.user + cpu.system, error }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const fmt = (n, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })

const errors = []
function fail(row, scenario, phase, error) {
  row.failed ??= {}
  row.failed[scenario.key] = true
  errors.push({ row: row.name, scenario: scenario.title, phase, error })
}

console.log(`# fetchline quick bench`)
console.log()
console.log(
  `- Node ${process.version} (${process.platform} ${process.arch}), ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? '?'})`,
)
console.log(`- undici ${versionOf('undici')}, ofetch ${versionOf('ofetch')}, fetchline ${readVersion('../package.json')}`)
console.log(
  `- ${IN_FLIGHT} in flight, pools of 64 keep-alive connections, ${ROUNDS} interleaved rounds × ${MEASURE_MS} ms (after ${WARMUP_MS} ms warm-up), server in its own process on 127.0.0.1`,
)
console.log(
  `- bare ofetch row: ${OFETCH_GLOBAL ? 'ofetch over the global fetch' : "ofetch's createFetch over undici's fetch (same stack as fetchline's fetch core)"} + dispatcher: new Agent({ connections: 64 })`,
)

try {
  for (const scenario of scenarios) {
    // Check every row answers correctly before timing it, then warm all pools up.
    for (const row of rows) {
      row.results ??= {}
      row.results[scenario.key] = []
      try {
        const data = await row[scenario.key]()
        if (!isDeepStrictEqual(data, scenario.expected)) throw new Error(`unexpected response: ${JSON.stringify(data)}`)
      } catch (error) {
        fail(row, scenario, 'sanity check', error)
        continue
      }
      const warm = await drive(row[scenario.key], FIRST_WARMUP_MS)
      if (warm.error) fail(row, scenario, 'warm-up', warm.error)
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const row of rows) {
        if (row.failed?.[scenario.key]) continue
        const fn = row[scenario.key]
        const warm = await drive(fn, WARMUP_MS)
        if (warm.error) {
          fail(row, scenario, `round ${round + 1} warm-up`, warm.error)
          continue
        }
        const r = await drive(fn, MEASURE_MS)
        if (r.error) {
          fail(row, scenario, `round ${round + 1}`, r.error)
          continue
        }
        row.results[scenario.key].push({ rps: r.count / (r.elapsed / 1000), cpuPerReq: r.cpuUs / r.count })
      }
    }

    const reference = median(rows[0].results[scenario.key].map((r) => r.rps))
    console.log()
    console.log(`## ${scenario.title}`)
    console.log()
    console.log('| client | req/s (median) | × undici.request | CPU µs/req (median) | req/s min–max |')
    console.log('| --- | ---: | ---: | ---: | ---: |')
    for (const row of rows) {
      const results = row.results[scenario.key]
      if (row.failed?.[scenario.key] || results.length === 0) {
        console.log(`| ${row.name} | failed | – | – | – |`)
        continue
      }
      const rps = results.map((r) => r.rps)
      const ratio = Number.isFinite(reference) ? `${(median(rps) / reference).toFixed(2)}×` : '–'
      console.log(
        `| ${row.name} | ${fmt(median(rps))} | ${ratio} | ${fmt(median(results.map((r) => r.cpuPerReq)), 1)} | ${fmt(Math.min(...rps))}–${fmt(Math.max(...rps))} |`,
      )
    }
  }
} finally {
  await Promise.allSettled([undiciAgent.close(), ofetchAgent.close(), fetchCoreClient.close(), undiciCoreClient.close()])
  await stopServer()
}

console.log()
console.log(`Total run time: ${((performance.now() - started) / 1000).toFixed(1)} s`)

if (errors.length > 0) {
  console.log()
  console.log('## Errors')
  for (const { row, scenario, phase, error } of errors) {
    console.log()
    console.log(`### ${row} — ${scenario} (${phase})`)
    console.log()
    console.log('```')
    console.log(error?.stack ?? String(error))
    if (error?.cause) console.log(`cause: ${error.cause?.stack ?? String(error.cause)}`)
    console.log('```')
  }
  process.exitCode = 1
}
