// createRedisCacheStore against a real redis-server: the layout cache() relies on (one hash per
// resource, a field per identity, its own expiry inside), the fetch lock, the write cap, and what
// happens when Redis is away. See test/helpers/redis.ts for where Redis comes from and when these skip.
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cache } from '../../middleware/cache.js'
import type { CacheEntry } from '../../src/features/cache-store.js'
import { createClient } from '../../src/index.js'
import { createRedisCacheStore, type RedisLogger } from '../../src/integrations/redis.js'
import { type RedisServer, redisMissing, startRedisServer } from '../helpers/redis.js'
import { refusedPort, type Step, startServer } from '../helpers/server.js'

const skip = redisMissing()

let server: RedisServer
let redis: Redis
let prefixCount = 0
/** A fresh key prefix per test, so tests never see each other's keys. */
const prefix = (): string => `cachetest${process.pid}-${++prefixCount}:`
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const SECRET = 'a-deployment-secret-of-the-test'

/** A vendor resource fresh for 1 s, its ETag constant: 304 to a matching If-None-Match. */
const vendorAnswer: Step = (req, res) => {
  const headers = { 'cache-control': 'max-age=1', etag: '"v1"', 'content-type': 'application/json' }
  if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304, headers).end()
  res.writeHead(200, headers).end(JSON.stringify({ name: 'hello' }))
}

function entry(overrides: Partial<CacheEntry> = {}): CacheEntry {
  return {
    status: 200,
    headers: [
      ['content-type', 'application/octet-stream'],
      ['etag', '"v1"'],
      ['cache-control', 'max-age=60'],
    ],
    body: Uint8Array.from({ length: 256 }, (_, i) => i), // every byte value, in order
    requestTime: 1_780_000_000_000,
    responseTime: 1_780_000_000_042,
    vary: { accept: 'application/json', 'x-tenant': null },
    ...overrides,
  }
}

function captureLogger(): RedisLogger & { warnings: string[]; infos: string[] } {
  const warnings: string[] = []
  const infos: string[] = []
  return { warnings, infos, warn: (message) => void warnings.push(message), info: (message) => void infos.push(message) }
}

