import { describe, expect, it } from 'vitest'
import { type BreakerEvent, health } from '../../middleware/health.js'
import { retry } from '../../middleware/retry.js'
import type { BreakerNews, BreakerStore } from '../../src/features/stores.js'
import { CircuitOpenError, createClient, HTTPError, isCircuitOpenError } from '../../src/index.js'
import { refusedPort, startServer } from '../helpers/server.js'

describe('health() breaker', () => {
  it('opens after N failures, fails fast without network, half-opens and closes', async () => {
    const server = await startServer([500, 500, 500, { json: { ok: true } }])
    let clock = 1_000_000
    const events: BreakerEvent[] = []
    await using api = createClient({
      baseURL: server.url,
      middleware: [health({ failureThreshold: 3, cooldown: 10_000, now: () => clock, onStateChange: (e) => void events.push(e) })],
    })
    for (let i = 0; i < 3; i++) await expect(api.get('/')).rejects.toBeInstanceOf(HTTPError)
    const refused = (await api.get('/').catch((e: unknown) => e)) as CircuitOpenError
    expect(isCircuitOpenError(refused)).toBe(true)
    expect(refused.retryAfter).toBe(10_000)
    expect(server.seen).toHaveLength(3) // no network call while open
    expect((await api.health()).breaker?.state).toBe('open')

    clock += 10_000
    expect((await api.get('/')).data).toEqual({ ok: true }) // the trial call
    expect(events.map((e) => `${e.from}→${e.to}`)).toEqual(['closed→open', 'open→half-open', 'half-open→closed'])
    expect(events[0]?.reason).toBe('3 failures in a row')
    expect((await api.health()).breaker?.state).toBe('closed')
  })

  it('opens on the failure rate over a minimum of calls', async () => {
    let n = 0
    const server = await startServer((_req, res) => void res.writeHead(n++ % 2 ? 200 : 503).end())
    await using api = createClient({
      baseURL: server.url,
      throwHttpErrors: false,
      middleware: [health({ failureThreshold: 100, minimumCalls: 10, failureRate: 0.5 })],
    })
    // 503, 200, 503, …: the 11th call is the first failure seen with >= 10 calls in the window.
    for (let i = 0; i < 11; i++) await api.get('/')
    await expect(api.get('/')).rejects.toBeInstanceOf(CircuitOpenError)
  })

  it('re-opens when the trial call fails, and lets only one trial through', async () => {
    const server = await startServer((_req, res) => void setTimeout(() => res.writeHead(500).end(), 30))
    let clock = 0
    await using api = createClient({
      baseURL: server.url,
      middleware: [health({ failureThreshold: 1, cooldown: 1_000, now: () => clock })],
    })
    await expect(api.get('/')).rejects.toBeInstanceOf(HTTPError)
    clock += 1_000
    const [trial, second] = await Promise.allSettled([api.get('/'), api.get('/')])
    expect(trial.status === 'rejected' && trial.reason).toBeInstanceOf(HTTPError)
    expect(second.status === 'rejected' && second.reason).toBeInstanceOf(CircuitOpenError)
    expect((await api.health()).breaker?.state).toBe('open')
  })

  it('stops retries once open: retry does not retry CircuitOpenError', async () => {
    const server = await startServer(503)
    await using api = createClient({
      baseURL: server.url,
      middleware: [retry({ maxRetries: 10, sleep: async () => {} }), health({ failureThreshold: 2 })],
    })
    await expect(api.get('/')).rejects.toBeInstanceOf(CircuitOpenError)
    expect(server.seen).toHaveLength(2)
  })

  it('reports passive stats in client.health()', async () => {
    const server = await startServer(200)
    await using api = createClient({ baseURL: server.url, middleware: [health()] })
    await api.get('/')
    await api.get('/')
    const { breaker } = await api.health()
    expect(breaker).toMatchObject({ state: 'closed', calls: 2, failures: 0, failureRate: 0, consecutiveFailures: 0 })
    expect(breaker?.meanLatencyMs).toBeGreaterThan(0)
  })
})

