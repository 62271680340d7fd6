import { describe, expect, it } from 'vitest'
import { recommended } from '../../index.js'
import { createClient, type Middleware } from '../../src/index.js'
import { startServer } from '../helpers/server.js'

describe('recommended()', () => {
  it('is the documented order: redact, timeout, (idempotency, opt-in), health, retry, trace, log', () => {
    expect(recommended().map((mw) => mw.name)).toEqual(['redact', 'timeout', 'health', 'retry', 'trace', 'log'])
    const all = recommended({ idempotency: true }).map((mw) => mw.name)
    expect(all).toEqual(['redact', 'timeout', 'idempotency', 'health', 'retry', 'trace', 'log'])
    expect(recommended({ health: false, log: false }).map((mw) => mw.name)).toEqual(['redact', 'timeout', 'retry', 'trace'])
  })

  it('runs in that order around each attempt: the recorder sees retries inside, one key per call', async () => {
    const server = await startServer([503, 200])
    const seen: string[] = []
    const recorder: Middleware = async function recorder(request, next) {
      seen.push(`attempt ${request.attempt} timeout=${request.timeout} key=${request.headers.has('idempotency-key')}`)
      return next(request)
    }
    const pipeline = recommended({ retry: { sleep: async () => {} }, timeout: 7_000, idempotency: true, log: false })
    pipeline.splice(5, 0, recorder) // between retry and trace
    await using api = createClient({ baseURL: server.url, middleware: pipeline })
    await api.post('/orders', { json: { sku: 'a' } })
    expect(seen).toEqual(['attempt 0 timeout=7000 key=true', 'attempt 1 timeout=7000 key=true'])
  })

  // Issue 22, item 1: the breaker judges calls after their retries. An attempt that a retry healed
  // (a 503 answered again with 200) is no failure; before, each such attempt counted, and five of
  // them "in a row" across concurrent calls opened the breaker against a healthy server.
  it('judges each call after its retries: attempts that a retry healed are no failures', async () => {
    let n = 0
    const server = await startServer((_req, res) => void res.writeHead(n++ % 2 ? 200 : 503).end('{}'))
    await using api = createClient({ baseURL: server.url, middleware: recommended({ retry: { sleep: async () => {} }, log: false }) })
    for (let i = 0; i < 30; i++) await api.get('/')
    expect(server.seen).toHaveLength(60)
    expect((await api.health()).breaker).toMatchObject({ state: 'closed', calls: 30, failures: 0 })
  })

  it('retries a POST with the idempotency key it adds, when asked', async () => {
    const server = await startServer([503, { status: 201, json: { id: 1 } }])
    await using api = createClient({
      baseURL: server.url,
      middleware: recommended({ retry: { sleep: async () => {} }, idempotency: true, log: false }),
    })
    expect((await api.post('/orders', { json: {} })).status).toBe(201)
    expect(server.seen[1]?.headers['idempotency-key']).toBe(server.seen[0]?.headers['idempotency-key'])
  })

  it('adds no keys by default: a POST that got a 503 is not sent again', async () => {
    const server = await startServer([503, 201])
    await using api = createClient({ baseURL: server.url, middleware: recommended({ retry: { sleep: async () => {} }, log: false }) })
    await expect(api.post('/sms', { json: {} })).rejects.toThrow(/503/)
    expect(server.seen).toHaveLength(1)
    expect(server.seen[0]?.headers).not.toHaveProperty('idempotency-key')
  })
})
