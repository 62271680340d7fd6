// cache(): RFC 9111 for a private cache, black-box against a real node:http "vendor" on both cores.
// Cases follow RFC 9111's sections and the peers' suites where they apply: undici's
// test/cache-interceptor (304 refreshes headers: undici#5505; no-cache stores and revalidates:
// undici#5515), got's cacheable-request (Vary, no-store), and http-tests/cache-tests (the whole
// suite runs as its own CI part: test/cache-tests/run.ts).
import type { IncomingMessage, ServerResponse } from 'node:http'
import { describe, expect, it } from 'vitest'
import { cache, createMemoryCacheStore } from '../../middleware/cache.js'
import { createClient, HTTPError } from '../../src/index.js'
import { startServer } from '../helpers/server.js'

type Handler = (req: IncomingMessage, res: ServerResponse) => void

/** A vendor answering `/doc` with `headers`, 304 to a matching If-None-Match, counting each kind. */
function vendor(headers: Record<string, string>, body: unknown = { login: 'octocat' }) {
  const counts = { full: 0, notModified: 0, conditional: [] as Array<string | undefined> }
  const handler: Handler = (req, res) => {
    counts.conditional.push(req.headers['if-none-match'])
    if (headers.etag && req.headers['if-none-match'] === headers.etag) {
      counts.notModified++
      res.writeHead(304, { etag: headers.etag, 'x-ratelimit-remaining': String(5000 - counts.notModified) })
      return res.end()
    }
    counts.full++
    res.writeHead(200, { 'content-type': 'application/json', ...headers })
    res.end(JSON.stringify(body))
  }
  return { counts, handler }
}

