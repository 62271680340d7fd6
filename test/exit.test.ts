import { expect, it } from 'vitest'
import { startServer } from './helpers/server.js'

it('a process exits as soon as its request is done: no timer of the pipeline outlives its request', async () => {
  const server = await startServer({ json: { ok: true } })
  const script = `
    import { createClient, recommended } from './dist/index.js'
    const started = Date.now()
    const client = createClient({ baseURL: process.argv[1], middleware: recommended({ timeout: { attempt: 60_000, total: 120_000 } }) })
    const res = await client.get('/', { timeout: 60_000 })
    console.log(JSON.stringify({ ok: res.data.ok, ms: Date.now() - started }))
    // no close(): the pool's idle sockets must not keep the process alive either`
  // Spawned asynchronously so this process's server can answer.
  const { spawn } = await import('node:child_process')
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, server.url], { cwd: process.cwd() })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  const started = Date.now()
  const code = await new Promise((resolve) => child.on('exit', resolve))
  expect(code).toBe(0)
  expect(JSON.parse(out).ok).toBe(true)
  expect(Date.now() - started).toBeLessThan(10_000) // far below the 60 s timeout
})
