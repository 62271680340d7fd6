// Runs the cache-tests suite against one target, in a process of its own (the suite's runner and
// server keep their state in module globals): starts the suite's server on CACHE_TESTS_PORT,
// installs the target's fetch as the global one, runs the suite in browser (private cache) mode as
// undici's runner does, and writes the runner's raw results, by test id, to CACHE_TESTS_OUT.
// CACHE_TESTS_ONLY (ids, one a line) runs only those. Started by run.ts.
import { rmSync, writeFileSync } from 'node:fs'
import { register } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RUN_DESPITE_BROWSER_SKIP } from './not-applicable.js'
import { loadRunner, loadSections, startServer } from './suite.js'
import { install, TARGETS, type Target } from './targets.js'

export type WorkerOutput = { results: Record<string, true | [string, string]>; seconds: number } | { error: string }

register('./edges-hook.mjs', import.meta.url)

const target = process.env.CACHE_TESTS_TARGET as Target
const port = Number(process.env.CACHE_TESTS_PORT)
const out = process.env.CACHE_TESTS_OUT ?? ''
const only = new Set((process.env.CACHE_TESTS_ONLY ?? '').split('\n').filter(Boolean))
if (!TARGETS.includes(target) || !port || !out) throw new Error('worker.ts needs CACHE_TESTS_TARGET, CACHE_TESTS_PORT and CACHE_TESTS_OUT')

const write = (output: WorkerOutput): void => writeFileSync(out, JSON.stringify(output))
const origin = `http://127.0.0.1:${port}`
const pidfile = join(tmpdir(), `fetchline-cache-tests-${process.pid}.pid`)
const started = performance.now()

let installed: Awaited<ReturnType<typeof install>>
try {
  installed = await install(target, origin)
} catch (error) {
  write({ error: `could not set up ${target}: ${error instanceof Error ? error.message : String(error)}` })
  process.exit(2)
}

const sections = (await loadSections()).map((section) => ({
  ...section,
  tests: section.tests.filter((test) => only.size === 0 || only.has(test.id)),
}))
for (const section of sections) for (const test of section.tests) if (RUN_DESPITE_BROWSER_SKIP.has(test.id)) test.browser_skip = false

await startServer(port, pidfile)
globalThis.fetch = installed.fetch as typeof fetch
const runner = await loadRunner()
await runner.runTests(sections, true, origin)
write({ results: runner.getResults(), seconds: Math.round((performance.now() - started) / 1000) })
await Promise.race([installed.close(), new Promise((done) => setTimeout(done, 2_000))])
rmSync(pidfile, { force: true })
process.exit(0)
