// The Petstore-family types the type tests use (test/fixtures/openapi/*.d.ts) are committed,
// because `npm test` type-checks before vitest runs. This proves they are what openapi-typescript
// 7 makes of the @readme/oas-examples documents right now, offline: generated again in memory
// and compared, and `node scripts/openapi-fixtures.mjs --check` run with the network cut off.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

type FixtureScript = {
  DOCUMENTS: Record<string, string>
  generate(name: string): Promise<string>
  fixturePath(name: string): string
}
const SCRIPT = new URL('../../scripts/openapi-fixtures.mjs', import.meta.url)
const require = createRequire(import.meta.url)

/**
 * Loaded before the script in the child process: any socket or fetch fails, so a generator that
 * reached for the network (an external $ref, a remote document) would fail the check.
 */
const OFFLINE = `
import net from 'node:net'
const cut = () => { throw new Error('openapi-fixtures: network used') }
net.Socket.prototype.connect = cut
globalThis.fetch = cut
`

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(OFFLINE)}`, fileURLToPath(SCRIPT), ...args],
    {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
    },
  )
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })))
}

describe('OpenAPI fixtures', () => {
  it('are what openapi-typescript 7 generates from the documents now', async () => {
    const { DOCUMENTS, generate, fixturePath } = (await import(SCRIPT.href)) as FixtureScript
    expect(Object.keys(DOCUMENTS)).toEqual(['petstore', 'response-multiple-mediatypes', 'parameters-common', 'parameters-style'])
    expect((require('openapi-typescript/package.json') as { version: string }).version).toMatch(/^7\./)
    for (const name of Object.keys(DOCUMENTS)) {
      const committed = readFileSync(fixturePath(name), 'utf8')
      expect(committed.split('\n', 1)[0]).toContain(DOCUMENTS[name])
      // A whole-file comparison: on a mismatch vitest prints the diff.
      expect(await generate(name), `${fixturePath(name)} is stale: run node scripts/openapi-fixtures.mjs`).toBe(committed)
    }
  })

  it('--check passes with the network cut off', async () => {
    const { code, stderr } = await run(['--check'])
    expect(stderr).toBe('')
    expect(code).toBe(0)
  })

  it('the network cut-off works (it is what makes the check above an offline one)', async () => {
    const child = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const probe = spawn(process.execPath, [
        '--import',
        `data:text/javascript,${encodeURIComponent(OFFLINE)}`,
        '-e',
        "require('node:net').connect(80, '127.0.0.1')",
      ])
      let stderr = ''
      probe.stderr.on('data', (chunk) => (stderr += chunk))
      probe.on('exit', (code) => resolve({ code, stderr }))
    })
    expect(child.code).not.toBe(0)
    expect(child.stderr).toContain('openapi-fixtures: network used')
  })
})