describe.skipIf(skip)('createRedisCacheStore (real redis-server)', () => {
  beforeAll(async () => {
    server = process.env.REDIS_URL
      ? { url: process.env.REDIS_URL, port: Number(new URL(process.env.REDIS_URL).port), stop: async () => {}, process: undefined as never }
      : await startRedisServer()
    redis = new Redis(server.url)
  })
  afterAll(async () => {
    await redis?.quit()
    await server?.stop()
  })

  it('gives back the variants it stored: body bytes, headers, vary and times exact, under <prefix>cache:<key>', async () => {
    const p = prefix()
    const store = createRedisCacheStore({ redis, prefix: p })
    const gzip = entry({ status: 203, body: new Uint8Array([0, 255, 0x1f, 0x8b, 10, 13]), vary: { 'accept-encoding': 'gzip' } })
    const empty = entry({ body: new Uint8Array(), headers: [['x-note', 'naïve – ünïcode']] })
    await store.set('res1', 'who1', [entry(), gzip, empty], 60_000)
    const got = await store.get('res1', 'who1')
    expect(got).toEqual([entry(), gzip, empty])
    expect(got?.[0]?.body).toBeInstanceOf(Uint8Array)
    expect([...(got?.[1]?.body ?? [])]).toEqual([0, 255, 0x1f, 0x8b, 10, 13])
    expect(store.shared).toBe(true)
    expect(await store.get('res1', 'someone-else')).toBeUndefined()
    expect(await store.get('other', 'who1')).toBeUndefined()
    expect(await redis.keys(`${p}*`)).toEqual([`${p}cache:res1`])
    expect(await redis.hkeys(`${p}cache:res1`)).toEqual(['who1'])
  })

  it('takes the Redis client itself (prefix fetchline:), or options; anything else is refused with what to pass', async () => {
    const store = createRedisCacheStore(redis)
    const key = `plain${process.pid}`
    await store.set(key, 'f', [entry()], 5_000)
    expect(await redis.hexists(`fetchline:cache:${key}`, 'f')).toBe(1)
    await store.invalidate(key)
    expect(() => createRedisCacheStore(undefined as never)).toThrow(
      /createRedisCacheStore needs a Redis client or the Redis stores' options: createRedisCacheStore\(new Redis\(url\)\)/,
    )
    expect(() => createRedisCacheStore('redis://localhost' as never)).toThrow(/got "redis:\/\/localhost"/)
    expect(() => createRedisCacheStore({ redis: {} } as never)).toThrow(/options.redis must be an ioredis client/)
    expect(() => createRedisCacheStore({ redis, maxEntryByte: 5 } as never)).toThrow(/did you mean "maxEntryBytes"/)
    expect(() => createRedisCacheStore({ redis, maxEntryBytes: 0 })).toThrow(/maxEntryBytes must be a whole number of bytes > 0/)
  })

  it("honours each field's own expiry while the hash lives on for a longer-lived field, and drops the expired one", async () => {
    const p = prefix()
    const store = createRedisCacheStore({ redis, prefix: p })
    await store.set('res', 'short', [entry()], 400)
    await store.set('res', 'long', [entry()], 10_000)
    expect(await store.get('res', 'short')).toHaveLength(1)
    await sleep(450)
    expect(await redis.exists(`${p}cache:res`)).toBe(1) // the hash lives on…
    expect(await store.get('res', 'short')).toBeUndefined() // …but its expired field reads as a miss
    expect(await store.get('res', 'long')).toHaveLength(1)
    for (let i = 0; i < 50 && (await redis.hexists(`${p}cache:res`, 'short')); i++) await sleep(10)
    expect(await redis.hkeys(`${p}cache:res`)).toEqual(['long']) // dropped lazily, the live field left alone
  })

  it('gives the hash the longest TTL of its fields: extended by a longer one, never shortened', async () => {
    const p = prefix()
    const store = createRedisCacheStore({ redis, prefix: p })
    await store.set('res', 'a', [entry()], 5_000)
    const first = await redis.pttl(`${p}cache:res`)
    expect(first).toBeGreaterThan(4_000)
    expect(first).toBeLessThanOrEqual(5_000)
    await store.set('res', 'b', [entry()], 1_000)
    expect(await redis.pttl(`${p}cache:res`)).toBeGreaterThan(4_000) // not shortened
    await store.set('res', 'c', [entry()], 20_000)
    expect(await redis.pttl(`${p}cache:res`)).toBeGreaterThan(15_000) // extended
    await store.set('res', 'a', [entry()], 100) // a field rewritten with a shorter life
    expect(await redis.pttl(`${p}cache:res`)).toBeGreaterThan(15_000)
  })

  it('invalidate drops every field of the resource, and only that resource', async () => {
    const p = prefix()
    const store = createRedisCacheStore({ redis, prefix: p })
    await store.set('res', 'a', [entry()], 60_000)
    await store.set('res', 'b', [entry()], 60_000)
    await store.set('other', 'a', [entry()], 60_000)
    await store.invalidate('res')
    expect(await redis.exists(`${p}cache:res`)).toBe(0)
    expect(await store.get('res', 'a')).toBeUndefined()
    expect(await store.get('res', 'b')).toBeUndefined()
    expect(await store.get('other', 'a')).toHaveLength(1)
  })

  it('locks with NX and an expiry under <prefix>cache:lock:<name>; a release after the lock lapsed leaves the next owner alone', async () => {
    const p = prefix()
    const store = createRedisCacheStore({ redis, prefix: p })
    const other = createRedisCacheStore({ redis, prefix: p }) // another instance of the fleet
    const first = await store.lock('res', 400)
    expect(first).toBeTypeOf('function')
    expect(await redis.get(`${p}cache:lock:res`)).toMatch(/^[0-9a-f-]{36}$/)
    expect(await other.lock('res', 400)).toBeUndefined()
    expect(await store.lock('res', 400)).toBeUndefined()
    expect(await other.lock('another', 400)).toBeTypeOf('function')
    await sleep(450) // lapses by itself
    const second = await other.lock('res', 5_000)
    expect(second).toBeTypeOf('function')
    await first?.() // late: must not free the second's lock
    expect(await store.lock('res', 5_000)).toBeUndefined()
    await second?.()
    expect(await redis.exists(`${p}cache:lock:res`)).toBe(0)
    expect(await store.lock('res', 5_000)).toBeTypeOf('function')
  })

  it('does not store an answer over maxEntryBytes (1 MiB by default), and says nothing', async () => {
    const p = prefix()
    const logger = captureLogger()
    const small = createRedisCacheStore({ redis, prefix: p, maxEntryBytes: 2_000, logger })
    await small.set('big', 'f', [entry({ body: new Uint8Array(1_500) })], 60_000) // 2,000 base64 characters
    await small.set('fits', 'f', [entry({ body: new Uint8Array(1_000) })], 60_000)
    expect(await redis.exists(`${p}cache:big`)).toBe(0)
    expect(await small.get('fits', 'f')).toHaveLength(1)
    const store = createRedisCacheStore({ redis, prefix: p, logger })
    await store.set('mib', 'f', [entry({ body: new Uint8Array(1024 * 1024) })], 60_000)
    await store.set('most', 'f', [entry({ body: new Uint8Array(700 * 1024) })], 60_000) // ~933 KiB encoded
    expect(await redis.exists(`${p}cache:mib`)).toBe(0)
    expect((await store.get('most', 'f'))?.[0]?.body.byteLength).toBe(700 * 1024)
    expect(await redis.hstrlen(`${p}cache:most`, 'f')).toBeLessThanOrEqual(1024 * 1024)
    expect(logger.warnings).toEqual([])
  })

  it('keeps the newest variants that fit together under the cap, in their order', async () => {
    const p = prefix()
    const store = createRedisCacheStore({ redis, prefix: p, maxEntryBytes: 3_000 })
    const sized = (n: number, tag: string) => entry({ body: new Uint8Array(n), vary: { accept: tag } })
    await store.set('res', 'f', [sized(600, 'a'), sized(600, 'b'), sized(3_000, 'huge'), sized(600, 'c'), sized(600, 'd')], 60_000)
    const kept = await store.get('res', 'f')
    expect(kept?.map((e) => e.vary.accept)).toEqual(['b', 'c', 'd']) // 'huge' alone is over; 'a' no longer fits
    expect(await redis.hstrlen(`${p}cache:res`, 'f')).toBeLessThanOrEqual(3_000)
  })

  it('a write replaces the field: with no variants, no time left, or none that fits, the old one goes', async () => {
    const p = prefix()
    const store = createRedisCacheStore({ redis, prefix: p, maxEntryBytes: 2_000 })
    for (const [entries, ttl] of [
      [[], 0],
      [[entry()], 0],
      [[entry({ body: new Uint8Array(5_000) })], 60_000],
    ] as const) {
      await store.set('res', 'f', [entry()], 60_000)
      await store.set('res', 'other', [entry()], 60_000)
      await store.set('res', 'f', entries, ttl)
      expect(await store.get('res', 'f')).toBeUndefined()
      expect(await store.get('res', 'other')).toHaveLength(1) // the other identity's copy stays
    }
  })

  it('reads a corrupt, foreign or other-format value as a miss, and never throws', async () => {
    const p = prefix()
    const logger = captureLogger()
    const store = createRedisCacheStore({ redis, prefix: p, logger })
    const now = Date.now() + 60_000
    const values = {
      text: 'not json at all',
      truncated: `{"e":${now},"v":1,"x":[{"s":200`,
      version: JSON.stringify({ e: now, v: 2, x: [] }),
      shape: JSON.stringify({ e: now, v: 1, x: [{ s: 200, h: 'content-type: x', b: '', q: 1, r: 2, y: {} }] }),
      status: JSON.stringify({ e: now, v: 1, x: [{ s: 'ok', h: [], b: '', q: 1, r: 2, y: {} }] }),
      vary: JSON.stringify({ e: now, v: 1, x: [{ s: 200, h: [], b: '', q: 1, r: 2, y: { a: 3 } }] }),
      nothing: 'null',
    }
    for (const [field, value] of Object.entries(values)) await redis.hset(`${p}cache:res`, field, value)
    await redis.set(`${p}cache:string`, 'a string, not a hash')
    for (const field of Object.keys(values)) expect(await store.get('res', field), field).toBeUndefined()
    expect(await store.get('string', 'f')).toBeUndefined() // WRONGTYPE: a miss too…
    await store.set('string', 'f', [entry()], 60_000) // …and a write that is skipped
    expect(await redis.get(`${p}cache:string`)).toBe('a string, not a hash')
    expect(logger.warnings).toEqual([]) // none of it is an outage: Redis stays in use
    await store.set('res', 'text', [entry()], 60_000) // a write replaces the foreign value
    expect(await store.get('res', 'text')).toHaveLength(1)
  })

  describe('through cache()', () => {
    it("two instances share one answer: the second one's first call is a hit, and one 304 refreshes it for both", async () => {
      const vendor = await startServer(vendorAnswer)
      const p = prefix()
      const instance = () =>
        createClient({
          baseURL: vendor.url,
          headers: { authorization: 'Bearer t' },
          middleware: [cache({ store: createRedisCacheStore({ redis, prefix: p }), key: SECRET })],
        })
      await using a = instance()
      await using b = instance()
      expect((await a.get('/r')).cache).toBe('miss')
      const second = await b.get<{ name: string }>('/r')
      expect([second.cache, second.data]).toEqual(['hit', { name: 'hello' }])
      await sleep(1_100)
      expect((await b.get('/r')).cache).toBe('revalidated')
      expect((await a.get('/r')).cache).toBe('hit')
      expect(vendor.seen.map((s) => s.headers['if-none-match'] ?? 'none')).toEqual(['none', '"v1"'])
    })

    it('Redis unreachable: no call fails, the process caches on its own (one request for concurrent callers), one warning', async () => {
      const down = new Redis({ host: '127.0.0.1', port: await refusedPort(), maxRetriesPerRequest: 1 })
      down.on('error', () => {})
      const logger = captureLogger()
      const vendor = await startServer(vendorAnswer)
      try {
        const store = createRedisCacheStore({ redis: down, logger, commandTimeout: 300 })
        await using api = createClient({ baseURL: vendor.url, middleware: [cache({ store, key: SECRET })] })
        const answers = await Promise.all([api.get('/r'), api.get('/r'), api.get('/r')])
        expect(answers.map((r) => r.status)).toEqual([200, 200, 200])
        expect(answers.map((r) => r.cache).sort()).toEqual(['hit', 'hit', 'miss']) // whichever came first asked the vendor
        expect((await api.get('/r')).cache).toBe('hit')
        expect(vendor.seen).toHaveLength(1)
        expect(logger.warnings).toEqual([expect.stringMatching(/falling back to a per-process cache/)])
      } finally {
        down.disconnect()
      }
    })
  })

  describe('when Redis is away', () => {
    it('unreachable from the start: no waiting, no error; entries, invalidation and the lock are per-process; one warning', async () => {
      const down = new Redis({ host: '127.0.0.1', port: await refusedPort(), maxRetriesPerRequest: 1 })
      down.on('error', () => {}) // ioredis reports each failed reconnect; the store's warning is the one that counts
      const logger = captureLogger()
      try {
        const store = createRedisCacheStore({ redis: down, prefix: prefix(), logger, commandTimeout: 300 })
        const other = createRedisCacheStore({ redis: down, prefix: prefix(), logger, commandTimeout: 300 }) // another process
        const started = Date.now()
        expect(await store.get('res', 'f')).toBeUndefined()
        await store.set('res', 'f', [entry()], 60_000)
        expect(await store.get('res', 'f')).toEqual([entry()]) // kept in this process's memory
        expect(await other.get('res', 'f')).toBeUndefined()
        await store.invalidate('res')
        expect(await store.get('res', 'f')).toBeUndefined()
        const release = await store.lock('res', 5_000)
        expect(release).toBeTypeOf('function')
        expect(await store.lock('res', 5_000)).toBeUndefined() // exclusive within the process
        expect(await other.lock('res', 5_000)).toBeTypeOf('function') // not across processes
        await release?.()
        expect(await store.lock('res', 5_000)).toBeTypeOf('function')
        expect(Date.now() - started).toBeLessThan(1_500) // not a command timeout per call
        expect(logger.warnings).toHaveLength(1)
        expect(logger.warnings[0]).toMatch(/^Redis unreachable \(.+\): falling back to a per-process cache/)
      } finally {
        down.disconnect()
      }
    })

    it('slow: a command past commandTimeout is a miss, not a wait', async () => {
      const logger = captureLogger()
      const hanging = { call: () => new Promise<never>(() => {}) }
      const store = createRedisCacheStore({ redis: hanging, logger, commandTimeout: 100 })
      const started = Date.now()
      expect(await store.get('res', 'f')).toBeUndefined()
      expect(Date.now() - started).toBeLessThan(1_000)
      await store.set('res', 'f', [entry()], 60_000) // local now: no wait at all
      expect(await store.get('res', 'f')).toHaveLength(1)
      expect(await store.lock('res', 1_000)).toBeTypeOf('function')
      expect(Date.now() - started).toBeLessThan(1_000)
      expect(logger.warnings).toEqual([expect.stringMatching(/no answer to HGET within 100 ms/)])
    })

    it('stopped mid-run, then back: per-process meanwhile, one warning, then the shared cache again (the local copy dropped)', async () => {
      let own = await startRedisServer()
      const client = new Redis(own.url, { retryStrategy: () => 50 })
      client.on('error', () => {})
      const logger = captureLogger()
      const p = prefix()
      const store = createRedisCacheStore({ redis: client, prefix: p, logger, commandTimeout: 300, recheckAfter: 100 })
      try {
        await store.set('res', 'f', [entry()], 60_000)
        expect(await store.get('res', 'f')).toHaveLength(1)
        await own.stop()
        expect(await store.get('res', 'f')).toBeUndefined() // Redis's copy is out of reach
        await store.set('res', 'f', [entry()], 60_000)
        expect(await store.get('res', 'f')).toHaveLength(1) // kept per process meanwhile
        const release = await store.lock('res', 5_000)
        expect(await store.lock('res', 5_000)).toBeUndefined()
        await release?.()
        expect(logger.warnings).toHaveLength(1)
        own = await startRedisServer(own.port) // an empty Redis on the same port
        for (let i = 0; i < 100 && client.status !== 'ready'; i++) await sleep(20)
        await sleep(150) // past recheckAfter
        expect(await store.get('res', 'f')).toBeUndefined() // asked Redis again: empty
        await store.set('res', 'f', [entry()], 60_000)
        expect(await store.get('res', 'f')).toHaveLength(1)
        expect(await client.hexists(`${p}cache:res`, 'f')).toBe(1)
        expect(logger.warnings).toHaveLength(1)
        expect(logger.infos).toEqual(['Redis is reachable again: the shared cache is back in use'])
        await own.stop() // a second outage: what was kept during the first one is gone
        expect(await store.get('res', 'f')).toBeUndefined()
        expect(logger.warnings).toHaveLength(2)
      } finally {
        client.disconnect()
        await own.stop()
      }
    }, 15_000)
  })
})
