import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { health } from '../../middleware/health.js'
import { rateLimit } from '../../middleware/rate-limit.js'
import { timeout } from '../../middleware/timeout.js'
import { cubicCut, cubicRate } from '../../src/features/stores.js'
import {
  createClient,
  createMemoryRateLimitStore,
  createTokenCache,
  isRateLimitError,
  isTimeoutError,
  type RateLimitError,
  type RatePlan,
  type TimeoutError,
} from '../../src/index.js'
import { createRedisBreakerStore, createRedisRateLimitStore, createRedisTokenStore } from '../../src/integrations/redis.js'
import { refusedPort, startServer } from '../helpers/server.js'

/** A memory store that records what rateLimit() asks (the plan) and what it decides (each wait). */
function recording() {
  const inner = createMemoryRateLimitStore()
  const plans: RatePlan[] = []
  const waits: number[] = []
  const ats: number[] = []
  const store = {
    ...inner,
    async reserve(key: string, plan: RatePlan) {
      plans.push(plan)
      const reservation = await (inner.reserve as NonNullable<typeof inner.reserve>)(key, plan)
      waits.push(reservation.wait)
      ats.push(reservation.at)
      return reservation
    },
  }
  return { store, plans, waits, ats }
}

/**
 * Reservation i lands on slot i: its time on the store's clock plus its wait is the first one's
 * time plus i × spacing (to within float error), however long the calls took to reserve — on a
 * loaded machine three concurrent reservations were 8 ms apart, which a bound on the waits alone
 * took for a fault.
 */
function expectSlots(waits: readonly number[], ats: readonly number[], count: number, spacing: number): void {
  expect(waits).toHaveLength(count)
  const start = ats[0] ?? 0
  const offsets = waits.map((wait, i) => (ats[i] ?? 0) + wait - start - i * spacing)
  expect(
    offsets.every((offset) => Math.abs(offset) < 0.5),
    `waits ${waits.join(', ')} at ${ats.map((at) => (at - start).toFixed(2)).join(', ')} for slots ${spacing} ms apart`,
  ).toBe(true)
}

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

describe('createMemoryRateLimitStore (GCRA)', () => {
  const plan = { rate: 4, interval: 1_000, burst: 1, maxWait: 10_000, adaptive: false }

  it('hands out slots interval / rate apart, burst at once after a quiet spell, and takes none past maxWait', async () => {
    let clock = 10_000
    const store = createMemoryRateLimitStore(() => clock)
    const waits = async (n: number, p = plan) =>
      (await Promise.all(Array.from({ length: n }, () => store.reserve('k', p)))).map((r) => r.wait)
    expect(await waits(4)).toEqual([0, 250, 500, 750]) // a sliding window would say 0, 0, 0, 0
    expect(await store.reserve('k', { ...plan, maxWait: 999 })).toEqual({ wait: 1_000, reserved: false, at: 10_000 })
    expect(await waits(1)).toEqual([1_000]) // the refused call took no slot
    clock += 5_000 // quiet: no credit piles up with burst 1
    expect(await waits(2)).toEqual([0, 250])
    clock += 5_000
    expect(await waits(4, { ...plan, burst: 3 })).toEqual([0, 0, 0, 250])
  })

  it('adaptive: a 429 cuts the rate to 0.7×, once for the calls reserved before the cut, and it grows back (CUBIC) to the limit, never above', async () => {
    let clock = 0
    const store = createMemoryRateLimitStore(() => clock)
    const p = { rate: 50, interval: 1_000, burst: 1, maxWait: 60_000, adaptive: true }
    const spacing = async (): Promise<number> => {
      const a = await store.reserve('k', p)
      const b = await store.reserve('k', p)
      return b.wait - a.wait
    }
    expect(await spacing()).toBe(20)
    const before = await store.reserve('k', p)
    clock += 1_000
    await store.throttled('k', p, before.at)
    await store.throttled('k', p, before.at) // the same overshoot reported twice: one cut
    clock += 1_000 // let the queue drain
    expect(await spacing()).toBeCloseTo(1_000 / cubicRate(50, 47.5, 35, 1), 6)
    expect(cubicRate(50, 50, 35, 0)).toBeCloseTo(35, 6)
    const after = await store.reserve('k', p)
    await store.throttled('k', p, after.at) // reserved after the cut: news, cut again
    // Cut below the last wmax: the limit is lower still, so the curve now flattens at 0.85 × 0.95 × the rate at the cut.
    const cutAt = cubicRate(50, 47.5, 35, 1)
    expect(cubicCut(cutAt, 47.5)).toEqual({ wmax: cutAt * 0.85 * 0.95, start: cutAt * 0.7 })
    expect(await spacing()).toBeCloseTo(1_000 / (0.7 * cutAt), 6)
    expect(cubicRate(50, 30, 21, 0)).toBeCloseTo(21, 6)

    const rates = [1, 3, 5, 7, 9, 11, 13].map((s) => cubicRate(50, 30, 21, s))
    for (let i = 1; i < rates.length; i++) expect(rates[i]).toBeGreaterThanOrEqual(rates[i - 1] as number)
    expect(Math.max(...rates.slice(0, 3))).toBeLessThan(30) // flat below where the vendor said no
    expect(cubicRate(50, 30, 21, 60)).toBe(50) // back to the limit, not above
  })
})

