import { createServer } from 'node:http'
import { describe, expect, it, vi } from 'vitest'
import { idempotency } from '../../middleware/idempotency.js'
import { type RetryEvent, type RetryOptions, retry } from '../../middleware/retry.js'
import { createClient, HTTPError, NetworkError, TimeoutError } from '../../src/index.js'
import { refusedPort, startServer } from '../helpers/server.js'

// Records the backoff instead of sleeping it: the delays are asserted, not waited for.
function recorder(options: RetryOptions = {}) {
  const delays: number[] = []
  const events: RetryEvent[] = []
  const mw = retry({
    jitter: false,
    sleep: async (ms) => void delays.push(ms),
    onRetry: (event) => void events.push(event),
    ...options,
  })
  return { mw, delays, events }
}

describe('retry', () => {
  it('succeeds on the third attempt after 503, 503, numbering attempts 0, 1, 2', async () => {
    const server = await startServer([503, 503, { json: { ok: true } }])
    const { mw, delays } = recorder()
    const attempts: number[] = []
    await using api = createClient({ baseURL: server.url, middleware: [mw, async (r, next) => (attempts.push(r.attempt), next(r))] })
    const res = await api.get('/flaky')
    expect(res.data).toEqual({ ok: true })
    expect(server.seen).toHaveLength(3)
    expect(attempts).toEqual([0, 1, 2])
    expect(delays).toEqual([1000, 2000])
  })

  it('grows the delays as documented with jitter off: 1 s, 2 s, 4 s', async () => {
    const server = await startServer(503)
    const { mw, delays } = recorder()
    await using api = createClient({ baseURL: server.url, middleware: [mw] })
    await expect(api.get('/down')).rejects.toBeInstanceOf(HTTPError)
    expect(delays).toEqual([1000, 2000, 4000])
  })

  it('stops at maxRetries and rethrows the last error unchanged', async () => {
    const server = await startServer(502)
    const { mw, events } = recorder({ maxRetries: 2 })
    await using api = createClient({ baseURL: server.url, middleware: [mw] })
    const error = (await api.get('/down').catch((e: unknown) => e)) as HTTPError
    expect(error).toBeInstanceOf(HTTPError)
    expect(error.status).toBe(502)
    expect(error.message).toBe(`GET ${server.url}/down answered 502 Bad Gateway`)
    expect(server.seen).toHaveLength(3)
    expect(events.map((e) => e.retry)).toEqual([1, 2])
  })

  it('does nothing with maxRetries: 0', async () => {
    const server = await startServer(503)
    await using api = createClient({ baseURL: server.url, middleware: [recorder({ maxRetries: 0 }).mw] })
    await expect(api.get('/')).rejects.toBeInstanceOf(HTTPError)
    expect(server.seen).toHaveLength(1)
  })

  it('never retries other 4xx', async () => {
    const server = await startServer(404)
    await using api = createClient({ baseURL: server.url, middleware: [recorder().mw] })
    await expect(api.get('/missing')).rejects.toBeInstanceOf(HTTPError)
    expect(server.seen).toHaveLength(1)
  })

  it('does not retry POST on 503 without an idempotency key', async () => {
    const server = await startServer([503, 200])
    await using api = createClient({ baseURL: server.url, middleware: [recorder().mw] })
    await expect(api.post('/pay', { json: { amount: 1 } })).rejects.toBeInstanceOf(HTTPError)
    expect(server.seen).toHaveLength(1)
  })

  it('retries POST with idempotency(): the server sees the same key twice', async () => {
    const server = await startServer([503, { status: 201, json: { id: 'p1' } }])
    await using api = createClient({ baseURL: server.url, middleware: [idempotency(), recorder().mw] })
    const res = await api.post('/pay', { json: { amount: 1 } })
    expect(res.status).toBe(201)
    const keys = server.seen.map((s) => s.headers['idempotency-key'])
    expect(keys).toHaveLength(2)
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/)
    expect(keys[1]).toBe(keys[0])
    expect(server.seen.every((s) => s.body.toString() === '{"amount":1}')).toBe(true)
  })

  it('keeps the key stable even when idempotency() sits inside retry, and keeps a caller key', async () => {
    const server = await startServer([503, 200, 503, 200])
    await using api = createClient({ baseURL: server.url, middleware: [recorder().mw, idempotency()] })
    await api.post('/a', { json: {} })
    await api.post('/b', { json: {}, headers: { 'Idempotency-Key': 'mine' } })
    const keys = server.seen.map((s) => s.headers['idempotency-key'])
    expect(keys[1]).toBe(keys[0])
    expect(keys.slice(2)).toEqual(['mine', 'mine'])
  })

  it('retries a GET whose socket was reset mid-request', async () => {
    const server = await startServer(['reset', { json: { ok: 1 } }])
    const { mw, events } = recorder()
    await using api = createClient({ baseURL: server.url, middleware: [mw] })
    expect((await api.get('/')).data).toEqual({ ok: 1 })
    expect(events[0]?.error).toBeInstanceOf(NetworkError)
  })

  it('retries a POST whose connection was refused: it never left', async () => {
    const port = await refusedPort()
    let listening: Promise<void> | undefined
    const server = createServer((_req, res) => res.writeHead(201).end())
    const mw = retry({
      jitter: false,
      onRetry: () => (listening ??= new Promise((resolve) => server.listen(port, '127.0.0.1', resolve))),
      sleep: async () => listening,
    })
    await using api = createClient({ baseURL: `http://127.0.0.1:${port}`, middleware: [mw] })
    try {
      expect((await api.post('/orders', { json: { n: 1 } })).status).toBe(201)
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })

  it('honours Retry-After in seconds and as an HTTP-date', async () => {
    const date = new Date(Date.now() + 3000).toUTCString()
    const server = await startServer([
      { status: 503, headers: { 'retry-after': '2' } },
      { status: 429, headers: { 'retry-after': date } },
      200,
    ])
    const { mw, delays } = recorder()
    await using api = createClient({ baseURL: server.url, middleware: [mw] })
    await api.get('/')
    expect(delays[0]).toBe(2000)
    expect(delays[1]).toBeGreaterThan(1000) // whole seconds in the date, so 2–3 s from now
    expect(delays[1]).toBeLessThanOrEqual(3000)
  })

  it('fails fast, saying why, when Retry-After is beyond maxRetryAfter', async () => {
    const server = await startServer({ status: 503, headers: { 'retry-after': '120' } })
    await using api = createClient({ baseURL: server.url, middleware: [recorder().mw] })
    const error = (await api.get('/').catch((e: unknown) => e)) as HTTPError & { retryStopped: string }
    expect(error.message).toMatch(/not retried: Retry-After asks for 120000 ms, more than maxRetryAfter \(60000 ms\)/)
    expect(error.retryStopped).toMatch(/Retry-After/)
    expect(server.seen).toHaveLength(1)
  })

  it('cancels a pending backoff at once when the caller aborts, with no further request', async () => {
    const server = await startServer(503)
    const controller = new AbortController()
    const mw = retry({ delay: 10_000, onRetry: () => controller.abort(new Error('shutting down')) })
    await using api = createClient({ baseURL: server.url, middleware: [mw] })
    const started = performance.now()
    await expect(api.get('/', { signal: controller.signal })).rejects.toThrow('shutting down')
    expect(performance.now() - started).toBeLessThan(5_000)
    expect(server.seen).toHaveLength(1)
  })

  it('retries a timed-out attempt', async () => {
    const server = await startServer(['hang', { json: { second: true } }])
    await using api = createClient({ baseURL: server.url, middleware: [recorder().mw] })
    expect((await api.get('/', { timeout: 50 })).data).toEqual({ second: true })
    expect(server.seen).toHaveLength(2)
  })

  it('never retries a streamed upload: it cannot be replayed', async () => {
    const server = await startServer([503, 200])
    await using api = createClient({ baseURL: server.url, middleware: [recorder().mw] })
    const body = new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new TextEncoder().encode('x')), c.close()) })
    await expect(api.put('/upload', { body })).rejects.toBeInstanceOf(HTTPError)
    expect(server.seen).toHaveLength(1)
  })

  it('lets a policy widen and narrow the default decision', async () => {
    const server = await startServer([409, 200, 503])
    const mw = retry({
      sleep: async () => {},
      shouldRetry: ({ status, retryable }) => (status === 409 ? true : status === 503 ? false : retryable),
    })
    await using api = createClient({ baseURL: server.url, middleware: [mw] })
    expect((await api.get('/conflict')).status).toBe(200)
    await expect(api.get('/down')).rejects.toBeInstanceOf(HTTPError)
    expect(server.seen).toHaveLength(3)
  })

  it('retries a resolved 503 with throwHttpErrors: false, and returns the last response', async () => {
    const server = await startServer(503)
    await using api = createClient({ baseURL: server.url, throwHttpErrors: false, middleware: [recorder({ maxRetries: 1 }).mw] })
    expect((await api.get('/')).status).toBe(503)
    expect(server.seen).toHaveLength(2)
  })

  it('waits exactly the delay onRetry reports (fake setTimeout)', async () => {
    const server = await startServer([503, { json: { ok: true } }])
    let reported = 0
    await using api = createClient({
      baseURL: server.url,
      middleware: [retry({ delay: 5_000, jitter: false, onRetry: (e) => (reported = e.delay) })],
    })
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const pending = api.get('/')
      await vi.waitFor(() => expect(reported).toBe(5_000))
      await vi.advanceTimersByTimeAsync(4_999)
      expect(server.seen).toHaveLength(1)
      await vi.advanceTimersByTimeAsync(1)
      vi.useRealTimers()
      expect((await pending).data).toEqual({ ok: true })
      expect(server.seen).toHaveLength(2)
    } finally {
      vi.useRealTimers()
    }
  })

  it('rejects bad options at once', () => {
    expect(() => retry({ maxRetries: -1 })).toThrow('retry: maxRetries must be an integer >= 0, got -1')
    expect(() => retry({ delay: Number.NaN })).toThrow(/delay must be a number/)
  })

  it('keeps TimeoutError type through retries', async () => {
    const server = await startServer('hang')
    await using api = createClient({ baseURL: server.url, middleware: [recorder({ maxRetries: 1 }).mw] })
    await expect(api.get('/', { timeout: 30 })).rejects.toBeInstanceOf(TimeoutError)
    expect(server.seen).toHaveLength(2)
  })
})

