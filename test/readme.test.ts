// The README's runnable blocks, run as a reader would run them: each block is taken from README.md
// (or the reference page the README links to, docs/middleware.md for trace()) at test time (so a
// change to the page is what gets tested), its example URL pointed at a local
// node:http server, compiled from TypeScript and run in a fresh Node process against the built
// package (`import 'fetchline-http'` resolves to dist/ through the package's own exports: run
// `npm run build` first; `npm test` does). docs:check type-checks the same blocks.
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { type Seen, startServer } from './helpers/server.js'

const EXAMPLE_ORIGIN = 'https://api.example.com'

/** The first ```ts block of `page` after the line (a heading, a paragraph) that starts with `heading`. */
function blockAfter(heading: string, page = 'README.md'): string {
  const text = readFileSync(new URL(`../${page}`, import.meta.url), 'utf8')
  const at = text.split('\n').findIndex((line) => line.startsWith(heading))
  if (at === -1) throw new Error(`${page} has no line starting "${heading}"`)
  const rest = text
    .split('\n')
    .slice(at + 1)
    .join('\n')
  const block = /^```ts\n([\s\S]*?)^```$/m.exec(rest)
  if (!block?.[1]) throw new Error(`${page} has no ts block after "${heading}"`)
  return block[1]
}

type Run = { code: number | null; stdout: string; stderr: string; resources: string[] }

/**
 * Runs a block with its example origin replaced by `origin`. The script reports, as its last
 * act, the handles still open (`process.getActiveResourcesInfo()`): a client left open shows as a
 * socket there, whether or not it would keep the process waiting.
 */
async function runBlock(block: string, origin: string, env: Record<string, string> = {}, compile = true): Promise<Run> {
  expect(block, `the block calls ${EXAMPLE_ORIGIN}`).toContain(EXAMPLE_ORIGIN)
  const source = block.replaceAll(EXAMPLE_ORIGIN, origin)
  const { outputText } = compile
    ? ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 } })
    : { outputText: source }
  const script = `${outputText}\nconsole.log('OPEN HANDLES', JSON.stringify(process.getActiveResourcesInfo()))\n`
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: new URL('..', import.meta.url),
    env: { ...process.env, ...env },
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => (stdout += chunk))
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  const reported = /^OPEN HANDLES (.*)$/m.exec(stdout)?.[1]
  return { code, stdout, stderr, resources: reported ? (JSON.parse(reported) as string[]) : [] }
}

const line = (seen: Seen): string => `${seen.method} ${seen.url}`

describe('README', () => {
  it('the Quick start runs as written, and the server sees what it says it sends', async () => {
    const server = await startServer((_req, res, seen) => {
      const reply = (status: number, json: unknown, headers: Record<string, string> = {}): void => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(json))
      }
      if (seen.url === '/v1/users/404') return reply(404, { error: 'no such user' })
      if (seen.method === 'GET' && seen.url === '/v1/users/123') return reply(200, { id: 123, name: 'Ada' }, { etag: '"v7"' })
      if (seen.method === 'POST') return reply(201, { ok: true })
      return reply(200, seen.url.startsWith('/v1/users?') ? [] : { ok: true })
    })
    const run = await runBlock(blockAfter('## Quick start'), server.url, { API_TOKEN: 'test-token' })

    expect(run.code, run.stderr).toBe(0)
    expect(server.seen.map(line)).toEqual([
      'GET /v1/users/123',
      'POST /v1/users',
      'POST /v1/oauth/token',
      'GET /v1/users?page=1&page_size=10',
      'PATCH /v1/users/123',
      'GET /v1/users/404',
      'GET /v1',
    ])
    const [, createUser, token, , patch] = server.seen
    expect(createUser?.body.toString()).toBe('{"name":"John"}')
    expect(token?.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/)
    expect(token?.body.toString()).toBe('grant_type=client_credentials')
    expect(patch?.headers['if-match']).toBe('"v7"') // the etag the GET answered with
    expect(patch?.body.toString()).toBe('{"name":"Jo"}')
    // The client's header goes with every call but the health probe, which sends none of them.
    expect(server.seen.slice(0, -1).map((seen) => seen.headers.authorization)).toEqual(Array(6).fill('Bearer test-token'))
    expect(run.stdout).toContain("{ error: 'no such user' }") // the 404's parsed body
    expect(run.stdout).toMatch(/\{\s+ok: true,\s+status: 200,\s+latencyMs: /) // health()
    expect(run.resources).not.toContain('TCPSocketWrap') // close() closed the pool
  })

  it('the try/finally form runs as plain JavaScript on this Node, with no compile step, and closes the client', async () => {
    const server = await startServer({ json: [] })
    const run = await runBlock(blockAfter('In plain JavaScript, `await using`'), server.url, {}, false)

    expect(run.code, run.stderr).toBe(0)
    expect(server.seen.map(line)).toEqual(['GET /v1/users'])
    expect(run.resources).not.toContain('TCPSocketWrap')
  })

  it('the OpenTelemetry block runs, sends traceparent, and leaves nothing open', async () => {
    const server = await startServer({ json: { id: 1 } })
    const run = await runBlock(blockAfter('### `trace(', 'docs/middleware.md'), server.url)

    expect(run.code, run.stderr).toBe(0)
    expect(server.seen.map(line)).toEqual(['GET /users/1'])
    expect(server.seen[0]?.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
    expect(run.stdout).toContain("name: 'GET /users/{id}'") // ConsoleSpanExporter's span
    // The README's block once ended without api.close(): the pool's socket was still open here.
    expect(run.resources).not.toContain('TCPSocketWrap')
  })
})
