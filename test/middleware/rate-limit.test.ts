import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { health } from '../../middleware/health.js'
import { rateLimit } from '../../middleware/rate-limit.js'
import { timeout } from '../../middleware/timeout.js'
import {
  createClient,
  createMemoryRateLimitStore,
  createTokenCache,
  isRateLimitError,
  isTimeoutError,
  type RateLimitError,
  type TimeoutError,
} from '../../src/index.js'
import { createRedisBreakerStore, createRedisRateLimitStore, createRedisTokenStore } from '../../src/node/redis.js'
import { refusedPort, startServer } from '../helpers/server.js'

describe('createMemoryRateLimitStore (sliding window log)', () => {
  it('lets `limit` through in any window of `interval`, and says how long until the next slot', async () => {
    let clock = 10_000
    const store = createMemoryRateLimitStore(() => clock)
    expect(await Promise.all([1, 2, 3].map(() => store.acquire('k', 3, 1_000)))).toEqual([0, 0, 0])
    expect(await store.acquire('k', 3, 1_000)).toBe(1_000)
    clock += 400
    expect(await store.acquire('k', 3, 1_000)).toBe(600)
    expect(await store.acquire('other', 3, 1_000)).toBe(0) // keys are apart
    clock += 600 // the first three leave the window together
    expect(await store.acquire('k', 3, 1_000)).toBe(0)
    // A fixed window would now allow 3 more at once; the sliding one counts the last second.
    clock += 500
    expect(await Promise.all([1, 2, 3].map(() => store.acquire('k', 3, 1_000)))).toEqual([0, 0, 500])
  })
})

describe('rateLimit()', () => {
  it('makes calls over the limit wait for a slot, so they go out spread over the interval', async () => {
    const server = await startServer(204)
    const admitted: number[] = [] // when the limiter let each call through (the network adds its own jitter)
    await using api = createClient({
      baseURL: server.url,
      middleware: [
        rateLimit({ limit: 2, interval: 300 }),
        (request, next) => {
          admitted.push(Date.now())
          return next(request)
        },
      ],
    })
    const started = Date.now()
    await Promise.all(Array.from({ length: 6 }, () => api.get('/')))
    expect(server.seen).toHaveLength(6)
    // 2 at once, 2 after one interval, 2 after two.
    expect((admitted[5] as number) - started).toBeGreaterThanOrEqual(600 - 2)
    for (let i = 2; i < 6; i++) expect((admitted[i] as number) - (admitted[i - 2] as number)).toBeGreaterThanOrEqual(300 - 2)
  })

  it('fails with RateLimitError, sending nothing, when the wait would be longer than maxWait', async () => {
    const server = await startServer(204)
    await using api = createClient({ baseURL: server.url, middleware: [rateLimit({ limit: 1, interval: 10_000, maxWait: 100 })] })
    await api.get('/first')
    const error = (await api.get('/second').catch((e: unknown) => e)) as RateLimitError
    expect(isRateLimitError(error)).toBe(true)
    expect(error.code).toBe('FL_ERR_RATE_LIMITED')
    expect(error.retryAfter).toBeGreaterThan(9_000)
    expect(error.message).toMatch(/rate limit of 1 per 10000 ms/)
    expect(server.seen.map((s) => s.url)).toEqual(['/first'])
  })

  it.each([
    {
      how: "the caller's signal aborts",
      middleware: () => [rateLimit({ limit: 1, interval: 10_000, maxWait: 10_000 })],
      call: () => ({ signal: AbortSignal.timeout(50) }), // made when the call starts waiting, not when the table is built
      check: (error: unknown) => expect(error).toMatchObject({ name: 'TimeoutError' }),
    },
    {
      how: "a timeout() total deadline passes, as a TimeoutError of limit 'deadline'",
      middleware: () => [timeout({ total: 100 }), rateLimit({ limit: 1, interval: 10_000, maxWait: 10_000 })],
      call: () => ({}),
      check: (error: unknown) => {
        expect(isTimeoutError(error)).toBe(true)
        expect((error as TimeoutError).limit).toBe('deadline')
      },
    },
  ])('ends a wait at once when $how', async ({ middleware, call, check }) => {
    const server = await startServer(204)
    await using api = createClient({ baseURL: server.url, middleware: middleware() })
    await api.get('/first')
    const started = Date.now()
    const error = await api.get('/second', call()).catch((e: unknown) => e)
    check(error)
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(server.seen).toHaveLength(1)
  })

  it('limits per route when asked, and by a key of your own', async () => {
    const server = await startServer(204)
    await using api = createClient({
      baseURL: server.url,
      middleware: [rateLimit({ limit: 1, interval: 10_000, maxWait: 0, perRoute: true })],
    })
    await api.get('/a')
    await api.get('/b') // another route: its own limit
    await api.get('/users/{id}', { params: { id: 1 } })
    await expect(api.get('/users/{id}', { params: { id: 2 } })).rejects.toMatchObject({ code: 'FL_ERR_RATE_LIMITED' }) // same template
    await expect(api.get('/a')).rejects.toMatchObject({ code: 'FL_ERR_RATE_LIMITED' })
    await expect(api.post('/a')).resolves.toMatchObject({ status: 204 }) // another method

    // A key of your own: two clients (two origins) that share one store and key share one limit.
    const other = await startServer(204)
    const store = createMemoryRateLimitStore()
    const limiter = () => rateLimit({ limit: 1, interval: 10_000, maxWait: 0, store, key: 'vendor-account' })
    await using first = createClient({ baseURL: server.url, middleware: [limiter()] })
    await using second = createClient({ baseURL: other.url, middleware: [limiter()] })
    await first.get('/x')
    await expect(second.get('/x')).rejects.toMatchObject({ code: 'FL_ERR_RATE_LIMITED' })
    expect(other.seen).toHaveLength(0)
  })

  it('tells what to fix in bad options', () => {
    expect(() => rateLimit({ limit: 0 })).toThrow('rateLimit: limit must be an integer >= 1, got 0')
    expect(() => rateLimit({ limit: 1.5 })).toThrow(/limit must be an integer/)
    expect(() => rateLimit({ limit: 5, interval: -1 })).toThrow(
      'rateLimit: interval must be a number of milliseconds > 0 and <= 2147483647 (about 24.8 days, the longest a timer can wait), got -1',
    )
    expect(() => rateLimit({ limit: 5, maxWait: -1 })).toThrow(/maxWait must be a number of milliseconds >= 0/)
    expect(() => rateLimit({ limit: 5, store: {} as never })).toThrow(/store must have acquire/)
    expect(() => rateLimit(undefined as never)).toThrow(/rateLimit needs options/)
  })
})

