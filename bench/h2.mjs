// HTTP/2 per-request cost: fetchline's own HTTP/2 agent (`pool: { allowH2: true }`, src/node/h2/)
// against undici's HTTP/2 client (the same client given `dispatcher: new Agent({ allowH2: true,
// connections: 1 })`, which is what `allowH2` ran on before), both cores. A node:http2 TLS server
// runs in its own process; each client runs alone in a fresh process (no JIT feedback shared),
// the processes alternating round by round. Prints medians of client CPU µs/request and req/s.
//
//   npm run build && node bench/h2.mjs [--rounds=5] [--ms=1500] [--concurrency=16]
import { execFileSync, fork } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import http2 from 'node:http2'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { median } from './stats.mjs'

const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback)
const BODY = JSON.stringify({ id: 1, name: 'Ada Lovelace', email: 'ada@example.com' })

if (process.env.H2_BENCH_ROLE === 'server') serve()
else if (process.env.H2_BENCH_ROLE === 'client') await drive(process.env.H2_BENCH_CLIENT)
else await main()

function certificate() {
  const dir = mkdtempSync(join(tmpdir(), 'h2-bench-'))
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')]
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  )
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') }
}

function serve() {
  const server = http2.createSecureServer({ ...JSON.parse(process.env.H2_BENCH_PEMS), allowHTTP1: false })
  server.on('stream', (stream, headers) => {
    const reply = () => stream.respond({ ':status': 200, 'content-type': 'application/json' }) || stream.end(BODY)
    if (headers[':method'] === 'POST') stream.resume().on('end', reply)
    else reply()
  })
  server.listen(0, '127.0.0.1', () => process.send(server.address().port))
}

async function drive(name) {
  const { createClient } = await import('../dist/index.js')
  const { Agent } = await import('undici')
  const [kind, core] = name.split('/')
  const { cert } = JSON.parse(process.env.H2_BENCH_PEMS)
  const pool = { allowH2: true, connections: 1, connect: { ca: cert } }
  const options = kind === 'undici-h2' ? { dispatcher: new Agent(pool) } : { pool }
  const api = createClient({ baseURL: process.env.H2_BENCH_URL, core, ...options })
  const concurrency = Number(process.env.H2_BENCH_CONCURRENCY)
  const post = process.env.H2_BENCH_POST === '1'
  const call = () => (post ? api.post('/users', { json: { name: 'Ada' } }) : api.get('/users/1'))
  const run = async (ms) => {
    let count = 0
    const end = performance.now() + ms
    const worker = async () => {
      while (performance.now() < end) {
        await call()
        count++
      }
    }
    const cpu = process.cpuUsage()
    const started = performance.now()
    await Promise.all(Array.from({ length: concurrency }, worker))
    const used = process.cpuUsage(cpu)
    return { cpu: (used.user + used.system) / count, rps: (count * 1000) / (performance.now() - started) }
  }
  await run(Number(process.env.H2_BENCH_WARM))
  process.send(await run(Number(process.env.H2_BENCH_MS)))
  await api.close()
  if (options.dispatcher) await options.dispatcher.close()
}

async function main() {
  const pems = certificate()
  const env = { ...process.env, H2_BENCH_PEMS: JSON.stringify(pems) }
  const server = fork(new URL(import.meta.url), [], { env: { ...env, H2_BENCH_ROLE: 'server' } })
  const port = await new Promise((resolve) => server.once('message', resolve))
  const clients = ['undici-h2/fetch', 'fetchline-h2/fetch', 'undici-h2/undici', 'fetchline-h2/undici']
  const rounds = arg('rounds', 5)
  for (const post of ['0', '1']) {
    const results = new Map(clients.map((c) => [c, []]))
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < clients.length; i++) {
        const name = clients[(i + r) % clients.length]
        const child = fork(new URL(import.meta.url), [], {
          env: {
            ...env,
            H2_BENCH_ROLE: 'client',
            H2_BENCH_CLIENT: name,
            H2_BENCH_URL: `https://127.0.0.1:${port}`,
            H2_BENCH_CONCURRENCY: String(arg('concurrency', 16)),
            H2_BENCH_POST: post,
            H2_BENCH_MS: String(arg('ms', 1500)),
            H2_BENCH_WARM: String(arg('warm', 1000)),
          },
        })
        results.get(name).push(await new Promise((resolve) => child.once('message', resolve)))
        await new Promise((resolve) => child.once('exit', resolve))
      }
    }
    console.log(
      `node ${process.version}, ${post === '1' ? 'POST (JSON body)' : 'GET'} × ${arg('concurrency', 16)} concurrent, ${rounds} rounds, medians`,
    )
    for (const [name, rows] of results) {
      console.log(
        `  ${name.padEnd(22)} ${median(rows.map((x) => x.cpu))
          .toFixed(1)
          .padStart(7)} µs CPU/req  ${Math.round(median(rows.map((x) => x.rps)))
          .toString()
          .padStart(6)} req/s`,
      )
    }
  }
  server.kill()
}
