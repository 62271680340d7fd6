import { spawn } from 'node:child_process'
import { expect, it } from 'vitest'

it('npm run demo runs to exit code 0, quickly, showing no secret', async () => {
  // The demo itself, as `npm run demo` runs it after its build (npm test has built dist/).
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/demo.ts'], {
    cwd: process.cwd(),
    env: { ...process.env, FORCE_COLOR: '0' },
  })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  const started = Date.now()
  const code = await new Promise((resolve) => child.on('exit', resolve))
  expect(code, out.slice(-2000)).toBe(0)
  expect(Date.now() - started).toBeLessThan(30_000)
  expect(out).toContain('20 messages sent, 1 token fetch')
  expect(out).toContain("'url.full': 'http://127.0.0.1:")
  expect(out).toMatch(/✓ done in \d+\.\d s/)
  for (const secret of ['sk-live-do-not-print', 'SECRET-TOKEN', 'APP-SECRET', 'demo-app-secret-value', "'demo-key'", 'tok-1-']) {
    expect(out).not.toContain(secret)
  }
}, 60_000)
