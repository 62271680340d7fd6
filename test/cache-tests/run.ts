// The RFC 9111 cache conformance suite (http-tests/cache-tests, vendored in vendor/) against undici
// 7's cache interceptor (the baseline) and fetchline's cache() middleware on both cores, each
// target in a worker process of its own (worker.ts) with its own copy of the suite's server.
//
//   node --import tsx test/cache-tests/run.ts [--target=undici|fetchline-fetch|fetchline-undici|all]
//                                             [--out=file] [--only=id,id,…]
//
// Prints per target the applicable tests passed and failed and how many do not apply to a private
// client cache (not-applicable.ts), and writes per test and target the verdict to results.json (or
// --out; a run of some tests, --only, writes only to --out). A fetchline target is always run with undici beside it, and the run fails (exit 1) when
// fetchline fails an applicable test undici passes (unless deliberate.ts says why it differs on
// purpose), or passes fewer applicable tests than undici.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { DELIBERATE } from './deliberate.js'
import {
  checkList,
  type Graded,
  gradeAll,
  printRegressions,
  printTally,
  type Regression,
  regressions,
  type Tally,
  tally,
  writeResults,
} from './report.js'
import { byId, loadSections } from './suite.js'
import { TARGETS, type Target } from './targets.js'
import type { WorkerOutput } from './worker.js'

const SUITE = 'http-tests/cache-tests@b55b8bda3dbb8c927c04e85bd8d496a8caa3e4ba'
/** No worker may take longer than this (the suite itself takes about a minute). */
const WORKER_LIMIT_MS = Number(process.env.CACHE_TESTS_LIMIT_MS ?? 240_000)
const root = resolve(import.meta.dirname, '../..')

const { values } = parseArgs({
  options: { target: { type: 'string', default: 'all' }, out: { type: 'string' }, only: { type: 'string' } },
})
const asked = values.target === 'all' ? [...TARGETS] : [values.target as Target]
if (!asked.every((t) => TARGETS.includes(t))) {
  console.error(`--target must be one of ${TARGETS.join(', ')} or all, got ${values.target}`)
  process.exit(2)
}
// undici is the baseline a fetchline target is judged by, so it always runs.
const targets: Target[] = asked.includes('undici') ? asked : ['undici', ...asked]

const sections = await loadSections()
const problems = checkList(sections)
if (problems.length > 0) {
  for (const problem of problems) console.error(problem)
  process.exit(2)
}
const only = values.only?.split(',').filter(Boolean) ?? []
const known = byId(sections)
const unknown = only.filter((id) => !known.has(id))
if (unknown.length > 0) {
  console.error(`--only: no such test ${unknown.join(', ')}`)
  process.exit(2)
}
const ids = only.length > 0 ? only : [...known.keys()]
// A partial run (--only) writes its results only where --out says.
const out = values.out ?? (only.length > 0 ? undefined : join(root, 'test/cache-tests/results.json'))

/** A free port on 127.0.0.1 (the conformance driver picks its server's port the same way). */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer()
    server.once('error', fail)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))))
    })
  })
}

/** Runs worker.ts for `target`; its output (the server's and runner's logs) is shown only when it fails. */
async function runWorker(target: Target, dir: string): Promise<WorkerOutput> {
  const file = join(dir, `${target}.json`)
  const env = {
    ...process.env,
    CACHE_TESTS_TARGET: target,
    CACHE_TESTS_PORT: String(await freePort()),
    CACHE_TESTS_OUT: file,
    CACHE_TESTS_ONLY: only.join('\n'),
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/cache-tests/worker.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  const keep = (chunk: Buffer): void => void (log = (log + chunk.toString()).slice(-6000))
  child.stdout.on('data', keep)
  child.stderr.on('data', keep)
  const timer = setTimeout(() => child.kill('SIGKILL'), WORKER_LIMIT_MS)
  const code = await new Promise<number | null>((done) => child.on('close', done))
  clearTimeout(timer)
  try {
    const output = JSON.parse(readFileSync(file, 'utf8')) as WorkerOutput
    if (code === 0 || 'error' in output) return output
  } catch {}
  return { error: `worker exited with ${code ?? 'a signal'} (limit ${WORKER_LIMIT_MS / 1000} s); its last output:\n${log}` }
}

const dir = mkdtempSync(join(tmpdir(), 'fetchline-cache-tests-'))
const outputs = await Promise.all(targets.map(async (target) => [target, await runWorker(target, dir)] as const))
rmSync(dir, { recursive: true, force: true })

let failed = false
const runs = new Map<Target, { graded: Map<string, Graded>; tally: Tally; seconds?: number }>()
console.log(`cache-tests (${SUITE}), ${ids.length} tests, private cache:`)
for (const [target, output] of outputs) {
  if ('error' in output) {
    console.log(`${target}: not run — ${output.error}`)
    failed = true
    continue
  }
  const graded = await gradeAll(sections, ids, output.results)
  const t = tally(graded, ids)
  runs.set(target, { graded, tally: t, seconds: output.seconds })
  printTally(target, t, output.seconds)
}

const undici = runs.get('undici')
for (const target of targets) {
  const run = runs.get(target)
  if (target === 'undici' || !run || !undici) continue
  const all: Regression[] = regressions(sections, target, run.graded, undici.graded)
  const deliberate = all.filter((r) => r.id in DELIBERATE)
  const list = all.filter((r) => !(r.id in DELIBERATE))
  if (deliberate.length > 0) {
    console.log(`\n${target}: ${deliberate.length} deliberate difference(s) from undici's interceptor (test/cache-tests/deliberate.ts):`)
    for (const r of deliberate) console.log(`  ${r.id}: ${DELIBERATE[r.id]}`)
  }
  const stale = Object.keys(DELIBERATE).filter((id) => run.graded.has(id) && !deliberate.some((r) => r.id === id))
  if (only.length === 0 && stale.length > 0) {
    console.log(`\n${target}: deliberate.ts lists ${stale.join(', ')}, which no longer differ from undici: remove them`)
    failed = true
  }
  if (list.length > 0) {
    console.log(`\n${target} fails ${list.length} applicable test(s) undici's interceptor passes:`)
    printRegressions(list)
    failed = true
  }
  if (run.tally.passed < undici.tally.passed) {
    console.log(`\n${target} passes ${run.tally.passed} applicable tests, fewer than undici's ${undici.tally.passed}`)
    failed = true
  }
}

if (out !== undefined) {
  writeResults(resolve(out), SUITE, sections, ids, runs)
  console.log(`\nresults: ${resolve(out)}`)
}
process.exit(failed ? 1 : 0)
