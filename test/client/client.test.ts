import { describe, expect, it } from 'vitest'
import { ClientClosedError, createClient, isClientClosedError, type Middleware } from '../../src/index.js'
import { startServer } from '../helpers/server.js'

describe('createClient options', () => {
  it('rejects a bad baseURL at once, naming baseURL', () => {
    expect(() => createClient({ baseURL: 'api.example.com' })).toThrow(/baseURL must be an absolute http\(s\) URL/)
    expect(() => createClient({ baseURL: 'ftp://example.com' })).toThrow('baseURL must use http: or https:, got "ftp:"')
    expect(() => createClient({ baseURL: undefined as unknown as string })).toThrow(
      /baseURL must be an absolute http\(s\) URL string, got undefined/,
    )
    expect(() => createClient({ baseURL: 'https://user:pw@example.com' })).toThrow(/must not carry credentials/)
  })

  it('rejects a middleware entry that is not a function, naming its index', () => {
    const ok: Middleware = (request, next) => next(request)
    expect(() => createClient({ baseURL: 'http://x.test', middleware: [ok, {} as Middleware] })).toThrow(
      /middleware\[1\] must be a function/,
    )
    expect(() => createClient({ baseURL: 'http://x.test', middleware: ok as unknown as Middleware[] })).toThrow(/must be an array/)
  })

  it('rejects headers that are not an object or Headers, on the client and on a call', async () => {
    expect(() => createClient({ baseURL: 'http://x.test', headers: 'x-api-key: k' as never })).toThrow(
      'headers must be an object or Headers, got "x-api-key: k"',
    )
    await using api = createClient({ baseURL: 'http://127.0.0.1:9' })
    await expect(api.get('/', { headers: 'x-call: 1' as never })).rejects.toThrow(
      'options.headers must be an object or Headers, got "x-call: 1"',
    )
  })

  it('rejects unknown options with a suggestion', () => {
    expect(() => createClient({ baseUrl: 'http://x.test' } as never)).toThrow(
      'createClient: unknown option "baseUrl"; did you mean "baseURL"?',
    )
  })

  it('rejects conflicting transports', () => {
    expect(() => createClient({ baseURL: 'http://x.test', fetch, pool: { connections: 1 } })).toThrow(
      /pool and fetch cannot be used together/,
    )
    expect(() => createClient({ baseURL: 'http://x.test', fetch, core: 'undici' })).toThrow(/core: 'undici' and fetch/)
    expect(() => createClient({ baseURL: 'http://x.test', core: 'http2' as never })).toThrow(/core must be 'fetch' or 'undici'/)
  })

  it('rejects a negative or non-numeric timeout with what to fix', async () => {
    await using api = createClient({ baseURL: 'http://127.0.0.1:9' })
    await expect(api.get('/', { timeout: -1 })).rejects.toThrow(
      'timeout must be a number of milliseconds >= 0 and <= 2147483647 (about 24.8 days, the longest a timer can wait; 0 or false for none), got -1',
    )
    await expect(api.get('/', { timeout: '5s' as never })).rejects.toThrow(RangeError)
    await expect(api.get('/', { responseType: 'xml' as never })).rejects.toThrow(/responseType must be one of/)
    await expect(api.get('/', { query: { filter: new Map() } as never })).rejects.toThrow(/query\.filter must be a string/)
  })

  it('refuses an absolute URL on another origin (it would carry our credentials)', async () => {
    await using api = createClient({ baseURL: 'http://127.0.0.1:9', headers: { authorization: 'Bearer x' } })
    await expect(api.get('https://evil.example/steal')).rejects.toThrow(/another origin than baseURL/)
  })
})

describe('middleware composition', () => {
  it('runs middleware outermost first, composed once', async () => {
    const server = await startServer(200)
    const order: string[] = []
    const tag =
      (name: string): Middleware =>
      async (request, next) => {
        order.push(`${name}>`)
        const response = await next(request)
        order.push(`<${name}`)
        return response
      }
    await using api = createClient({ baseURL: server.url, middleware: [tag('a'), tag('b'), tag('c')] })
    await api.get('/')
    expect(order).toEqual(['a>', 'b>', 'c>', '<c', '<b', '<a'])
  })

  it('lets a middleware replace the request it passes on', async () => {
    const server = await startServer(200)
    const stamp: Middleware = (request, next) => {
      const headers = new Headers(request.headers)
      headers.set('x-stamp', String(request.attempt))
      return next({ ...request, headers })
    }
    await using api = createClient({ baseURL: server.url, middleware: [stamp] })
    await api.get('/')
    expect(server.seen[0]?.headers['x-stamp']).toBe('0')
  })
})

