import { context, trace as otel, propagation } from '@opentelemetry/api'
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { retry } from '../../middleware/retry.js'
import { trace } from '../../middleware/trace.js'
import { createClient, REDACTED } from '../../src/index.js'
import { refusedPort, startServer } from '../helpers/server.js'

class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const exporter = new InMemorySpanExporter()
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
const reader = new TestReader()
const meterProvider = new MeterProvider({ readers: [reader] })

beforeAll(() => provider.register())
afterAll(async () => {
  await provider.shutdown()
  otel.disable()
  context.disable()
  propagation.disable()
})
beforeEach(() => exporter.reset())

describe('trace', () => {
  it('makes one CLIENT span per attempt with the semconv attributes and resend_count', async () => {
    const server = await startServer([503, 503, { json: { ok: true } }])
    await using api = createClient({ baseURL: server.url, middleware: [retry({ sleep: async () => {} }), trace({ meterProvider })] })
    await api.get('/users/{id}', { params: { id: 7 }, query: { access_token: 'SECRET', page: 2 } })
    const spans = exporter.getFinishedSpans()
    expect(spans).toHaveLength(3)
    expect(spans.map((s) => s.name)).toEqual(['GET /users/{id}', 'GET /users/{id}', 'GET /users/{id}'])
    expect(spans.every((s) => s.kind === 2)).toBe(true) // SpanKind.CLIENT
    const [first, second, third] = spans
    expect(first?.attributes).toMatchObject({
      'http.request.method': 'GET',
      'url.full': `${server.url}/users/7?access_token=${REDACTED}&page=2`,
      'url.template': '/users/{id}',
      'server.address': '127.0.0.1',
      'server.port': server.port,
      'http.response.status_code': 503,
      'error.type': '503',
    })
    expect(first?.attributes).not.toHaveProperty('http.request.resend_count')
    expect(second?.attributes['http.request.resend_count']).toBe(1)
    expect(third?.attributes['http.request.resend_count']).toBe(2)
    expect(first?.status.code).toBe(2) // ERROR
    expect(third?.status.code).toBe(0) // UNSET
    expect(third?.attributes).not.toHaveProperty('error.type')
  })

  it('is a child of the caller span and sends a traceparent that matches the span', async () => {
    const server = await startServer(200)
    await using api = createClient({ baseURL: server.url, middleware: [trace({ meterProvider })] })
    const tracer = provider.getTracer('test')
    await tracer.startActiveSpan('handler', async (parent) => {
      await api.get('/')
      parent.end()
    })
    const spans = exporter.getFinishedSpans()
    const client = spans.find((s) => s.name === 'GET')
    const parent = spans.find((s) => s.name === 'handler')
    expect(client?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId)
    const header = String(server.seen[0]?.headers.traceparent)
    expect(header).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
    const [, traceId, spanId] = header.split('-')
    expect(traceId).toBe(client?.spanContext().traceId)
    expect(spanId).toBe(client?.spanContext().spanId)
  })

  it('does not inject with propagate: false', async () => {
    const server = await startServer(200)
    await using api = createClient({ baseURL: server.url, middleware: [trace({ propagate: false, meterProvider })] })
    await api.get('/')
    expect(server.seen[0]?.headers).not.toHaveProperty('traceparent')
    expect(exporter.getFinishedSpans()).toHaveLength(1)
  })

  it('records network failures with error.type and a redacted exception', async () => {
    const port = await refusedPort()
    await using api = createClient({ baseURL: `http://127.0.0.1:${port}`, middleware: [trace({ meterProvider })] })
    await expect(api.post('/x', { query: { secret: 'S3' } })).rejects.toThrow()
    const [span] = exporter.getFinishedSpans()
    expect(span?.attributes['error.type']).toBe('ECONNREFUSED')
    expect(span?.status.code).toBe(2)
    const exception = span?.events.find((e) => e.name === 'exception')
    expect(exception?.attributes?.['exception.type']).toBe('NetworkError')
    expect(JSON.stringify({ attributes: span?.attributes, events: span?.events })).not.toContain('S3')
  })

  it('names an unknown method _OTHER with the original kept', async () => {
    const server = await startServer(200)
    await using api = createClient({ baseURL: server.url, middleware: [trace({ meterProvider })] })
    await api.request('PURGE', '/cache')
    const [span] = exporter.getFinishedSpans()
    expect(span?.name).toBe('HTTP')
    expect(span?.attributes).toMatchObject({ 'http.request.method': '_OTHER', 'http.request.method_original': 'PURGE' })
  })

  it('records http.client.request.duration with low-cardinality attributes only', async () => {
    const server = await startServer([200, 404])
    await using api = createClient({ baseURL: server.url, middleware: [trace({ meterProvider })] })
    await api.get('/users/{id}', { params: { id: 1 }, query: { token: 'T' } })
    await api.get('/users/{id}', { params: { id: 2 } }).catch(() => {})
    const { resourceMetrics } = await reader.collect()
    const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'http.client.request.duration')
    expect(metric?.descriptor.unit).toBe('s')
    const points = metric?.dataPoints ?? []
    const mine = points.filter((p) => p.attributes['server.port'] === server.port)
    expect(mine.map((p) => p.attributes['http.response.status_code']).sort()).toEqual([200, 404])
    for (const point of mine) {
      expect(Object.keys(point.attributes).sort()).toEqual(
        [
          'http.request.method',
          'server.address',
          'server.port',
          'url.template',
          'http.response.status_code',
          ...(point.attributes['error.type'] ? ['error.type'] : []),
        ].sort(),
      )
    }
    expect(JSON.stringify(points)).not.toContain('"T"')
    expect((mine[0] as { value: { buckets: { boundaries: number[] } } }).value.buckets.boundaries).toEqual([
      0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
    ])
  })
})