describe('retry options (issue 12, items 5, 6, 10)', () => {
  it('takes an option set to undefined as its default: statuses, methods and delays all still apply', async () => {
    const server = await startServer([503, 503, 200])
    const delays: number[] = []
    const mw = retry({
      ...{ maxRetries: undefined, delay: undefined, backoff: undefined, maxDelay: undefined, jitter: undefined },
      ...{ statuses: undefined, methods: undefined, maxRetryAfter: undefined, budget: undefined, random: () => 1 },
      sleep: async (ms: number) => void delays.push(ms),
    } as never) // as a JavaScript caller (or TypeScript without exactOptionalPropertyTypes) passes it
    await using api = createClient({ baseURL: server.url, middleware: [mw] })
    expect((await api.get('/')).status).toBe(200)
    expect(delays).toEqual([1000, 2000]) // random 1: the top of the default jitter's [d/2, d]
  })

  it('refuses a typo, naming the option meant', () => {
    expect(() => retry({ maxRetry: 3 } as never)).toThrow('retry: unknown option "maxRetry"; did you mean "maxRetries"?')
    expect(() => retry({ statuses: 503 } as never)).toThrow('retry: statuses must be an array, got 503')
  })

  it('refuses times a timer cannot hold (maxRetryAfter: 1e13 used to retry after ~1 ms)', () => {
    expect(() => retry({ maxRetryAfter: 1e13 })).toThrow(
      'retry: maxRetryAfter must be a number of milliseconds >= 0 and <= 2147483647 (about 24.8 days, the longest a timer can wait), got 10000000000000',
    )
    expect(() => retry({ maxDelay: 2 ** 31 })).toThrow('retry: maxDelay must be a number of milliseconds >= 0 and <= 2147483647')
  })

  it.each([
    ['a delay function', { delay: () => 1e13 }, '10000000000000'],
    ['a delay function', { delay: () => Number.NaN }, 'NaN'],
    ['a jitter function', { jitter: () => 2 ** 31 }, '2147483648'],
  ])('does not sleep on what %s answers when no timer can hold it: it stops, saying why', async (_, options, value) => {
    const server = await startServer(503)
    const { mw, delays } = recorder(options)
    await using api = createClient({ baseURL: server.url, middleware: [mw] })
    const error = (await api.get('/').catch((e: unknown) => e)) as HTTPError
    expect(error.message).toContain(`(not retried: the retry delay came out as ${value} ms, not a wait from 0 to 2147483647 ms)`)
    expect(delays).toEqual([])
    expect(server.seen).toHaveLength(1)
  })
})
