// Scale-out through a real Redis: tokens, rate limits and breaker state shared by instances that
// run in separate processes, and what happens when Redis goes away. See test/helpers/redis.ts for
// where Redis comes from (CI: .ci/run installs and starts it) and when these skip.
import { type ChildProcess, fork } from 'node:child_process'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { createWeChatClient } from '../clients/wechat.js'
import { startFakeWeChat } from '../examples/fake-wechat.js'
import { health, rateLimit } from '../middleware/index.js'
import { createClient, isCircuitOpenError, isRateLimitError } from '../src/index.js'
import { createRedisBreakerStore, createRedisRateLimitStore, createRedisTokenStore, type RedisLogger } from '../src/node/redis.js'
import { createTokenCache } from '../src/token-cache.js'
import { type RedisServer, redisMissing, startRedisServer } from './helpers/redis.js'
import { startServer } from './helpers/server.js'

const skip = redisMissing()
const WORKER = new URL('./fixtures/scale-worker.mjs', import.meta.url)

let shared: RedisServer
let redis: Redis
let prefixCount = 0
/** A fresh key prefix per test, so tests never see each other's keys. */
const prefix = (): string => `test${process.pid}-${++prefixCount}:`

type Worker = {
  child: ChildProcess
  messages: Array<Record<string, unknown>>
  next(test: (m: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>
}

function startWorker(config: Record<string, unknown>): Promise<Worker> {
  const child = fork(WORKER, [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const messages: Array<Record<string, unknown>> = []
  const waiting = new Set<{ test: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }>()
  child.on('message', (message) => {
    const m = message as Record<string, unknown>
    messages.push(m)
    for (const w of waiting) if (w.test(m)) waiting.delete(w), w.resolve(m)
  })
  const worker: Worker = {
    child,
    messages,
    next: (test) => {
      const seen = messages.find(test)
      if (seen) return Promise.resolve(seen)
      return new Promise((resolve, reject) => {
        waiting.add({ test, resolve })
        child.once('exit', (code, signal) => reject(new Error(`worker exited (${code ?? signal}) before answering`)))
      })
    },
  }
  return worker.next((m) => m.ready === true).then(() => worker)
}

async function runPhase(workers: Worker[], id: number): Promise<Array<Record<string, unknown>>> {
  for (const w of workers) w.child.send({ go: id })
  return Promise.all(workers.map((w) => w.next((m) => m.phase === id)))
}

async function stopWorkers(workers: Worker[]): Promise<void> {
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.child.exitCode !== null || w.child.signalCode !== null) return resolve()
          w.child.once('exit', () => resolve())
          w.child.send('exit')
        }),
    ),
  )
}

function captureLogger(): RedisLogger & { warnings: string[]; infos: string[] } {
  const warnings: string[] = []
  const infos: string[] = []
  return { warnings, infos, warn: (message) => void warnings.push(message), info: (message) => void infos.push(message) }
}