// cockatiel: src/CircuitBreakerPolicy.test.ts ("links parent cancellation token", "aborts function
// execution if half open test succeeds", "dedupes half-open tests") — as behaviours of health(),
// against a real server, in our words. Where cockatiel queues a second call behind the trial,
// health() refuses it at once (nothing is sent) and says how long to wait.
describe('health() breaker and the caller’s signal', () => {
  async function openBreaker(core: 'fetch' | 'undici', answer: Parameters<typeof startServer>[0] = 500) {
    const server = await startServer(answer)
    let clock = 0
    const api = createClient({
      baseURL: server.url,
      core,
      middleware: [health({ failureThreshold: 1, cooldown: 5_000, now: () => clock })],
    })
    await api.get('/').catch(() => undefined)
    return { server, api, tick: (ms: number) => void (clock += ms) }
  }

  for (const core of ['fetch', 'undici'] as const) {
    it(`an already-aborted call rejects with the signal’s reason while the breaker is open (${core} core)`, async () => {
      const { server, api } = await openBreaker(core)
      await using _ = api
      const reason = new Error('the user navigated away')
      await expect(api.get('/', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
      await expect(api.get('/')).rejects.toBeInstanceOf(CircuitOpenError) // still open, for a live call
      expect(server.seen).toHaveLength(1)
    })
  }

  it('while half-open with every trial slot taken: an aborted call gets its reason, a live one a true retryAfter', async () => {
    let hits = 0
    const { server, api, tick } = await openBreaker('fetch', (_req, res) => {
      if (hits++ === 0) return void res.writeHead(500).end()
      setTimeout(() => res.writeHead(200).end(), 50) // the trial takes a while
    })
    await using _ = api
    tick(5_000)
    const trial = api.get('/')
    const reason = new Error('gave up')
    await expect(api.get('/', { signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
    const refused = (await api.get('/').catch((e: unknown) => e)) as CircuitOpenError
    expect(refused).toBeInstanceOf(CircuitOpenError)
    expect(refused.state).toBe('half-open')
    expect(refused.retryAfter).toBe(5_000) // the wait should the trial fail, not "0 ms"
    expect(refused.message).not.toMatch(/in 0 ms/)
    expect(refused.message).toContain('half-open')
    await trial
    expect(server.seen).toHaveLength(2) // the trial, and the call that opened the breaker
    expect((await api.health()).breaker?.state).toBe('closed') // the trial still decided
  })

  it('a call aborted while in flight rejects with the reason and is not counted as a failure', async () => {
    const server = await startServer(['hang', 200])
    await using api = createClient({ baseURL: server.url, middleware: [health({ failureThreshold: 1 })] })
    const controller = new AbortController()
    const call = api.get('/', { signal: controller.signal })
    while (server.seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    const reason = new Error('cancelled')
    controller.abort(reason)
    await expect(call).rejects.toBe(reason)
    expect((await api.health()).breaker).toMatchObject({ state: 'closed', failures: 0 })
  })
})

describe('client.health() probe', () => {
  it('reports a dead (refused) service without throwing', async () => {
    await using api = createClient({ baseURL: `http://127.0.0.1:${await refusedPort()}` })
    const report = await api.health()
    expect(report.ok).toBe(false)
    expect(report.status).toBeUndefined()
    expect(report.error).toMatch(/ECONNREFUSED/)
  })

  it('does not retry and is not refused by an open breaker', async () => {
    const server = await startServer(503)
    await using api = createClient({ baseURL: server.url, middleware: [retry({ sleep: async () => {} }), health({ failureThreshold: 1 })] })
    await expect(api.get('/')).rejects.toBeInstanceOf(CircuitOpenError)
    const before = server.seen.length
    const report = await api.health({ healthy: (s) => s === 200 })
    expect(report).toMatchObject({ ok: false, status: 503 })
    expect(server.seen.length).toBe(before + 1)
  })
})

/**
 * A shared breaker in memory that pushes news like Redis pub/sub: to every subscriber, the sender
 * included, when the test says so (`flush`), so a test decides what arrives when. The store is
 * what health() is tested against here; test/redis.test.ts does the same over a real Redis.
 */
function newsBus() {
  const listeners = new Set<(news: BreakerNews) => void>()
  const queue: BreakerNews[] = []
  let shared: number | undefined
  const bus = {
    delivered: 0,
    store: {
      get: async () => shared,
      open: async (_key, until, sender) => void ((shared = until), queue.push({ state: 'open', until, sender })),
      close: async (_key, sender) => void ((shared = undefined), queue.push({ state: 'closed', sender })),
      subscribe: (_key, listener) => (listeners.add(listener), () => void listeners.delete(listener)),
    } satisfies BreakerStore,
    flush(): void {
      for (const news of queue.splice(0)) for (const listener of listeners) bus.delivered++, listener(news)
    },
  }
  return bus
}

describe('health() and breaker news (a store that pushes state changes)', () => {
  const failing = () => startServer((req, res) => void res.writeHead(req.url === '/fail' ? 500 : 200).end())

  it('opens on another instance’s news with no request of its own, until the same moment; more open news changes nothing', async () => {
    const server = await failing()
    const bus = newsBus()
    const clock = 1_000_000
    const events = { a: [] as string[], b: [] as string[] }
    const instance = (name: 'a' | 'b', failureThreshold: number) =>
      createClient({
        baseURL: server.url,
        throwHttpErrors: false,
        middleware: [
          health({
            store: bus.store,
            key: 'vendor',
            failureThreshold,
            cooldown: 10_000,
            syncInterval: 60_000,
            now: () => clock,
            onStateChange: (e) => void events[name].push(`${e.from}→${e.to}: ${e.reason}`),
          }),
        ],
      })
    await using a = instance('a', 1)
    await using b = instance('b', 1_000)
    await a.get('/fail')
    bus.flush()
    expect(events.b).toEqual(['closed→open: opened by another instance (breaker news)'])
    const refused = (await b.get('/probe').catch((e: unknown) => e)) as CircuitOpenError
    expect(refused.retryAfter).toBe(10_000) // open until the moment a's breaker half-opens
    expect(server.seen.map((s) => s.url)).toEqual(['/fail'])
    await bus.store.open('vendor', clock + 20_000, 'c') // a third instance opens too
    bus.flush()
    expect(events).toEqual({ a: ['closed→open: 1 failures in a row'], b: ['closed→open: opened by another instance (breaker news)'] })
  })

  it('skips its own news: its close, echoed back after it opened again, leaves it open', async () => {
    const server = await failing()
    const bus = newsBus()
    let clock = 1_000_000
    const events: string[] = []
    await using a = createClient({
      baseURL: server.url,
      throwHttpErrors: false,
      middleware: [
        health({
          store: bus.store,
          key: 'vendor',
          failureThreshold: 1,
          cooldown: 1_000,
          now: () => clock,
          onStateChange: (e) => void events.push(`${e.from}→${e.to}`),
        }),
      ],
    })
    await a.get('/fail') // opens: news 1
    clock += 1_000
    await a.get('/ok') // the trial closes it: news 2
    await a.get('/fail') // opens again: news 3
    bus.flush() // its own three news arrive now, the close among them
    expect(bus.delivered).toBe(3)
    expect(events).toEqual(['closed→open', 'open→half-open', 'half-open→closed', 'closed→open'])
    expect((await a.health()).breaker?.state).toBe('open')
  })

  it('a read of the shared state that answers after a close news does not reopen the breaker', async () => {
    const server = await failing()
    const bus = newsBus()
    let answer: (until: number | undefined) => void = () => {}
    const store = { ...bus.store, get: () => new Promise<number | undefined>((resolve) => (answer = resolve)) }
    let clock = 1_000_000
    const events: string[] = []
    await using b = createClient({
      baseURL: server.url,
      throwHttpErrors: false,
      middleware: [
        health({
          store,
          key: 'vendor',
          failureThreshold: 1_000,
          syncInterval: 1,
          now: () => clock,
          onStateChange: (e) => void events.push(`${e.from}→${e.to}`),
        }),
      ],
    })
    await bus.store.open('vendor', clock + 30_000, 'a')
    bus.flush() // b opens on a's news
    clock += 10
    await expect(b.get('/probe')).rejects.toBeInstanceOf(CircuitOpenError) // this call also sent a read of the shared state
    await bus.store.close('vendor', 'a')
    bus.flush() // b closes on a's news
    answer(clock + 30_000) // the read, sent before the close, answers "open" now
    await new Promise((r) => setTimeout(r, 5))
    expect(events).toEqual(['closed→open', 'open→closed'])
    expect((await b.get('/ok')).status).toBe(200)
  })

  it('a store without subscribe (custom stores) still shares the breaker through the poll', async () => {
    const server = await failing()
    const { subscribe: _, ...store } = newsBus().store
    await using a = createClient({
      baseURL: server.url,
      throwHttpErrors: false,
      middleware: [health({ store, key: 'k', failureThreshold: 1 })],
    })
    await using b = createClient({
      baseURL: server.url,
      throwHttpErrors: false,
      middleware: [health({ store, key: 'k', failureThreshold: 1_000, syncInterval: 1 })],
    })
    await a.get('/fail')
    await b.get('/ok') // b reads the shared state in the background
    await new Promise((r) => setTimeout(r, 5))
    await expect(b.get('/ok')).rejects.toBeInstanceOf(CircuitOpenError)
  })
})

describe('health() options', () => {
  it('tells what to fix in bad options', () => {
    expect(() => health({ failureThreshold: 0 })).toThrow('health: failureThreshold must be an integer >= 1, got 0')
    expect(() => health({ halfOpenCalls: 1.5 })).toThrow(/halfOpenCalls must be an integer >= 1/)
    expect(() => health({ cooldown: -1 })).toThrow(
      'health: cooldown must be a number of milliseconds > 0 and <= 2147483647 (about 24.8 days, the longest a timer can wait), got -1',
    )
    expect(() => health({ syncInterval: Number.NaN })).toThrow(/syncInterval must be a number of milliseconds > 0/)
    expect(() => health({ failureRate: 50 })).toThrow('health: failureRate must be a ratio in (0, 1], such as 0.5, got 50')
    expect(() => health({ isFailure: true as never })).toThrow('health: isFailure must be a function, got boolean')
    expect(() => health({ key: 3 as never })).toThrow('health: key must be a string, got number')
    expect(() => health({ store: {} as never })).toThrow(/store must be a BreakerStore with get, open and close/)
    const store = { get: async () => undefined, open: async () => {}, close: async () => {} }
    expect(() => health({ store: { ...store, subscribe: 3 as never } })).toThrow(
      'health: store.subscribe must be a function (key, listener) => unsubscribe, got number',
    )
    expect(() => health({ failureThreshold: 3, cooldown: 10_000, failureRate: 1 })).not.toThrow()
  })
})