describe.each(['fetch', 'undici'] as const)('cache() on the %s core', (core) => {
  async function setup(handler: Handler, options: Parameters<typeof cache>[0] = {}, headers: Record<string, string> = {}) {
    const server = await startServer(handler)
    const client = createClient({ baseURL: server.url, core, headers, middleware: [cache(options)] })
    return { server, client }
  }

  it('serves a fresh answer without a request, with its Age (§4.2, §5.1)', async () => {
    const { counts, handler } = vendor({ 'cache-control': 'max-age=60' })
    const { client } = await setup(handler)
    const first = await client.get('/doc')
    const second = await client.get('/doc')
    expect([first.cache, second.cache]).toEqual(['miss', 'hit'])
    expect(second.data).toEqual({ login: 'octocat' })
    // Age counts from the Date header, whole seconds: a hit a moment later is 0 or 1 s old.
    expect(Number(second.headers.get('age'))).toBeLessThanOrEqual(1)
    expect(counts.full).toBe(1)
    expect(second.data).not.toBe(first.data) // each caller gets its own object
  })

  it('revalidates a stale answer with If-None-Match: a 304 is the stored body, status 200, headers refreshed (§4.3.4, undici#5505)', async () => {
    const { counts, handler } = vendor({ 'cache-control': 'max-age=0', etag: '"v1"', 'x-ratelimit-remaining': '5000' })
    const { client } = await setup(handler)
    await client.get('/doc')
    const again = await client.get('/doc')
    expect(again.cache).toBe('revalidated')
    expect(again.status).toBe(200)
    expect(again.data).toEqual({ login: 'octocat' })
    expect(again.headers.get('x-ratelimit-remaining')).toBe('4999')
    expect(counts.conditional).toEqual([undefined, '"v1"'])
    expect((await client.get('/doc')).headers.get('x-ratelimit-remaining')).toBe('4998')
  })

  it('revalidates with If-Modified-Since from Last-Modified', async () => {
    const modified = new Date(Date.now() - 86_400_000).toUTCString()
    const seen: Array<string | undefined> = []
    const { client } = await setup((req, res) => {
      seen.push(req.headers['if-modified-since'])
      if (req.headers['if-modified-since'] === modified) return void res.writeHead(304).end()
      res.writeHead(200, { 'cache-control': 'no-cache', 'last-modified': modified }).end('text')
    })
    await client.get('/doc')
    const again = await client.get('/doc')
    expect([again.cache, again.data]).toEqual(['revalidated', 'text'])
    expect(seen).toEqual([undefined, modified])
  })

  it('never stores no-store; stores no-cache and always revalidates it (undici#5515)', async () => {
    const noStore = vendor({ 'cache-control': 'no-store, max-age=60', etag: '"a"' })
    const a = await setup(noStore.handler)
    await a.client.get('/doc')
    expect((await a.client.get('/doc')).cache).toBe('miss')
    expect(noStore.counts.conditional).toEqual([undefined, undefined])
    const noCache = vendor({ 'cache-control': 'no-cache, max-age=60', etag: '"b"' })
    const b = await setup(noCache.handler)
    await b.client.get('/doc')
    expect((await b.client.get('/doc')).cache).toBe('revalidated')
    expect(noCache.counts.conditional).toEqual([undefined, '"b"'])
  })

  it('never stores Vary: *, and keeps one variant per Vary value', async () => {
    const star = vendor({ 'cache-control': 'max-age=60', vary: '*' })
    const a = await setup(star.handler)
    await a.client.get('/doc')
    expect((await a.client.get('/doc')).cache).toBe('miss')
    let n = 0
    const b = await setup((req, res) => {
      n++
      res.writeHead(200, { 'cache-control': 'max-age=60', vary: 'Accept-Language' }).end(`${req.headers['accept-language']}`)
    })
    const get = (lang: string) => b.client.get('/doc', { headers: { 'accept-language': lang } })
    expect((await get('en')).data).toBe('en')
    expect((await get('fr')).data).toBe('fr')
    const [en, fr] = [await get('en'), await get('fr')]
    expect([en.cache, en.data, fr.cache, fr.data, n]).toEqual(['hit', 'en', 'hit', 'fr', 2])
  })

  it('keeps identities apart: another token neither sees the entry nor sends its ETag', async () => {
    const { counts, handler } = vendor({ 'cache-control': 'private, max-age=60', etag: '"t"' })
    const server = await startServer(handler)
    const store = createMemoryCacheStore()
    const as = (token: string) =>
      createClient({
        baseURL: server.url,
        core,
        headers: { authorization: `Bearer ${token}` },
        middleware: [cache({ store, key: 'k'.repeat(32) })],
      })
    const alice = as('alice-token')
    const bob = as('bob-token')
    expect((await alice.get('/doc')).cache).toBe('miss')
    expect((await alice.get('/doc')).cache).toBe('hit')
    expect((await bob.get('/doc')).cache).toBe('miss')
    expect(counts.conditional).toEqual([undefined, undefined])
    expect((await alice.get('/doc?access_token=x')).cache).toBe('miss') // a secret query value is a credential too
  })

  it("drops every identity's copy when an unsafe method succeeds on the URL or names it in Location (§4.4)", async () => {
    const { counts, handler } = vendor({ 'cache-control': 'max-age=60' })
    const { client } = await setup((req, res) => {
      if (req.method === 'POST') return void res.writeHead(201, { location: '/doc' }).end()
      if (req.method === 'DELETE') return void res.writeHead(500).end()
      handler(req, res)
    })
    await client.get('/doc')
    await client.get('/doc', { headers: { authorization: 'Bearer other' } })
    await client.post('/docs', { json: {} })
    expect((await client.get('/doc')).cache).toBe('miss')
    expect((await client.get('/doc', { headers: { authorization: 'Bearer other' } })).cache).toBe('miss')
    await expect(client.delete('/doc')).rejects.toBeInstanceOf(HTTPError) // a failed one changes nothing
    expect((await client.get('/doc')).cache).toBe('hit')
    expect(counts.full).toBe(4)
  })

  it('answers stale on a 5xx and on a refused connection within stale-if-error; not past it, not under must-revalidate', async () => {
    let fail = false
    const server = await startServer((req, res) => {
      if (fail) return void res.writeHead(503).end()
      res.writeHead(200, { 'cache-control': `max-age=0, stale-if-error=60${req.url === '/strict' ? ', must-revalidate' : ''}` }).end('ok')
    })
    const client = createClient({ baseURL: server.url, core, middleware: [cache()] })
    await client.get('/doc')
    await client.get('/strict')
    fail = true
    const stale = await client.get('/doc')
    expect([stale.cache, stale.status, stale.data]).toEqual(['stale', 200, 'ok'])
    await expect(client.get('/strict')).rejects.toMatchObject({ status: 503 })
    await server.close()
    expect((await client.get('/doc')).cache).toBe('stale')
  })

  it('serves stale while it revalidates in the background (stale-while-revalidate)', async () => {
    let n = 0
    const { client } = await setup((_req, res) => {
      n++
      res.writeHead(200, { 'cache-control': 'max-age=0, stale-while-revalidate=60' }).end(`v${n}`)
    })
    await client.get('/doc')
    const stale = await client.get('/doc')
    expect([stale.cache, stale.data]).toEqual(['stale', 'v1'])
    await expect.poll(() => n).toBe(2)
    await expect.poll(async () => (await client.get('/doc')).data).toBe('v2')
  })

  it('makes one request for concurrent misses of one resource by one identity, one per identity', async () => {
    const { counts, handler } = vendor({ 'cache-control': 'max-age=60' })
    const { client } = await setup((req, res) => setTimeout(() => handler(req, res), 30))
    const calls = Array.from({ length: 20 }, (_, i) => client.get('/doc', { headers: { authorization: `Bearer ${i % 2}` } }))
    const results = await Promise.all(calls)
    expect(counts.full).toBe(2)
    expect(results.filter((r) => r.cache === 'miss')).toHaveLength(2)
    expect(results.every((r) => (r.data as { login: string }).login === 'octocat')).toBe(true)
  })

  it('gives answers that say nothing a TTL only when asked, per route', async () => {
    const { counts, handler } = vendor({})
    const { client } = await setup(handler, { defaultTtl: { '/users/{id}': 60_000 } })
    await client.get('/users/{id}', { params: { id: 1 } })
    expect((await client.get('/users/{id}', { params: { id: 1 } })).cache).toBe('hit')
    await client.get('/doc')
    expect((await client.get('/doc')).cache).toBe('miss')
    expect(counts.full).toBe(3)
  })

  it('stores a 404 with max-age and throws its HTTPError again on a hit', async () => {
    const { client } = await setup((_req, res) =>
      res.writeHead(404, { 'cache-control': 'max-age=60', 'content-type': 'application/json' }).end('{"message":"Not Found"}'),
    )
    await expect(client.get('/gone')).rejects.toBeInstanceOf(HTTPError)
    const error = await client.get('/gone').catch((e: HTTPError) => e)
    expect((error as HTTPError).response).toMatchObject({ status: 404, cache: 'hit', data: { message: 'Not Found' } })
  })

  it('honours the request: no-cache revalidates, max-age=0 revalidates, only-if-cached answers 504 on a miss', async () => {
    const { counts, handler } = vendor({ 'cache-control': 'max-age=60', etag: '"r"' })
    const { client } = await setup(handler, {}, {})
    await expect(client.get('/doc', { headers: { 'cache-control': 'only-if-cached' } })).rejects.toMatchObject({ status: 504 })
    await client.get('/doc')
    expect((await client.get('/doc', { headers: { 'cache-control': 'no-cache' } })).cache).toBe('revalidated')
    expect((await client.get('/doc', { headers: { 'cache-control': 'max-age=0' } })).cache).toBe('revalidated')
    expect((await client.get('/doc', { headers: { 'cache-control': 'only-if-cached' } })).cache).toBe('hit')
    expect(counts.full).toBe(1)
  })

  it("lets the caller's own conditional, a body, a stream and other methods pass through", async () => {
    const { counts, handler } = vendor({ 'cache-control': 'max-age=60', etag: '"p"' })
    const { client } = await setup(handler)
    await client.get('/doc')
    const own = await client.get('/doc', { headers: { 'if-none-match': '"p"' }, throwHttpErrors: false })
    expect([own.status, own.cache]).toEqual([304, undefined])
    const stream = await client.get('/doc', { responseType: 'stream' })
    expect(stream.cache).toBeUndefined()
    await new Response(stream.data as ReadableStream).text()
    expect((await client.head('/doc')).cache).toBeUndefined()
    expect(counts.full).toBe(3)
  })

  it('reads a hit as the caller asks: text, arrayBuffer, blob', async () => {
    const { client } = await setup(vendor({ 'cache-control': 'max-age=60' }).handler)
    await client.get('/doc')
    expect((await client.get('/doc', { responseType: 'text' })).data).toBe('{"login":"octocat"}')
    const bytes = (await client.get('/doc', { responseType: 'arrayBuffer' })).data as ArrayBuffer
    expect(new TextDecoder().decode(bytes)).toBe('{"login":"octocat"}')
    const hit = await client.get('/doc', { responseType: 'blob' })
    expect(await (hit.data as Blob).text()).toBe('{"login":"octocat"}')
    expect(await hit.raw.json()).toEqual({ login: 'octocat' })
  })
})

describe('cache() options', () => {
  it('says what to fix', () => {
    const shared = { ...createMemoryCacheStore(), shared: true }
    expect(() => cache({ store: shared })).toThrow(/shared store needs options.key/)
    expect(() => cache({ key: 'short' })).toThrow(/at least 16/)
    expect(() => cache({ store: {} as never })).toThrow(/lacks get, set, invalidate, lock/)
    expect(() => cache({ ttl: 5 } as never)).toThrow(/unknown option "ttl"/)
    expect(() => cache({ defaultTtl: -1 })).toThrow(/defaultTtl must be a number of milliseconds/)
  })
})