describe.each(['fetch', 'undici'] as const)('request headers (%s core)', (core) => {
  it('are read-only: a change in place fails, saying how to pass a copy on, and nothing is sent', async () => {
    const server = await startServer(200)
    const inPlace: Middleware = (request, next) => {
      request.headers.set('x-leak', 'yes')
      return next(request)
    }
    await using api = createClient({ baseURL: server.url, core, headers: { 'x-client': 'a' }, middleware: [inPlace] })
    for (const call of [() => api.get('/'), () => api.get('/', { headers: { 'x-call': '1' } }), () => api.post('/', { json: {} })]) {
      const error = await call().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TypeError)
      expect((error as Error).message).toMatch(
        /request\.headers is read-only.*new Headers\(request\.headers\).*next\(\{ \.\.\.request, headers \}\)/,
      )
    }
    expect(server.seen).toHaveLength(0)
  })

  it("keep each call's own: call headers, JSON, form and raw bodies never reach another call", async () => {
    const server = await startServer(200)
    await using api = createClient({ baseURL: server.url, core, headers: { 'x-client': 'a' } })
    await api.post('/json', { json: { a: 1 } })
    await api.post('/form', { form: { a: 1 } })
    await api.post('/text', { body: 'hi' })
    await api.get('/own', { headers: { 'x-call': '1', accept: 'text/csv' } })
    await api.post('/json-typed', { json: { a: 1 }, headers: { 'content-type': 'application/merge-patch+json' } })
    await api.get('/plain')
    await api.post('/json-again', { json: { b: 2 } })
    const sent = Object.fromEntries(server.seen.map((s) => [s.url, s.headers]))
    expect(sent['/json']).toMatchObject({ 'content-type': 'application/json', 'x-client': 'a' })
    expect(sent['/form']).toMatchObject({ 'content-type': 'application/x-www-form-urlencoded', 'x-client': 'a' })
    expect(sent['/text']).toMatchObject({ 'content-type': 'text/plain;charset=UTF-8', 'x-client': 'a' })
    expect(sent['/own']).toMatchObject({ 'x-call': '1', accept: 'text/csv', 'x-client': 'a' })
    expect(sent['/json-typed']?.['content-type']).toBe('application/merge-patch+json')
    expect(sent['/plain']).toMatchObject({ accept: 'application/json, text/plain, */*', 'x-client': 'a' })
    expect(sent['/plain']).not.toHaveProperty('content-type')
    expect(sent['/plain']).not.toHaveProperty('x-call')
    expect(sent['/json-again']).toMatchObject({ 'content-type': 'application/json', 'x-client': 'a' })
    expect(sent['/json-again']).not.toHaveProperty('x-call')
  })
})

describe('lifecycle', () => {
  it('close() waits for requests in flight, then later requests reject', async () => {
    const server = await startServer((_req, res) => setTimeout(() => res.end('late'), 100))
    const api = createClient({ baseURL: server.url })
    const inflight = api.get('/slow')
    const closed = api.close()
    expect(api.closed).toBe(true)
    await expect(inflight).resolves.toMatchObject({ status: 200, data: 'late' })
    await closed
    const error = await api.get('/again').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ClientClosedError)
    expect(isClientClosedError(error)).toBe(true)
    expect((error as Error).message).toMatch(/client is closed/)
  })

  it('close() is idempotent', async () => {
    const api = createClient({ baseURL: 'http://127.0.0.1:9' })
    const first = api.close()
    expect(api.close()).toBe(first)
    await first
    await expect(api.close()).resolves.toBeUndefined()
  })

  it('await using closes the client at the end of the scope', async () => {
    const server = await startServer(200)
    let escaped: ReturnType<typeof createClient> | undefined
    {
      await using api = createClient({ baseURL: server.url })
      await api.get('/')
      escaped = api
      expect(escaped.closed).toBe(false)
    }
    expect(escaped.closed).toBe(true)
    await expect(escaped.get('/')).rejects.toBeInstanceOf(ClientClosedError)
  })
})

describe('client.health()', () => {
  it('reports a live service as ok with status and latency', async () => {
    const server = await startServer(200)
    await using api = createClient({ baseURL: server.url })
    const report = await api.health()
    expect(report).toMatchObject({ ok: true, status: 200 })
    expect(report.latencyMs).toBeGreaterThanOrEqual(0)
    expect(Date.parse(report.checkedAt)).not.toBeNaN()
  })

  it('reports a failing (500) service as not ok, without throwing', async () => {
    const server = await startServer(500)
    await using api = createClient({ baseURL: server.url })
    await expect(api.health()).resolves.toMatchObject({ ok: false, status: 500 })
    expect(server.seen).toHaveLength(1)
  })

  it('reports a dead or hanging service with an error message', async () => {
    const hanging = await startServer('hang')
    await using api = createClient({ baseURL: hanging.url })
    const report = await api.health({ timeout: 50 })
    expect(report.ok).toBe(false)
    expect(report.error).toMatch(/timed out after 50 ms/)
  })
})
