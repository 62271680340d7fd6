// What a decompression bomb costs a client: 1 GiB of zeros gzipped to ~1 MB, served by a node:http
// server in this process, read by one fetchline client per child process (so each run's peak RSS is
// its own), on both cores. Prints, per build and core, the median over --runs of the wall time to
// the call's end, the client process's peak RSS (maxRSS), and how the call ended.
//
//   node bench/bomb.mjs [--builds=old:/tmp/fl-main,new:.] [--cores=fetch,undici] [--runs=3] [--mib=1024] [--limit=…]
//
// --limit passes maxResponseSize to the client (omit it: the build's default). Builds are
// directories with a dist/ (npm run build).
import { execFile } from 'node:child_process'
import { createServer } from 'node:http'
import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import zlib from 'node:zlib'

const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback

if (process.argv.includes('--child')) await child()
else await main()

/** One call in a fresh process: prints { ms, maxRSS (MB), outcome }. */
async function child() {
  const { createClient } = await import(pathToFileURL(resolve(arg('dir', '.'), 'dist/index.js')).href)
  const limit = arg('limit', undefined)
  const api = createClient({
    baseURL: arg('url', ''),
    core: arg('core', 'fetch'),
    ...(limit === undefined ? {} : { maxResponseSize: limit === 'Infinity' ? Number.POSITIVE_INFINITY : Number(limit) }),
  })
  const started = performance.now()
  let outcome
  try {
    const { data } = await api.get('/bomb')
    outcome = `read ${data.byteLength} bytes`
  } catch (error) {
    outcome = `${error.name}${error.received === undefined ? `: ${String(error.message).slice(0, 60)}` : ` after ${error.received} bytes`}`
  }
  const ms = performance.now() - started
  await api.close()
  console.log(JSON.stringify({ ms, maxRSS: process.resourceUsage().maxRSS / 1024, outcome }))
}

async function main() {
  const mib = Number(arg('mib', 1024))
  const runs = Number(arg('runs', 3))
  const builds = arg('builds', `new:${resolve(fileURLToPath(import.meta.url), '../..')}`)
    .split(',')
    .map((spec) => spec.split(':'))
  const bomb = await gzipZeros(mib)
  console.log(`bomb: ${mib} MiB of zeros, ${(bomb.length / 1024 / 1024).toFixed(2)} MiB gzipped (level 9)`)
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-encoding': 'gzip', 'content-length': bomb.length })
    res.end(bomb)
  })
  // A slow reader must not be cut off: Node closes a connection idle past keepAliveTimeout (5 s)
  // even with the answer still unread in the socket's buffers.
  server.keepAliveTimeout = 0
  server.timeout = 0
  await new Promise((done) => server.listen(0, '127.0.0.1', done))
  const url = `http://127.0.0.1:${server.address().port}`
  console.log('| build | core | wall ms | peak RSS MB | outcome |')
  console.log('| --- | --- | ---: | ---: | --- |')
  for (const core of arg('cores', 'fetch,undici').split(',')) {
    for (const [label, dir] of builds) {
      const results = []
      for (let i = 0; i < runs; i++) results.push(await run(dir, core, url))
      const outcome = results.map((r) => r.outcome).find((o) => o) ?? ''
      console.log(
        `| ${label} | ${core} | ${median(results.map((r) => r.ms)).toFixed(0)} | ${median(results.map((r) => r.maxRSS)).toFixed(0)} | ${outcome} |`,
      )
    }
  }
  server.close()
}

/** A child run, without blocking this process's server. */
function run(dir, core, url) {
  const args = [fileURLToPath(import.meta.url), '--child', `--dir=${dir}`, `--core=${core}`, `--url=${url}`]
  const limit = arg('limit', undefined)
  if (limit !== undefined) args.push(`--limit=${limit}`)
  return new Promise((done, fail) =>
    execFile(process.execPath, args, { maxBuffer: 1 << 20 }, (error, stdout) =>
      error ? fail(error) : done(JSON.parse(stdout.trim().split('\n').pop())),
    ),
  )
}

/** `mib` MiB of zeros, gzipped at level 9 (1 GiB: ~1 MB), one MiB at a time. */
async function gzipZeros(mib) {
  const gzip = zlib.createGzip({ level: 9 })
  const out = []
  gzip.on('data', (chunk) => out.push(chunk))
  const zero = Buffer.alloc(1024 * 1024)
  for (let i = 0; i < mib; i++) if (!gzip.write(zero)) await new Promise((drained) => gzip.once('drain', drained))
  await new Promise((ended) => gzip.end(ended))
  return Buffer.concat(out)
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
