// Per-request cost of middleware on a stub transport (no network): what the pipeline itself adds.
//
//   npm run build && node --no-memory-reducer bench/overhead.mjs
//
// Each row sends N sequential GETs through a client whose fetch answers from memory; rows are
// interleaved over ROUNDS rounds and the median µs/request is reported, with the difference to
// the bare client. trace() runs with no OpenTelemetry SDK registered; log() at info level with a
// reporter that drops every line (the cost of building the line is counted, not of printing it).
import { createConsola } from 'consola'
import { createClient, recommended } from '../dist/index.js'
import { log, retry, timeout, trace } from '../dist/middleware/index.js'
import { median } from './stats.mjs'

const N = Number(process.env.N ?? 20_000)
const ROUNDS = Number(process.env.ROUNDS ?? 7)
const body = JSON.stringify({ id: 1, name: 'Ada Lovelace', email: 'ada@example.com' })
const stub = async () => new Response(body, { headers: { 'content-type': 'application/json' } })
const silent = createConsola({ level: 3, reporters: [{ log() {} }] })

const rows = {
  'bare client': [],
  'trace() (no SDK)': [trace()],
  'log() (info, silent reporter)': [log({ logger: silent })],
  'retry()': [retry()],
  'timeout()': [timeout()],
  'retry() + timeout()': [retry(), timeout()],
  'recommended() pipeline': recommended({ log: { logger: silent } }),
}
const clients = Object.fromEntries(
  Object.entries(rows).map(([name, middleware]) => [name, createClient({ baseURL: 'http://stub.test', fetch: stub, middleware })]),
)
const results = Object.fromEntries(Object.keys(rows).map((name) => [name, []]))

async function run(client) {
  const started = process.hrtime.bigint()
  for (let i = 0; i < N; i++) await client.get('/users/1')
  return Number(process.hrtime.bigint() - started) / 1000 / N
}

for (const client of Object.values(clients)) await run(client) // warm-up
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, client] of Object.entries(clients)) results[name].push(await run(client))
}
const bare = median(results['bare client'])
console.log(`# pipeline overhead on a stub transport (Node ${process.version}, ${N} requests × ${ROUNDS} rounds, medians)\n`)
console.log('| pipeline | µs/request | over bare |')
console.log('| --- | ---: | ---: |')
for (const [name, xs] of Object.entries(results)) {
  const m = median(xs)
  console.log(`| ${name} | ${m.toFixed(2)} | ${name === 'bare client' ? '—' : `${m - bare >= 0 ? '+' : ''}${(m - bare).toFixed(2)}`} |`)
}
await Promise.all(Object.values(clients).map((c) => c.close()))
