// Cold start: the latency of a new process's first calls, with and without client.warmup().
// Each sample is a fresh child process that creates a client (pool { connections: 64,
// keepAliveTimeout: 30 s }, as bench/run.mjs), optionally awaits client.warmup({ connections: 64 }),
// then fires --calls GETs at --concurrency against bench/server.mjs and prints p50 / p99 / max.
// The runs alternate cores and with / without warm-up, so both see the same machine load.
//
//   npm run build && node bench/cold-start.mjs [--runs=5] [--core=fetch,undici] [--calls=2000] [--concurrency=64] [--tls]
//
// --tls serves the same answers over HTTPS (a self-signed EC P-256 certificate the clients trust
// through `pool.connect.ca`): the first burst then also pays 64 TLS handshakes, as with a vendor.
//
// Standalone on purpose (bench/run.mjs has its own cold-start column). Only the calls are timed:
// process start, imports and the warm-up itself are not.
import { execFileSync, fork } from 'node:child_process'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { median } from './stats.mjs'

const args = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=')
    return [key, value ?? 'true']
  }),
)
const CALLS = Number(args.calls ?? 2000)
const CONCURRENCY = Number(args.concurrency ?? 64)
const POOL = { connections: 64, keepAliveTimeout: 30_000 }

if (args.child) await child()
else if (args['serve-tls']) await serveTLS()
else await parent()

/** bench/server.mjs's answers over HTTPS, with the key and certificate at --pems. */
async function serveTLS() {
  const https = await import('node:https')
  const { GET_BODY } = await import('./payload.mjs')
  const { key, cert } = JSON.parse(readFileSync(args.pems, 'utf8'))
  const body = Buffer.from(JSON.stringify(GET_BODY))
  const server = https.createServer({ key, cert }, (req, res) => {
    req.resume()
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) }).end(body)
  })
  server.keepAliveTimeout = 60_000
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }))
}

/** One sample: a fresh process, one client, CALLS GETs at CONCURRENCY. Prints one JSON line. */
async function child() {
  const { createClient } = await import('../dist/index.js')
  const tls = args.pems ? { connect: { ca: JSON.parse(readFileSync(args.pems, 'utf8')).cert } } : {}
  const client = createClient({
    baseURL: `${args.pems ? 'https' : 'http'}://127.0.0.1:${args.port}`,
    core: args.core,
    pool: { ...POOL, ...tls },
  })
  const warmup = args.warmup === 'true' ? await client.warmup({ connections: 64 }) : undefined
  const latencies = new Float64Array(CALLS)
  let next = 0
  const started = performance.now()
  async function worker() {
    while (next < CALLS) {
      const i = next++
      const t0 = performance.now()
      await client.get('/json')
      latencies[i] = performance.now() - t0
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  const wall = performance.now() - started
  await client.close()
  latencies.sort()
  const at = (q) => latencies[Math.min(CALLS - 1, Math.ceil(q * CALLS) - 1)]
  const round = (ms) => Math.round(ms * 10) / 10
  const result = { p50: round(at(0.5)), p99: round(at(0.99)), max: round(latencies[CALLS - 1]), wall: round(wall) }
  console.log(JSON.stringify({ ...result, opened: warmup?.opened, warmupMs: warmup?.elapsedMs }))
}

async function parent() {
  const runs = Number(args.runs ?? 5)
  const cores = (args.core ?? 'fetch,undici').split(',')
  let pems
  if (args.tls) {
    const { generate } = await import('selfsigned')
    const made = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    })
    pems = join(tmpdir(), `fetchline-cold-start-${process.pid}.json`)
    writeFileSync(pems, JSON.stringify({ key: made.private, cert: made.cert }))
  }
  const server = pems
    ? fork(fileURLToPath(import.meta.url), ['--serve-tls', `--pems=${pems}`], { stdio: 'inherit' })
    : fork(fileURLToPath(new URL('./server.mjs', import.meta.url)), [], { stdio: 'inherit' })
  const port = await new Promise((resolve) => server.once('message', (message) => resolve(message.port)))
  const samples = new Map()
  const sample = (core, warm) => {
    const flags = ['--child', `--port=${port}`, `--core=${core}`, `--calls=${CALLS}`, `--concurrency=${CONCURRENCY}`, `--warmup=${warm}`]
    if (pems) flags.push(`--pems=${pems}`)
    return JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), ...flags], { encoding: 'utf8' }))
  }
  try {
    // One sample thrown away: the server process is new too, and its own first calls are slow.
    sample(cores[0], false)
    for (let run = 0; run < runs; run++) {
      for (const core of cores) {
        for (const warm of run % 2 ? [true, false] : [false, true]) {
          const key = `${core} core, ${warm ? 'warmup({ connections: 64 })' : 'no warm-up'}`
          samples.set(key, [...(samples.get(key) ?? []), sample(core, warm)])
        }
      }
    }
  } finally {
    server.kill()
    if (pems) rmSync(pems)
  }
  const over = pems ? 'HTTPS' : 'HTTP'
  console.log(
    `Node ${process.version}, ${over}: a new process's first ${CALLS} GETs at c=${CONCURRENCY}, medians of ${runs} processes (ms)`,
  )
  console.log('| client | p50 | p99 | max | warm-up took | p99 of each run |')
  console.log('| --- | ---: | ---: | ---: | ---: | --- |')
  for (const [key, list] of samples) {
    const m = (field) => median(list.map((sample) => sample[field]))
    const warmup = list[0].warmupMs === undefined ? '—' : m('warmupMs')
    console.log(`| ${key} | ${m('p50')} | ${m('p99')} | ${m('max')} | ${warmup} | ${list.map((sample) => sample.p99).join(', ')} |`)
  }
}
