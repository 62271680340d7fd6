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
    expect(() => timeout(-5)).toThrow(
      'timeout attempt must be a number of milliseconds >= 0 and <= 2147483647 (about 24.8 days, the longest a timer can wait; 0 or false for none), got -5',
    )
    expect(() => timeout({ total: -1 })).toThrow(/timeout total must be/)
  })
})

describe('timeout options (issue 12, items 5, 6, 17)', () => {
  /** The attempt limit the middleware hands on, and whether it set a deadline. */
  async function handedOn(mw: Middleware, options: { timeout?: number } = {}) {
    let seen: { timeout: number | undefined; deadline: unknown } | undefined
    const request = { options, context: {}, signal: undefined } as unknown as Parameters<Middleware>[0]
    await mw(request, async (r) => {
      seen = { timeout: r.timeout, deadline: r.context.deadline }
      return {} as never
    })
    return seen
  }

  it.each([
    ['a string', '500', 'got "500"'],
    ['null', null, 'got null'],
    ['an array', [500], 'got a Array'],
    ['a function', () => 500, 'got a function'],
  ])('refuses %s at creation, saying it takes a number or options', (_, value, got) => {
    expect(() => timeout(value as never)).toThrow(
      `timeout takes a number of milliseconds or options such as { attempt: 5_000, total: 20_000 }, ${got}`,
    )
  })

  it('still bounds the call it was given as a string would have been (no silent 30 s)', async () => {
    // The old code spread '500' as an object: the limit stayed at the 30 s default.
    expect(() => timeout('500' as never)).toThrow(TypeError)
    expect(await handedOn(timeout(500))).toEqual({ timeout: 500, deadline: undefined })
  })

  it('keeps the 30 s attempt limit for attempt: undefined (it used to turn the limit off)', async () => {
    expect(await handedOn(timeout({ attempt: undefined, total: undefined } as never))).toEqual({ timeout: 30_000, deadline: undefined })
    expect(await handedOn(timeout(undefined))).toEqual({ timeout: 30_000, deadline: undefined })
  })

  it('refuses limits a timer cannot hold, saying the limit (they used to fire after ~1 ms)', () => {
    expect(() => timeout({ total: 2_147_483_648 })).toThrow(
      'timeout total must be a number of milliseconds >= 0 and <= 2147483647 (about 24.8 days, the longest a timer can wait; 0 or false for none), got 2147483648',
    )
    expect(() => timeout(2 ** 31)).toThrow('timeout attempt must be a number of milliseconds >= 0 and <= 2147483647')
    expect(() => timeout({ attempt: Number.POSITIVE_INFINITY })).toThrow('got Infinity')
  })

  it("refuses a call's own timeout past the timer limit", async () => {
    const server = await startServer(200)
    await using api = createClient({ baseURL: server.url, middleware: [timeout()] })
    await expect(api.get('/', { timeout: 2 ** 31 })).rejects.toThrow('timeout must be a number of milliseconds >= 0 and <= 2147483647')
    expect(server.seen).toHaveLength(0)
  })
})
