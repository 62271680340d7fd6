// cache() on every runtime, over the fetch core: the memory store, the Web Crypto keyed hashes and
// the stored body turned back into an answer must work on Node, Bun, Deno and workerd alike. The
// server's `/cache/doc` (cache-routes.ts) counts what it is asked per `key`, a new one per case and
// run; test/middleware/cache.test.ts has the RFC 9111 details on Node's two cores.
import type { Case, Context } from './assert.js'
import { check, equal } from './assert.js'
import type { CacheSeen } from './cache-routes.js'

type Doc = { n: number; who: string; pad: string }

const KEY = 'conformance-cache-key-0123456789'
const unique = (ctx: Context): string => `${ctx.runtime}-${Math.random().toString(36).slice(2)}`

/** A client with cache() (its own memory store unless given one) and more options. */
const cached = (ctx: Context, cacheOptions: Parameters<Context['lib']['middleware']['cache']>[0] = {}, headers = {}) =>
  ctx.lib.core.createClient({ baseURL: ctx.url, core: 'fetch', headers, middleware: [ctx.lib.middleware.cache(cacheOptions)] })

/** What the server saw of `key`, asked without a cache. */
async function seen(ctx: Context, key: string): Promise<CacheSeen> {
  await using plain = ctx.lib.core.createClient({ baseURL: ctx.url, core: 'fetch' })
  return (await plain.get<CacheSeen>('/cache/seen', { query: { key } })).data
}