describe.skipIf(skip)('Redis scale-out (real redis-server)', () => {
  beforeAll(async () => {
    shared = process.env.REDIS_URL
      ? { url: process.env.REDIS_URL, port: Number(new URL(process.env.REDIS_URL).port), stop: async () => {}, process: undefined as never }
      : await startRedisServer()
    redis = new Redis(shared.url)
  })
  afterAll(async () => {
    await redis?.quit()
    await shared?.stop()
  })

  describe('createRedisTokenStore', () => {
    it('stores with a TTL, deletes only the value it was told, and prefixes every key', async () => {
      const p = prefix()
      const store = createRedisTokenStore({ redis, prefix: p })
      await store.set('tok', 'v1', 300)
      expect(await redis.get(`${p}tok`)).toBe('v1')
      expect(await store.get('tok')).toBe('v1')
      await store.deleteIf('tok', 'someone-else')
      expect(await store.get('tok')).toBe('v1')
      await store.deleteIf('tok', 'v1')
      expect(await store.get('tok')).toBeUndefined()
      await store.set('tok', 'v2', 100)
      await new Promise((r) => setTimeout(r, 150))
      expect(await store.get('tok')).toBeUndefined()
    })

    it('locks with NX and an expiry; a release after the lock lapsed leaves the next owner alone', async () => {
      const store = createRedisTokenStore({ redis, prefix: prefix() })
      const first = await store.lock('refresh', 150)
      expect(first).toBeTypeOf('function')
      expect(await store.lock('refresh', 150)).toBeUndefined()
      await new Promise((r) => setTimeout(r, 200))
      const second = await store.lock('refresh', 5_000)
      expect(second).toBeTypeOf('function')
      await first?.() // the first owner is late: its release must not free the second's lock
      expect(await store.lock('refresh', 5_000)).toBeUndefined()
      await second?.()
      expect(await store.lock('refresh', 5_000)).toBeTypeOf('function')
    })

    it('tells what to fix when it is given no Redis client or bad numbers', () => {
      expect(() => createRedisTokenStore({} as never)).toThrow(/options.redis must be an ioredis client/)
      expect(() => createRedisTokenStore({ redis, commandTimeout: -1 })).toThrow(/commandTimeout must be a number of milliseconds > 0/)
      expect(() => createRedisRateLimitStore({ redis, prefix: 3 as never })).toThrow(/prefix must be a string/)
    })
  })

  it('8 processes × 50 concurrent sends fetch the WeChat token exactly once, and once more fleet-wide after it expires', async () => {
    // A token valid for 304 s with the client's 300 s refresh margin is kept for 4 s: phase 1 fits in it.
    const wechat = await startFakeWeChat({ expiresIn: 304, tokenDelayMs: 50 })
    const config = {
      mode: 'wechat',
      redisUrl: shared.url,
      prefix: prefix(),
      wechatUrl: wechat.url,
      appId: wechat.appId,
      appSecret: wechat.appSecret,
      calls: 50,
    }
    const workers = await Promise.all(Array.from({ length: 8 }, () => startWorker(config)))
    try {
      const first = await runPhase(workers, 1)
      expect(first.map((r) => r.errors)).toEqual(Array(8).fill([]))
      expect(first.reduce((n, r) => n + (r.ok as number), 0)).toBe(400)
      expect(wechat.state.tokenFetches).toBe(1)
      expect(await redis.get(`${config.prefix}wechat:token:${wechat.appId}`)).toMatch(/^tok-1-/) // the documented key

      await new Promise((r) => setTimeout(r, 4_300)) // the shared token lapses
      const second = await runPhase(workers, 2)
      expect(second.reduce((n, r) => n + (r.ok as number), 0)).toBe(400)
      expect(wechat.state.tokenFetches).toBe(2)
      expect(wechat.state.messages).toHaveLength(800) // every send landed once
      console.info(`[redis] 8 × 50 sends: ${wechat.state.tokenFetches} token fetches over 2 phases (1 per token lifetime)`)
    } finally {
      await stopWorkers(workers)
      await wechat.close()
    }
  }, 30_000)

  it('a refresh lock whose owner is killed mid-refresh is taken over after the lock TTL', async () => {
    const hits: Array<{ pid: string | null; at: number }> = []
    const pending: IncomingMessage[] = []
    const tokenServer = createServer((req, res) => {
      const pid = new URL(req.url ?? '/', 'http://x').searchParams.get('pid')
      hits.push({ pid, at: Date.now() })
      if (hits.length === 1) return void pending.push(req) // the first refresh never gets an answer
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `tok-${pid}`, expiresIn: 3600 }))
    })
    await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve))
    const tokenUrl = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}`
    const lockTtl = 1_500
    const config = { mode: 'token', redisUrl: shared.url, prefix: prefix(), tokenUrl, lockTtl }
    const owner = await startWorker(config)
    const other = await startWorker(config)
    try {
      owner.child.send({ go: 1 })
      const fetching = await owner.next((m) => m.fetching !== undefined)
      const lockedAt = fetching.fetching as number
      while (hits.length === 0) await new Promise((r) => setTimeout(r, 5)) // its refresh reached the vendor
      owner.child.kill('SIGKILL') // dies holding the lock
      const [result] = await runPhase([other], 1)
      expect(result?.error).toBeUndefined()
      expect(result?.token).toBe(`tok-${other.child.pid}`)
      expect(hits.map((h) => h.pid)).toEqual([String(owner.child.pid), String(other.child.pid)])
      // The survivor waited for the dead owner's lock to lapse, then refreshed once.
      expect((hits[1]?.at as number) - lockedAt).toBeGreaterThanOrEqual(lockTtl - 200) // the lock was taken a Redis round trip before
      expect((hits[1]?.at as number) - lockedAt).toBeLessThan(lockTtl + 1_500)
    } finally {
      await stopWorkers([other])
      tokenServer.closeAllConnections()
      tokenServer.close()
    }
  }, 20_000)

  it('a rate limit of 100/s across 4 processes lets 300 ± 5% calls through in 3 s', async () => {
    const arrivals: number[] = []
    const server = await startServer((req, res) => {
      if (req.url?.startsWith('/hit')) arrivals.push(performance.now())
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
    const config = {
      mode: 'ratelimit',
      redisUrl: shared.url,
      prefix: prefix(),
      targetUrl: server.url,
      limit: 100,
      interval: 1_000,
      durationMs: 3_000,
      concurrency: 8,
    }
    const workers = await Promise.all(Array.from({ length: 4 }, () => startWorker(config)))
    try {
      const results = await runPhase(workers, 1)
      expect(results.map((r) => r.error)).toEqual([undefined, undefined, undefined, undefined])
      expect(results.flatMap((r) => r.warnings as string[])).toEqual([]) // Redis did the limiting throughout
      const t0 = Math.min(...arrivals)
      const perSecond = [0, 1, 2, 3].map((s) => arrivals.filter((t) => t >= t0 + s * 1_000 && t < t0 + (s + 1) * 1_000).length)
      console.info(
        `[redis] rate limit 100/s × 4 processes × 8 loops for 3 s: ${arrivals.length} calls reached the server (${((arrivals.length / 300 - 1) * 100).toFixed(1)}% off 300; per second from the first: ${perSecond.join(', ')})`,
      )
      expect(arrivals.length).toBeGreaterThanOrEqual(285)
      expect(arrivals.length).toBeLessThanOrEqual(315)
    } finally {
      await stopWorkers(workers)
    }
  }, 30_000)

  it('GCRA on Redis: slots interval / rate apart on one hash with a TTL; a slot past maxWait is not taken', async () => {
    const p = prefix()
    const store = createRedisRateLimitStore({ redis, prefix: p })
    const plan = { rate: 10, interval: 1_000, burst: 1, maxWait: 250, adaptive: false }
    const slots = await Promise.all([1, 2, 3].map(() => store.reserve('vendor', plan)))
    expect(slots.map((s) => s.reserved)).toEqual([true, true, true])
    // One script per call on Redis's clock: each later call waits one spacing more (minus the µs between the calls).
    expect((slots[1] as { wait: number }).wait).toBeGreaterThan(95)
    expect((slots[2] as { wait: number }).wait - (slots[1] as { wait: number }).wait).toBeGreaterThan(95)
    const refused = await store.reserve('vendor', plan)
    expect(refused.reserved).toBe(false)
    expect(refused.wait).toBeGreaterThan(250)
    expect((await store.reserve('vendor', { ...plan, maxWait: 1_000 })).wait).toBeLessThan(refused.wait + 1) // the refused one took nothing
    expect(await redis.type(`${p}ratelimit:gcra:vendor`)).toBe('hash')
    expect(await redis.pttl(`${p}ratelimit:gcra:vendor`)).toBeGreaterThan(1_000)
    expect(await redis.pttl(`${p}ratelimit:gcra:vendor`)).toBeLessThanOrEqual(1_400)
  })

  it('adaptive on Redis: a 429 cuts the shared rate once per cut, for every instance', async () => {
    const p = prefix()
    const a = createRedisRateLimitStore({ redis, prefix: p })
    const other = new Redis(shared.url)
    onTestFinished(() => void other.disconnect())
    const b = createRedisRateLimitStore({ redis: other, prefix: p }) // another instance
    const plan = { rate: 50, interval: 1_000, burst: 1, maxWait: 60_000, adaptive: true }
    const first = await a.reserve('v', plan)
    await a.throttled('v', plan, first.at)
    await b.throttled('v', plan, first.at) // the same overshoot, seen by another instance: no second cut
    expect(Number(await redis.hget(`${p}ratelimit:gcra:v`, 'wmax'))).toBe(47.5) // 0.95 × the rate that drew the 429
    await new Promise((r) => setTimeout(r, 5)) // past the cut's millisecond: a call reserved then is news
    const x = await b.reserve('v', plan)
    const y = await b.reserve('v', plan)
    expect(y.wait - x.wait + (y.at - x.at)).toBeGreaterThan(26) // about 35/s (28.6 ms apart) for both instances; 50/s is 20 ms
    await b.throttled('v', plan, x.at) // reserved after the cut: news
    expect(Number(await redis.hget(`${p}ratelimit:gcra:v`, 'wmax'))).toBeLessThan(36)
    expect(await redis.pttl(`${p}ratelimit:gcra:v`)).toBeGreaterThan(10_000) // kept until the rate is back at the limit
  })

  describe('fleet: 8 processes × 4 callers through one limit of 50/s, counted at the vendor', () => {
    /** Runs the fleet for durationMs against `server`; the vendor's own log is what is measured. */
    async function fleet(targetUrl: string, limiter: Record<string, unknown>, durationMs: number): Promise<void> {
      const config = {
        mode: 'ratelimit',
        redisUrl: shared.url,
        prefix: prefix(),
        targetUrl,
        limit: 50,
        interval: 1_000,
        durationMs,
        concurrency: 4,
        limiter,
      }
      const workers = await Promise.all(Array.from({ length: 8 }, () => startWorker(config)))
      try {
        const results = await runPhase(workers, 1)
        expect(results.map((r) => r.error)).toEqual(Array(8).fill(undefined))
        expect(results.flatMap((r) => r.warnings as string[])).toEqual([]) // Redis did the limiting throughout
      } finally {
        await stopWorkers(workers)
      }
    }
    /** The most arrivals in any 1 s window (each window starts at an arrival). */
    const peak = (at: number[]): number => {
      let most = 0
      for (let i = 0, j = 0; i < at.length; i++) {
        while (j < at.length && (at[j] as number) < (at[i] as number) + 1_000) j++
        most = Math.max(most, j - i)
      }
      return most
    }

    // 5% headroom (47.5/s): the parent's own event loop stamps the arrivals, and on a loaded 2-core CI
    // machine its lag alone put 55 in one second of 10 runs at exactly 50/s (51–52 in the others).
    it('GCRA (the default), headroom 0.05: the vendor sees at most 55 in any 1 s and a steady rate of at least 45/s', async () => {
      const arrivals: number[] = []
      const server = await startServer((req, res) => {
        if (req.url?.startsWith('/hit')) arrivals.push(performance.now())
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      })
      await fleet(server.url, { headroom: 0.05 }, 4_000)
      const t0 = arrivals[0] as number
      // Steady: the middle 2 s of the 4 s run, away from the start and from the callers stopping.
      const steady = arrivals.filter((t) => t >= t0 + 1_000 && t < t0 + 3_000).length / 2
      console.info(
        `[redis] fleet GCRA 50/s headroom 0.05, 8 processes × 4 callers, 4 s: vendor-side peak ${peak(arrivals)} in any 1 s, steady ${steady}/s over the middle 2 s, ${arrivals.length} calls`,
      )
      expect(peak(arrivals)).toBeLessThanOrEqual(55)
      expect(steady).toBeGreaterThanOrEqual(45)
    }, 30_000)

    it('adaptive: a vendor that allows 30/s, not the configured 50/s, sees fewer than 1% 429s within a few seconds', async () => {
      const hits: Array<{ at: number; status: number }> = []
      const accepted: number[] = [] // the vendor's own meter: a sliding window of 30 per 1 s
      const server = await startServer((req, res) => {
        if (!req.url?.startsWith('/hit')) return void res.writeHead(200).end('{}')
        const at = performance.now()
        while (accepted.length > 0 && (accepted[0] as number) <= at - 1_000) accepted.shift()
        const status = accepted.length < 30 ? 200 : 429
        if (status === 200) accepted.push(at)
        hits.push({ at, status })
        res.writeHead(status, { 'content-type': 'application/json' }).end('{}')
      })
      const durationMs = 8_000
      await fleet(server.url, { adaptive: true }, durationMs)
      const t0 = (hits[0] as { at: number }).at
      // Convergence: the earliest moment from which on fewer than 1% of the calls got a 429.
      let converged = hits.length
      let throttled = 0
      for (let i = hits.length - 1; i >= 0; i--) {
        if ((hits[i] as { status: number }).status === 429) throttled++
        if (throttled / (hits.length - i) < 0.01) converged = i
      }
      const convergedAt = ((hits[converged] as { at: number }).at - t0) / 1_000
      const tail = hits.slice(converged)
      const total429 = hits.filter((h) => h.status === 429).length
      const rateAfter = (tail.length / ((hits.at(-1) as { at: number }).at - (tail[0] as { at: number }).at)) * 1_000
      console.info(
        '[redis] 429 at (s):',
        hits
          .filter((h) => h.status === 429)
          .map((h) => ((h.at - t0) / 1_000).toFixed(2))
          .join(' '),
      )
      console.info(
        `[redis] fleet adaptive 50/s against a vendor allowing 30/s, 8 s: under 1% 429s from ${convergedAt.toFixed(2)} s on (${tail.filter((h) => h.status === 429).length} of ${tail.length} after, ${rateAfter.toFixed(1)}/s; ${total429} 429s of ${hits.length} in all)`,
      )
      expect(convergedAt).toBeLessThanOrEqual(4)
      expect(tail.length).toBeGreaterThanOrEqual(80) // at least ~3 s of calls after it
    }, 40_000)
  })

  it.each([
    {
      how: 'sliding window: the oldest of the two leaves the window in 60 s',
      shape: { algorithm: 'sliding-window' } as const,
      after: 50_000,
    },
    { how: 'GCRA with burst 2: the next slot is 30 s on', shape: { burst: 2 }, after: 25_000 },
  ])('rateLimit fails at once with RateLimitError when the caller will not wait, and sends nothing ($how)', async ({ shape, after }) => {
    const server = await startServer(200)
    const store = createRedisRateLimitStore({ redis, prefix: prefix() })
    const client = createClient({
      baseURL: server.url,
      middleware: [rateLimit({ ...shape, limit: 2, interval: 60_000, store, maxWait: 0 })],
    })
    await client.get('/a')
    await client.get('/b')
    const error = await client.get('/c').catch((e: unknown) => e)
    expect(isRateLimitError(error)).toBe(true)
    expect((error as { retryAfter: number }).retryAfter).toBeGreaterThan(after)
    expect(server.seen.map((s) => s.url)).toEqual(['/a', '/b'])
    await client.close()
  })

  it("one instance's open breaker stops the others too", async () => {
    const server = await startServer(503)
    const store = createRedisBreakerStore({ redis, prefix: prefix() })
    const a = createClient({
      baseURL: server.url,
      middleware: [health({ store, failureThreshold: 2, cooldown: 30_000 })],
      throwHttpErrors: false,
    })
    // b would never open on its own failures: only the shared state can open it.
    const b = createClient({
      baseURL: server.url,
      middleware: [health({ store, failureThreshold: 1_000, minimumCalls: 1_000, cooldown: 30_000, syncInterval: 20 })],
      throwHttpErrors: false,
    })
    await b.get('/before')
    await a.get('/1')
    await a.get('/2') // two failures in a row: a opens and publishes it
    let refused: unknown
    for (let i = 0; i < 100 && !isCircuitOpenError(refused); i++) {
      refused = await b.get('/probe').catch((e: unknown) => e) // each call lets b read the shared state in the background
      if (!isCircuitOpenError(refused)) await new Promise((r) => setTimeout(r, 25))
    }
    expect(isCircuitOpenError(refused)).toBe(true)
    expect((await b.health()).breaker?.state).toBe('open')
    const probes = server.seen.filter((s) => s.url === '/probe').length
    expect(probes).toBeLessThanOrEqual(5) // it stopped calling within a few syncs
    await Promise.all([a.close(), b.close()])
  })

  it('Redis stopped mid-run: calls keep succeeding on local state, with one warning, nothing lost or sent twice', async () => {
    const own = await startRedisServer()
    const client = new Redis(own.url)
    client.on('error', () => {}) // ioredis prints unhandled connection errors; the store's warning is the one that counts
    const logger = captureLogger()
    const wechat = await startFakeWeChat()
    const target = await startServer(200)
    const options = { redis: client, prefix: prefix(), logger, commandTimeout: 500 }
    const sms = createWeChatClient({
      appId: wechat.appId,
      appSecret: wechat.appSecret,
      baseURL: wechat.url,
      tokenStore: createRedisTokenStore(options),
    })
    const api = createClient({
      baseURL: target.url,
      middleware: [
        rateLimit({ limit: 1_000, store: createRedisRateLimitStore(options) }),
        health({ store: createRedisBreakerStore(options), syncInterval: 50 }),
      ],
    })
    let sends = 0
    let calls = 0
    try {
      const until = Date.now() + 2_000
      setTimeout(() => void own.stop(), 600)
      while (Date.now() < until) {
        await Promise.all([
          sms.sendTemplateMessage({ openid: `o-${sends}`, templateId: 't', data: { n: String(sends) } }),
          api.get('/ping'),
        ])
        sends++
        calls++
        await new Promise((r) => setTimeout(r, 20))
      }
      expect(own.process.exitCode !== null || own.process.signalCode !== null).toBe(true) // Redis really went away
      expect(sends).toBeGreaterThan(20)
      expect(wechat.state.messages).toHaveLength(sends) // every send landed, once
      expect(target.seen).toHaveLength(calls)
      expect(logger.warnings).toHaveLength(1)
      expect(logger.warnings[0]).toMatch(/Redis unreachable .*falling back to per-process/)
      console.info(
        `[redis] outage: ${sends} sends and ${calls} calls succeeded, ${logger.warnings.length} warning, ${wechat.state.tokenFetches} token fetches`,
      )
    } finally {
      client.disconnect()
      await Promise.all([sms.close(), api.close(), wechat.close(), own.stop()])
    }
  }, 20_000)

  it('Redis back after an outage: the stores use it again, saying so once', async () => {
    let own = await startRedisServer()
    const client = new Redis(own.url, { retryStrategy: () => 50 })
    client.on('error', () => {})
    const logger = captureLogger()
    const p = prefix()
    const store = createRedisTokenStore({ redis: client, prefix: p, logger, commandTimeout: 300, recheckAfter: 100 })
    try {
      await store.set('k', 'before', 60_000)
      await own.stop()
      expect(await store.get('k')).toBeUndefined() // local now: the per-process store has nothing
      await store.set('k', 'during', 60_000) // kept locally
      expect(logger.warnings).toHaveLength(1)
      own = await startRedisServer(own.port) // an empty Redis on the same port
      for (let i = 0; i < 100 && client.status !== 'ready'; i++) await new Promise((r) => setTimeout(r, 20))
      await new Promise((r) => setTimeout(r, 150)) // past recheckAfter
      expect(await store.get('k')).toBeUndefined() // asked Redis again (the local value is not what it reads)
      await store.set('k', 'after', 60_000)
      expect(await client.get(`${p}k`)).toBe('after')
      expect(logger.warnings).toHaveLength(1)
      expect(logger.infos).toEqual(['Redis is reachable again: shared tokens, rate limits and breaker state are back in use'])
    } finally {
      client.disconnect()
      await own.stop()
    }
  }, 15_000)

  it('the token cache over Redis shares one fetch between concurrent callers in one process too', async () => {
    let fetches = 0
    const tokens = createTokenCache({
      key: 'one',
      store: createRedisTokenStore({ redis, prefix: prefix() }),
      fetchToken: async () => ({ token: `t${++fetches}`, expiresIn: 3600 }),
    })
    const got = await Promise.all(Array.from({ length: 20 }, () => tokens.get()))
    expect(new Set(got)).toEqual(new Set(['t1']))
    expect(fetches).toBe(1)
  })
})
