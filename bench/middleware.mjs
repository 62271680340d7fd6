// What each middleware costs on its own: the middleware is called directly with a `next` that
// answers at once from memory, so neither a transport nor fetch's machinery is in the figure.
//
//   npm run build && node --no-memory-reducer bench/middleware.mjs
//
// trace() runs with no OpenTelemetry SDK registered; log() at info level with a reporter that
// drops every line (building and passing the line is counted, printing it is not).
import { createConsola } from 'consola'
import { recommended } from '../dist/index.js'
import { health, log, redact, retry, sigv4, timeout, trace } from '../dist/middleware/index.js'
import { buildRequest } from '../dist/src/request/request.js'
import { median } from './stats.mjs'

const N = Number(process.env.N ?? 300_000)
const ROUNDS = Number(process.env.ROUNDS ?? 5)
const silent = createConsola({ level: 3, reporters: [{ log() {} }] })
const defaults = {
  base: 'http://api.test',
  origin: 'http://api.test',
  headers: new Headers({ accept: 'application/json, text/plain, */*', 'user-agent': 'fetchline' }),
  throwHttpErrors: true,
  redaction: undefined,
}
const answer = async (request) => ({
  status: 200,
  ok: true,
  headers: new Headers(),
  url: request.url.href,
  data: { id: 1 },
  request,
  raw: undefined,
})
const chain = (middleware) => middleware.reduceRight((next, mw) => (request) => mw(request, next), answer)

const rows = {
  'no middleware': chain([]),
  'redact()': chain([redact()]),
  'timeout()': chain([timeout()]),
  'retry()': chain([retry()]),
  'health()': chain([health()]),
  'trace() (no SDK)': chain([trace()]),
  'log() (info, silent reporter)': chain([log({ logger: silent })]),
  'recommended() (all of the above)': chain(recommended({ log: { logger: silent } })),
  // Web Crypto: a SHA-256 of the (empty) body and of the canonical request, one HMAC (the signing key is kept per day).
  'sigv4() (GET, static credentials)': chain([
    sigv4({ service: 'execute-api', region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'bench-secret' } }),
  ]),
}
async function run(pipeline) {
  const started = process.hrtime.bigint()
  for (let i = 0; i < N; i++) await pipeline(buildRequest(defaults, 'GET', '/users/{id}', { params: { id: i } }))
  return Number(process.hrtime.bigint() - started) / 1000 / N
}
for (const pipeline of Object.values(rows)) await run(pipeline) // warm-up
const results = Object.fromEntries(Object.keys(rows).map((name) => [name, []]))
for (let round = 0; round < ROUNDS; round++) for (const [name, pipeline] of Object.entries(rows)) results[name].push(await run(pipeline))
const base = median(results['no middleware'])
console.log(`# middleware cost per request (Node ${process.version}, ${N} calls × ${ROUNDS} rounds, medians)\n`)
console.log('| pipeline | µs/request | added |')
console.log('| --- | ---: | ---: |')
for (const [name, xs] of Object.entries(results)) {
  const m = median(xs)
  console.log(`| ${name} | ${m.toFixed(3)} | ${name === 'no middleware' ? '—' : `+${Math.max(0, m - base).toFixed(3)}`} |`)
}