describe('Redis stores when Redis is unreachable from the start', () => {
  it('never show a password the Redis error quotes in their warning', async () => {
    const warnings: string[] = []
    const failing = { call: async () => Promise.reject(new Error('connect ECONNREFUSED redis://default:hunter2@10.0.0.9:6379/0')) }
    const store = createRedisTokenStore({ redis: failing, logger: { warn: (m: string) => void warnings.push(m), info: () => {} } })
    expect(await store.get('k')).toBeUndefined()
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('10.0.0.9:6379')
    expect(warnings[0]).not.toContain('hunter2')
  })

  it('keep tokens, rate limits and the breaker working per process, with one warning for all of them', async () => {
    const redis = new Redis({ host: '127.0.0.1', port: await refusedPort(), lazyConnect: false, maxRetriesPerRequest: 1 })
    redis.on('error', () => {}) // ioredis reports each failed reconnect; the store's warning is the one that counts
    const warnings: string[] = []
    const logger = { warn: (m: string) => void warnings.push(m), info: () => {} }
    const server = await startServer(200)
    try {
      const options = { redis, logger, commandTimeout: 300 }
      let fetches = 0
      const tokens = createTokenCache({
        key: 't',
        store: createRedisTokenStore(options),
        fetchToken: async () => ({ token: `t${++fetches}`, expiresIn: 3600 }),
      })
      await using api = createClient({
        baseURL: server.url,
        middleware: [
          rateLimit({ limit: 100, store: createRedisRateLimitStore(options) }),
          health({ store: createRedisBreakerStore(options) }),
        ],
      })
      const started = Date.now()
      expect(await Promise.all([tokens.get(), tokens.get()])).toEqual(['t1', 't1'])
      for (let i = 0; i < 5; i++) expect((await api.get('/')).status).toBe(200)
      expect(await tokens.get()).toBe('t1') // the per-process store keeps it
      expect(fetches).toBe(1)
      expect(Date.now() - started).toBeLessThan(2_000) // not a command timeout per call
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toMatch(/^Redis unreachable \(.+\): falling back to per-process tokens, rate limits and breaker state/)
    } finally {
      redis.disconnect()
    }
  })
})
