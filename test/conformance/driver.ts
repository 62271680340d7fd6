// Runs the conformance suite on each runtime against one real server and reports per case.
// CONFORMANCE_RUNTIMES (default node,bun,deno,workerd) picks runtimes; RUNTIMES_DIR (default
// .cache/runtimes, filled by .ci/run) holds bun, deno, workerd and miniflare; CONFORMANCE_NODE
// is the Node that runs the Node reference (default: this one). workerd needs this driver on
// Node >= 22 (miniflare 4). CONFORMANCE_ONLY (comma-separated parts of names, e.g.
// 'webhook:,alipay:') runs only the cases whose names contain one. Exits 1 when a case failed;
// writes conformance-results.json.
// By hand: npm run build && npx tsx test/conformance/driver.ts
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { resolve } from 'node:path'
import { cases } from './cases.js'
import { CASE_LIMIT_MS, MARK, type Result } from './runner.js'
import { startConformanceServer } from './server.js'
import { runWorkerd } from './workerd.js'

/** No runtime may take longer than this, whatever hangs. */
const RUNTIME_LIMIT_MS = Number(process.env.CONFORMANCE_RUNTIME_LIMIT_MS ?? 150_000)
const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../..')
const dir = resolve(root, process.env.RUNTIMES_DIR ?? '.cache/runtimes')
const bin = (name: string): string => resolve(dir, 'node_modules/.bin', name)
const only = (process.env.CONFORMANCE_ONLY ?? '').split(',').filter(Boolean)
const names = Object.keys(cases).filter((name) => only.length === 0 || only.some((part) => name.includes(part)))

export type Env = { url: string; closedURL: string; names: string[]; limit: number }

const commands: Record<string, string[]> = {
  node: [process.env.CONFORMANCE_NODE ?? process.execPath, '--import', 'tsx', 'test/conformance/run.ts'],
  bun: [bin('bun'), 'test/conformance/run.ts'],
  deno: [bin('deno'), 'run', '-A', '--sloppy-imports', 'test/conformance/run.ts'],
}

/** Runs run.ts in a child process, reading one MARK line per case; killed at the limit. */
function runChild(command: string[], env: Env): Promise<{ results: Result[]; note: string }> {
  return new Promise((done) => {
    const [file = '', ...args] = command
    const child = spawn(file, args, {
      cwd: root,
      env: { ...process.env, CONFORMANCE_URL: env.url, CONFORMANCE_CLOSED_URL: env.closedURL, CONFORMANCE_CASES: env.names.join('\n') },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const results: Result[] = []
    let out = ''
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      let nl: number
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl)
        out = out.slice(nl + 1)
        if (line.startsWith(MARK)) results.push(JSON.parse(line.slice(MARK.length)) as Result)
      }
    })
    child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-2000)))
    let note = ''
    const timer = setTimeout(() => {
      note = `killed after ${env.limit / 1000} s (the runtime's limit)`
      child.kill('SIGKILL')
    }, env.limit)
    child.on('error', (error) => (note = `could not start ${file}: ${error.message}`))
    child.on('close', (code) => {
      clearTimeout(timer)
      if (!note && code !== 0) note = `exited with ${code}: ${err.trim().split('\n').slice(-5).join(' | ')}`
      done({ results, note })
    })
  })
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await new Promise((ok) => server.once('listening', ok))
  const { port } = server.address() as { port: number }
  await new Promise((ok) => server.close(ok))
  return port
}

const server = await startConformanceServer()
const env: Env = { url: server.url, closedURL: `http://127.0.0.1:${await freePort()}`, names, limit: RUNTIME_LIMIT_MS }
const runtimes = (process.env.CONFORMANCE_RUNTIMES ?? 'node,bun,deno,workerd').split(',').filter(Boolean)
const report: Record<string, { passed: number; failed: number; seconds: number; note: string; results: Result[] }> = {}
for (const runtime of runtimes) {
  const start = performance.now()
  const command = commands[runtime]
  const { results, note } = command
    ? await runChild(command, env)
    : runtime === 'workerd'
      ? await runWorkerd(env, dir, root)
      : { results: [], note: `unknown runtime ${runtime}` }
  // A case with no result (the runtime crashed, hung past its limit or never started) failed.
  const seen = new Set(results.map((r) => r.name))
  for (const name of names)
    if (!seen.has(name)) results.push({ name, ok: false, ms: 0, error: `no result: ${note || 'the runner stopped early'}` })
  const failed = results.filter((r) => !r.ok).length
  const seconds = Math.round((performance.now() - start) / 100) / 10
  report[runtime] = { passed: results.length - failed, failed, seconds, note, results }
  console.log(`conformance on ${runtime}: ${results.length - failed} passed, ${failed} failed (${seconds} s)${note ? ` — ${note}` : ''}`)
  if (results.every((r) => !r.ok && r.error?.startsWith('no result'))) console.log(`  ✗ every case: ${results[0]?.error}`)
  else for (const r of results.filter((x) => !x.ok)) console.log(`  ✗ ${r.name}\n      ${r.error}`)
}
await server.close()

// The matrix: one row per case, one column per runtime.
const width = Math.max(...names.map((n) => n.length))
console.log(`\n${'case'.padEnd(width)}  ${runtimes.map((r) => r.padEnd(7)).join(' ')}`)
for (const name of names)
  console.log(
    `${name.padEnd(width)}  ${runtimes.map((r) => (report[r]?.results.find((x) => x.name === name)?.ok ? 'ok' : 'FAIL').padEnd(7)).join(' ')}`,
  )
const passed = Object.values(report).reduce((n, r) => n + r.passed, 0)
const failed = Object.values(report).reduce((n, r) => n + r.failed, 0)
writeFileSync(
  resolve(root, 'conformance-results.json'),
  JSON.stringify({ passed, failed, caseLimitMs: CASE_LIMIT_MS, runtimes: report }, null, 2),
)
console.log(`\nconformance: ${passed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
