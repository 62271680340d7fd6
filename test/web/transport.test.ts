// The fetch-only edge (src/web/), which Cloudflare Workers, Bun and browsers load in place of the
// undici transport: its refusals, unit-tested here, and the client built for workerd, bundled as a
// Workers build would bundle it and run on Node's global fetch against a real server.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { build } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type * as Fetchline from '../../src/index.js'
import { checkTransport, runtimeName } from '../../src/web/transport.js'
import { startServer } from '../helpers/server.js'

describe('checkTransport on a runtime without a working undici Agent', () => {
  it("refuses core: 'undici', naming the runtime and saying to use the fetch core", () => {
    vi.stubGlobal('Bun', {})
    try {
      expect(() => checkTransport({ baseURL: 'https://api.test', core: 'undici' })).toThrow(
        "core: 'undici' needs an undici Agent, and Bun has no working one (fetchline sends through the platform's fetch there): leave core unset to use the fetch core",
      )
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('refuses pool, naming the runtime and saying to leave it out', () => {
    vi.stubGlobal('navigator', { userAgent: 'Cloudflare-Workers' })
    try {
      expect(() => checkTransport({ baseURL: 'https://api.test', pool: { connections: 4 } })).toThrow(
        /^pool configures an undici Agent, and Cloudflare Workers has no working one .*: leave pool out$/,
      )
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('accepts the fetch core, and names a runtime it does not know plainly', () => {
    expect(() => checkTransport({ baseURL: 'https://api.test', core: 'fetch' })).not.toThrow()
    expect(runtimeName()).toBe('this runtime')
  })
})

describe('the client bundled for workerd', () => {
  let dir: string
  let fetchline: typeof Fetchline
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fetchline-workerd-'))
    const outfile = join(dir, 'client.mjs')
    await build({
      stdin: { contents: "export * from 'fetchline-http'", resolveDir: process.cwd(), loader: 'js' },
      bundle: true,
      platform: 'neutral',
      mainFields: ['browser', 'module', 'main'],
      conditions: ['workerd', 'worker', 'browser'],
      format: 'esm',
      outfile,
      logLevel: 'silent',
    })
    fetchline = (await import(pathToFileURL(outfile).href)) as typeof Fetchline
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('times out a hanging request through the per-attempt signal', async () => {
    const server = await startServer('hang')
    const client = fetchline.createClient({ baseURL: server.url })
    const error = await client.get('/slow', { timeout: 150 }).catch((e: unknown) => e)
    expect(fetchline.isTimeoutError(error)).toBe(true)
    expect((error as Fetchline.TimeoutError).limit).toBe('attempt')
    await client.close()
  })

  it('close() waits for the request in flight, then rejects new ones; on an idle client it resolves', async () => {
    const server = await startServer((_req, res) => setTimeout(() => res.end('late'), 100))
    const client = fetchline.createClient({ baseURL: server.url })
    const inflight = client.get('/', { responseType: 'text' })
    const closed = client.close()
    await expect(client.get('/')).rejects.toMatchObject({ name: 'ClientClosedError' })
    await expect(inflight).resolves.toMatchObject({ status: 200, data: 'late' })
    await expect(closed).resolves.toBeUndefined()
    await expect(fetchline.createClient({ baseURL: server.url }).close()).resolves.toBeUndefined()
  })

  it('looks the platform fetch up on every call, so a fetch patched after creation is used', async () => {
    const client = fetchline.createClient({ baseURL: 'https://api.test' })
    const patched = vi.fn(async () => Response.json({ patched: true }))
    vi.stubGlobal('fetch', patched)
    try {
      await expect(client.get('/x')).resolves.toMatchObject({ data: { patched: true } })
      expect(patched).toHaveBeenCalledTimes(1)
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it("fails at createClient for core: 'undici' and for pool", () => {
    expect(() => fetchline.createClient({ baseURL: 'https://api.test', core: 'undici' })).toThrow(/^core: 'undici' needs an undici Agent/)
    expect(() => fetchline.createClient({ baseURL: 'https://api.test', pool: {} })).toThrow(/^pool configures an undici Agent/)
  })
})
