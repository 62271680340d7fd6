import { describe, expect, it } from 'vitest'
import { retry } from '../../middleware/retry.js'
import { timeout } from '../../middleware/timeout.js'
import { createClient, type Middleware, TimeoutError } from '../../src/index.js'
import { startServer } from '../helpers/server.js'

const slow = (ms: number) => async (_req: unknown, res: import('node:http').ServerResponse) =>
  void setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"slow":true}'), ms)

describe('timeout', () => {
  it('limits each attempt, saying which limit fired and how long it was', async () => {
    const server = await startServer('hang')
    await using api = createClient({ baseURL: server.url, middleware: [timeout(50)] })
    const error = (await api.get('/').catch((e: unknown) => e)) as TimeoutError
    expect(error).toBeInstanceOf(TimeoutError)
    expect(error.limit).toBe('attempt')
    expect(error.timeout).toBe(50)
    expect(error.message).toMatch(/timed out after 50 ms \(the per-attempt timeout\)/)
  })

  it('lets a call override it, or turn it off with 0 or false', async () => {
    const server = await startServer(slow(120))
    await using api = createClient({ baseURL: server.url, middleware: [timeout(50)] })
    expect((await api.get('/', { timeout: 2_000 })).data).toEqual({ slow: true })
    expect((await api.get('/', { timeout: 0 })).data).toEqual({ slow: true })
    expect((await api.get('/', { timeout: false })).data).toEqual({ slow: true })
    await expect(api.get('/')).rejects.toBeInstanceOf(TimeoutError)
  })

  it('really cancels the socket on timeout', async () => {
    let closed = false
    const server = await startServer((req) => req.socket.on('close', () => (closed = true)))
    await using api = createClient({ baseURL: server.url, middleware: [timeout(50)] })
    await expect(api.get('/')).rejects.toBeInstanceOf(TimeoutError)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(closed).toBe(true)
  })

  it('applies per attempt inside retry: each attempt gets the full limit', async () => {
    const server = await startServer(['hang', 'hang', slow(60)])
    await using api = createClient({ baseURL: server.url, middleware: [retry({ sleep: async () => {} }), timeout(100)] })
    expect((await api.get('/')).data).toEqual({ slow: true })
    expect(server.seen).toHaveLength(3)
  })

  it('enforces a total deadline across attempts and backoff sleeps', async () => {
    const server = await startServer(503)
    await using api = createClient({
      baseURL: server.url,
      middleware: [timeout({ attempt: 1_000, total: 300 }), retry({ delay: 100, jitter: false })],
    })
    const started = performance.now()
    const error = (await api.get('/').catch((e: unknown) => e)) as Error
    const elapsed = performance.now() - started
    expect(elapsed).toBeLessThan(1_000)
    // 100 ms then 200 ms of backoff: the second sleep would end past 300 ms, so retry gives up
    // with the last error and says why — or the deadline fires first.
    expect(error.message).toMatch(/would pass the deadline|the deadline/)
    expect(server.seen.length).toBeLessThanOrEqual(3)
  })

  it('rejects with a deadline TimeoutError when the deadline cuts an attempt short', async () => {
    const server = await startServer('hang')
    await using api = createClient({ baseURL: server.url, middleware: [timeout({ attempt: 5_000, total: 80 }), retry()] })
    const error = (await api.get('/').catch((e: unknown) => e)) as TimeoutError
    expect(error).toBeInstanceOf(TimeoutError)
    expect(error.limit).toBe('deadline')
    expect(error.message).toMatch(/timed out after 80 ms \(the deadline\)/)
    expect(server.seen).toHaveLength(1)
  })

  it('keeps one deadline per call even when it sits inside retry', async () => {
    const server = await startServer('hang')
    const attempts: number[] = []
    const spy: Middleware = (r, next) => (attempts.push(r.attempt), next(r))
    await using api = createClient({
      baseURL: server.url,
      middleware: [retry({ sleep: async () => {} }), spy, timeout({ attempt: 50, total: 120 })],
    })
    const started = performance.now()
    await expect(api.get('/')).rejects.toBeInstanceOf(TimeoutError)
    expect(performance.now() - started).toBeLessThan(1_000)
    expect(attempts.length).toBeLessThanOrEqual(3)
  })

  it('rejects a negative limit with what to fix', () => {
    expect(() => timeout(-5)).toThrow('timeout attempt must be a number of milliseconds >= 0 (0 or false for none), got -5')
    expect(() => timeout({ total: -1 })).toThrow(/timeout total must be/)
  })
})