describe('rateLimit()', () => {
  it('spaces calls interval / limit apart by default (GCRA), each waiting for its own slot', async () => {
    const server = await startServer(204)
    const { store, plans, waits, ats } = recording()
    await using api = createClient({ baseURL: server.url, middleware: [rateLimit({ limit: 2, interval: 300, store })] })
    await Promise.all(Array.from({ length: 6 }, () => api.get('/')))
    expect(server.seen).toHaveLength(6)
    expect(plans[0]).toMatchObject({ rate: 2, interval: 300, burst: 1 })
    // Each caller is handed its own slot, 150 ms after the one before (the sliding window would
    // let two go at once, then two more 300 ms later).
    expectSlots(waits, ats, 6, 150)
  })

  it('aims below the limit by headroom', async () => {
    const server = await startServer(204)
    const { store, plans, waits, ats } = recording()
    await using api = createClient({ baseURL: server.url, middleware: [rateLimit({ limit: 10, interval: 500, headroom: 0.5, store })] })
    await Promise.all(Array.from({ length: 3 }, () => api.get('/')))
    expect(plans[0]?.rate).toBe(5) // 5 per 500 ms, not 10
    expectSlots(waits, ats, 3, 100)
  })

  it.each([true, false])(
    'adaptive: a 429 or a 503 with Retry-After slows the next calls (throwHttpErrors: %s); a plain 503 does not',
    async (throwHttpErrors) => {
      const server = await startServer([200, 503, 200, { status: 503, headers: { 'retry-after': '1' } }, 429, 200])
      const store = createMemoryRateLimitStore()
      const reported: number[] = []
      const watched = { ...store, throttled: (key: string, p: RatePlan, at: number) => (reported.push(at), store.throttled(key, p, at)) }
      await using api = createClient({
        baseURL: server.url,
        throwHttpErrors,
        middleware: [rateLimit({ limit: 100, interval: 1_000, adaptive: true, store: watched })],
      })
      for (let i = 0; i < 3; i++) await api.get('/').catch(() => undefined)
      expect(reported).toHaveLength(0) // 503 without Retry-After is an outage, not a limit
      await api.get('/').catch(() => undefined)
      expect(reported).toHaveLength(1)
      await api.get('/').catch(() => undefined) // 429, on a call reserved after that cut: cut again
      expect(reported).toHaveLength(2)
      const a = await store.reserve(server.url, { rate: 100, interval: 1_000, burst: 1, maxWait: 60_000, adaptive: true })
      const b = await store.reserve(server.url, { rate: 100, interval: 1_000, burst: 1, maxWait: 60_000, adaptive: true })
      expect(b.wait - a.wait).toBeGreaterThan(19) // two cuts: about 49/s now, from 100/s
    },
  )

  it("algorithm: 'sliding-window' lets `limit` go in any interval, then waits for a slot", async () => {
    const server = await startServer(204)
    const admitted: number[] = [] // when the limiter let each call through (the network adds its own jitter)
    await using api = createClient({
      baseURL: server.url,
      middleware: [
        rateLimit({ limit: 2, interval: 300, algorithm: 'sliding-window' }),
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
    expect(() => rateLimit({ limit: 5, headroom: 1 })).toThrow(/headroom must be a number from 0 up to \(not including\) 1/)
    expect(() => rateLimit({ limit: 5, headroom: -0.1 })).toThrow(/headroom must be/)
    expect(() => rateLimit({ limit: 5, burst: 0 })).toThrow('rateLimit: burst must be an integer >= 1, got 0')
    expect(() => rateLimit({ limit: 5, algorithm: 'fixed' as never })).toThrow(/algorithm must be 'gcra' or 'sliding-window'/)
    expect(() => rateLimit({ limit: 5, algorithm: 'sliding-window', adaptive: true })).toThrow(/adaptive needs algorithm: 'gcra'/)
    expect(() => rateLimit({ limit: 5, store: { acquire: async () => 0 } })).toThrow(
      /no reserve\(key, plan\) for GCRA.*algorithm: 'sliding-window'/,
    )
    expect(() => rateLimit({ limit: 5, adaptive: 'yes' as never })).toThrow(/adaptive must be true or false/)
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