export const cacheCases: Record<string, Case> = {
  async 'cache: a fresh answer is served again without a request (hit, with Age)'(ctx) {
    await using api = cached(ctx)
    const key = unique(ctx)
    const first = await api.get<Doc>('/cache/doc', { query: { key } })
    const second = await api.get<Doc>('/cache/doc', { query: { key } })
    equal([first.cache, second.cache, second.status], ['miss', 'hit', 200], '[first, second, status]')
    equal(second.data, first.data, 'the stored body')
    check(/^\d+$/.test(second.headers.get('age') ?? ''), `Age on the hit: ${second.headers.get('age')}`)
    equal(second.headers.get('x-served'), '1', 'X-Served of the hit (the first answer)')
    equal((await seen(ctx, key)).full, 1, 'requests the server got')
  },
  async "cache: a 304 revalidates: the stored body, status 200, 'revalidated', the 304's headers"(ctx) {
    await using api = cached(ctx)
    const key = unique(ctx)
    const query = { key, etag: 1, cc: 'max-age=0' }
    const first = await api.get<Doc>('/cache/doc', { query })
    const again = await api.get<Doc>('/cache/doc', { query })
    equal([first.cache, again.cache, again.status, again.ok], ['miss', 'revalidated', 200, true], '[first, again, status, ok]')
    equal(again.data, first.data, 'the stored body (n: 1)')
    equal([first.headers.get('x-served'), again.headers.get('x-served')], ['1', '2'], 'X-Served refreshed by the 304')
    equal(again.headers.get('etag'), first.headers.get('etag'), 'ETag')
    const third = await api.get<Doc>('/cache/doc', { query })
    equal([third.cache, third.data.n, third.headers.get('x-served')], ['revalidated', 1, '3'], '[third, n, X-Served]')
    const s = await seen(ctx, key)
    const etag = first.headers.get('etag')
    equal([s.full, s.notModified, s.conditional], [1, 2, [null, etag, etag]], '[full, 304s, If-None-Match sent]')
  },
  async "cache: two Authorization tokens get two full answers; neither sends the other's ETag"(ctx) {
    const store = ctx.lib.middleware.createMemoryCacheStore()
    await using alice = cached(ctx, { store, key: KEY }, { authorization: 'Bearer alice-conformance' })
    await using bob = cached(ctx, { store, key: KEY }, { authorization: 'Bearer bob-conformance' })
    const key = unique(ctx)
    // Stale at once, with an ETag: were the identities mixed up, the second would revalidate with the first's.
    const query = { key, etag: 1, cc: 'private, max-age=0' }
    const a1 = await alice.get<Doc>('/cache/doc', { query })
    const b1 = await bob.get<Doc>('/cache/doc', { query })
    equal([a1.cache, b1.cache], ['miss', 'miss'], '[alice, bob] first')
    check(a1.data.who !== b1.data.who, 'the server told the callers apart')
    const [a2, b2] = [await alice.get<Doc>('/cache/doc', { query }), await bob.get<Doc>('/cache/doc', { query })]
    equal([a2.cache, a2.data, b2.cache, b2.data], ['revalidated', a1.data, 'revalidated', b1.data], '[alice, body, bob, body] again')
    const s = await seen(ctx, key)
    const [ea, eb] = [a1.headers.get('etag'), b1.headers.get('etag')]
    check(ea && eb && ea !== eb, `two ETags: ${ea}, ${eb}`)
    equal([s.full, s.conditional], [2, [null, null, ea, eb]], '[full answers, If-None-Match sent]')
  },
  async 'cache: a successful POST to the URL drops the stored answer'(ctx) {
    await using api = cached(ctx)
    const key = unique(ctx)
    await api.get('/cache/doc', { query: { key } })
    equal((await api.get('/cache/doc', { query: { key } })).cache, 'hit', 'before the POST')
    const posted = await api.post('/cache/doc', { query: { key }, json: { change: 1 } })
    equal([posted.status, posted.cache], [204, undefined], '[POST status, cache]')
    const after = await api.get<Doc>('/cache/doc', { query: { key } })
    equal([after.cache, after.data.n], ['miss', 2], '[after the POST, n]')
    const s = await seen(ctx, key)
    equal([s.full, s.posts], [2, 1], '[full answers, POSTs]')
  },
  async "cache: stale-if-error answers a 503 with the stored body, 'stale'"(ctx) {
    await using api = cached(ctx)
    const key = unique(ctx)
    const query = { key, fail: 'after1', cc: 'max-age=0, stale-if-error=60' }
    const first = await api.get<Doc>('/cache/doc', { query })
    const stale = await api.get<Doc>('/cache/doc', { query })
    equal([first.cache, stale.cache, stale.status, stale.data], ['miss', 'stale', 200, first.data], '[first, stale, status, body]')
    const s = await seen(ctx, key)
    equal([s.full, s.failed], [1, 1], '[full answers, 503s]')
  },
  async 'cache: concurrent misses of one resource make one request'(ctx) {
    await using api = cached(ctx)
    const key = unique(ctx)
    const all = await Promise.all(Array.from({ length: 10 }, () => api.get<Doc>('/cache/doc', { query: { key, delay: 150 } })))
    equal((await seen(ctx, key)).full, 1, 'requests the server got')
    equal(all.map((r) => r.cache).sort(), ['hit', 'hit', 'hit', 'hit', 'hit', 'hit', 'hit', 'hit', 'hit', 'miss'], 'how each was answered')
    check(
      all.every((r) => r.data.n === 1),
      `bodies: ${JSON.stringify(all.map((r) => r.data.n))}`,
    )
  },
  async 'cache: the memory store stays within maxBytes, least recently used out first'(ctx) {
    const maxBytes = 64 * 1024
    const store = ctx.lib.middleware.createMemoryCacheStore({ maxBytes })
    await using api = cached(ctx, { store })
    const run = unique(ctx)
    const sizes: number[] = []
    for (let i = 0; i < 24; i++) {
      equal((await api.get('/cache/doc', { query: { key: `${run}-${i}`, size: 8 * 1024 } })).cache, 'miss', `doc ${i}`)
      sizes.push(store.bytes)
      check(store.bytes <= maxBytes, `after doc ${i}: ${store.bytes} bytes > ${maxBytes}`)
    }
    check(store.entries > 0 && store.entries < 24, `variants kept: ${store.entries}`)
    check(Math.max(...sizes) > maxBytes / 2, `it filled up: ${sizes.join(', ')}`)
    equal((await api.get('/cache/doc', { query: { key: `${run}-23`, size: 8 * 1024 } })).cache, 'hit', 'the newest')
    equal((await api.get('/cache/doc', { query: { key: `${run}-0`, size: 8 * 1024 } })).cache, 'miss', 'the oldest (evicted)')
    // One answer larger than the whole store is not stored, and evicts nothing.
    const before = store.entries
    for (const _ of [1, 2])
      equal((await api.get('/cache/doc', { query: { key: `${run}-big`, size: 100 * 1024 } })).cache, 'miss', 'the large one')
    check(store.bytes <= maxBytes && store.entries === before, `after the large one: ${store.bytes} bytes, ${store.entries} variants`)
  },
}
