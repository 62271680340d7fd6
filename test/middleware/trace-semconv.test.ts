// trace() held to the OpenTelemetry HTTP client conventions (stable HTTP semconv,
// https://opentelemetry.io/docs/specs/semconv/http/http-spans/), on both cores. Cases ported as
// behaviours from OpenTelemetry JS's undici instrumentation tests
// (open-telemetry/opentelemetry-js-contrib packages/instrumentation-undici/test/undici.test.ts:
// "should not record abort as an error if undici request is aborted", "should set error.type to
// the status code for a failing response", "should not set error.type for a successful
// response", "should create valid spans for different request methods") and from the
// conventions' own rules: an intentional cancellation is no error (semantic-conventions#3494),
// the sampling attributes are given at span creation, `http.response.status_code` whenever a
// status was received, and the known-methods override (OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS).
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api'
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  type Sampler,
  SamplingDecision,
  type SamplingResult,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { retry } from '../../middleware/retry.js'
import { timeout } from '../../middleware/timeout.js'
import { type TraceOptions, trace } from '../../middleware/trace.js'
import { createClient, REDACTED } from '../../src/index.js'
import { startServer } from '../helpers/server.js'

class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** A sampler that keeps what it was shown at span start, and samples by a rule on it. */
class RecordingSampler implements Sampler {
  readonly seen: { name: string; attributes: Attributes }[] = []
  constructor(private readonly keep: (attributes: Attributes) => boolean = () => true) {}
  shouldSample(_c: Context, _t: string, name: string, _k: SpanKind, attributes: Attributes, _l: Link[]): SamplingResult {
    this.seen.push({ name, attributes: { ...attributes } })
    return { decision: this.keep(attributes) ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD }
  }
  toString(): string {
    return 'RecordingSampler'
  }
}

const exporter = new InMemorySpanExporter()
let sampler = new RecordingSampler()
let tracerProvider: BasicTracerProvider
let reader: TestReader
let meterProvider: MeterProvider
beforeEach(() => {
  exporter.reset()
  sampler = new RecordingSampler()
  tracerProvider = new BasicTracerProvider({ sampler, spanProcessors: [new SimpleSpanProcessor(exporter)] })
  reader = new TestReader()
  meterProvider = new MeterProvider({ readers: [reader] })
})

const traced = (options: TraceOptions = {}) => trace({ tracerProvider, meterProvider, ...options })
const onlySpan = (): ReadableSpan => {
  const spans = exporter.getFinishedSpans()
  expect(spans).toHaveLength(1)
  return spans[0] as ReadableSpan
}
async function durationPoints(): Promise<Attributes[]> {
  const { resourceMetrics } = await reader.collect()
  const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'http.client.request.duration')
  return (metric?.dataPoints ?? []).map((p) => p.attributes)
}
/** Headers and the first part of a 1,000-byte JSON body; the rest never comes. */
const halfBody = (_req: IncomingMessage, res: ServerResponse): void => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' })
  res.write('{"items":[')
}

for (const core of ['fetch', 'undici'] as const) {
  describe(`${core} core: trace() and the HTTP conventions`, () => {
    it("leaves the span status unset on the caller's abort: no error.type on span or metric, no exception event", async () => {
      const server = await startServer('hang')
      await using api = createClient({ baseURL: server.url, core, middleware: [traced()] })
      const controller = new AbortController()
      const call = api.get('/slow', { signal: controller.signal })
      setTimeout(() => controller.abort(), 50)
      await expect(call).rejects.toMatchObject({ name: 'AbortError' })
      const span = onlySpan()
      expect(span.status.code).toBe(0) // UNSET
      expect(span.attributes).not.toHaveProperty('error.type')
      expect(span.events).toEqual([])
      const [point] = await durationPoints()
      expect(point).not.toHaveProperty('error.type')
      expect(point).not.toHaveProperty('http.response.status_code')
    })

    it("keeps the status of an answer whose body the caller's abort cut off, still no error", async () => {
      const server = await startServer(halfBody)
      await using api = createClient({ baseURL: server.url, core, middleware: [traced()] })
      const controller = new AbortController()
      const call = api.get('/half', { signal: controller.signal })
      setTimeout(() => controller.abort(new Error('user left')), 100)
      await expect(call).rejects.toThrow('user left')
      const span = onlySpan()
      expect(span.attributes['http.response.status_code']).toBe(200)
      expect(span.status.code).toBe(0)
      expect(span.attributes).not.toHaveProperty('error.type')
      expect((await durationPoints())[0]).toMatchObject({ 'http.response.status_code': 200 })
    })

    it("records a timeout as an error, error.type 'timeout': the attempt's limit, AbortSignal.timeout() and the deadline alike", async () => {
      const server = await startServer('hang')
      await using api = createClient({ baseURL: server.url, core, middleware: [traced()] })
      await expect(api.get('/slow', { timeout: 50 })).rejects.toMatchObject({ name: 'TimeoutError' })
      await expect(api.get('/slow', { signal: AbortSignal.timeout(50) })).rejects.toMatchObject({ name: 'TimeoutError' })
      // timeout({ total }) aborts the request's signal: a deadline is no cancellation either.
      await using limited = createClient({ baseURL: server.url, core, middleware: [timeout({ total: 60 }), traced()] })
      await expect(limited.get('/slow')).rejects.toMatchObject({ name: 'TimeoutError', limit: 'deadline' })
      const spans = exporter.getFinishedSpans()
      expect(spans.map((s) => [s.status.code, s.attributes['error.type']])).toEqual([
        [2, 'timeout'],
        [2, 'timeout'],
        [2, 'timeout'],
      ])
      expect((await durationPoints()).map((p) => p['error.type'])).toEqual(['timeout'])
    })

    it('gives the sampler method, server.address, server.port and url.full (redacted) at span start', async () => {
      const server = await startServer(200)
      await using api = createClient({ baseURL: server.url, core, middleware: [traced()] })
      await api.get('/users/{id}', { params: { id: 7 }, query: { access_token: 'SECRET', page: 2 } })
      expect(sampler.seen).toEqual([
        {
          name: 'GET /users/{id}',
          attributes: {
            'http.request.method': 'GET',
            'server.address': '127.0.0.1',
            'server.port': server.port,
            'url.full': `${server.url}/users/7?access_token=${REDACTED}&page=2`,
            'url.template': '/users/{id}',
          },
        },
      ])
    })

    it('lets a sampler decide by server.address: a dropped span records nothing, the metric still counts', async () => {
      sampler = new RecordingSampler((attributes) => attributes['server.address'] !== '127.0.0.1')
      tracerProvider = new BasicTracerProvider({ sampler, spanProcessors: [new SimpleSpanProcessor(exporter)] })
      const server = await startServer(200)
      await using api = createClient({ baseURL: server.url, core, middleware: [traced()] })
      await api.get('/x')
      expect(exporter.getFinishedSpans()).toEqual([])
      expect(await durationPoints()).toEqual([expect.objectContaining({ 'http.response.status_code': 200 })])
    })

    it('gives the sampler http.request.resend_count at the start of a retry', async () => {
      const server = await startServer([503, 200])
      await using api = createClient({ baseURL: server.url, core, middleware: [retry({ sleep: async () => {} }), traced()] })
      await api.get('/x')
      expect(sampler.seen.map((s) => s.attributes['http.request.resend_count'])).toEqual([undefined, 1])
    })

    it('records http.response.status_code when the body fails after the headers', async () => {
      const server = await startServer((req, res) => {
        halfBody(req, res)
        setTimeout(() => res.destroy(), 20)
      })
      await using api = createClient({ baseURL: server.url, core, middleware: [traced()] })
      await expect(api.get('/cut')).rejects.toMatchObject({ name: 'NetworkError' })
      const span = onlySpan()
      expect(span.attributes['http.response.status_code']).toBe(200)
      expect(span.status.code).toBe(2)
      expect(span.attributes['error.type']).toEqual(expect.any(String))
      expect((await durationPoints())[0]).toMatchObject({ 'http.response.status_code': 200 })
    })

    it("records the status of an answer whose body timed out, error.type 'timeout'", async () => {
      const server = await startServer(halfBody)
      await using api = createClient({ baseURL: server.url, core, middleware: [traced()] })
      await expect(api.get('/half', { timeout: 100 })).rejects.toMatchObject({ name: 'TimeoutError' })
      const span = onlySpan()
      expect([span.attributes['http.response.status_code'], span.attributes['error.type']]).toEqual([200, 'timeout'])
    })

    it('records the status of an answer whose body is not the JSON it claims (ParseError)', async () => {
      const server = await startServer({ status: 200, headers: { 'content-type': 'application/json' }, body: '<html>' })
      await using api = createClient({ baseURL: server.url, core, middleware: [traced()] })
      await expect(api.get('/html')).rejects.toMatchObject({ name: 'ParseError' })
      const span = onlySpan()
      expect([span.attributes['http.response.status_code'], span.attributes['error.type']]).toEqual([200, 'FL_ERR_PARSE'])
    })

    it('does not carry an earlier attempt’s status into a later failure before any answer', async () => {
      let hits = 0
      const server = await startServer((req, res) => {
        if (++hits === 1) {
          halfBody(req, res)
          setTimeout(() => res.destroy(), 20)
        } else req.socket.resetAndDestroy()
      })
      await using api = createClient({ baseURL: server.url, core, middleware: [traced(), retry({ sleep: async () => {} })] })
      await expect(api.get('/x')).rejects.toMatchObject({ name: 'NetworkError' })
      expect(hits).toBeGreaterThan(1)
      expect(onlySpan().attributes).not.toHaveProperty('http.response.status_code')
    })

    it('records a method knownMethods lists as itself, and one it does not as _OTHER in a span named HTTP', async () => {
      const server = await startServer(200)
      await using api = createClient({ baseURL: server.url, core, middleware: [traced({ knownMethods: ['GET', 'PURGE'] })] })
      await api.request('PURGE', '/cache')
      await api.post('/x')
      const [purge, post] = exporter.getFinishedSpans()
      expect([purge?.name, purge?.attributes['http.request.method']]).toEqual(['PURGE', 'PURGE'])
      expect(purge?.attributes).not.toHaveProperty('http.request.method_original')
      expect([post?.name, post?.attributes['http.request.method'], post?.attributes['http.request.method_original']]).toEqual([
        'HTTP',
        '_OTHER',
        'POST',
      ])
    })
  })
}

describe('trace(): known methods from the environment', () => {
  const saved = process.env.OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS
  afterEach(() => {
    if (saved === undefined) delete process.env.OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS
    else process.env.OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS = saved
  })

  it('reads OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS when trace() is made, as a full override of the defaults', async () => {
    process.env.OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS = 'GET, PURGE'
    const middleware = [traced()]
    delete process.env.OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS
    const server = await startServer(200)
    await using api = createClient({ baseURL: server.url, middleware })
    await api.request('PURGE', '/cache')
    await api.delete('/x')
    expect(exporter.getFinishedSpans().map((s) => s.attributes['http.request.method'])).toEqual(['PURGE', '_OTHER'])
  })

  it('lets the knownMethods option win over the environment variable', async () => {
    process.env.OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS = 'PURGE'
    const server = await startServer(200)
    await using api = createClient({ baseURL: server.url, middleware: [traced({ knownMethods: ['GET'] })] })
    await api.request('PURGE', '/cache')
    expect(onlySpan().attributes['http.request.method']).toBe('_OTHER')
  })
})

describe('trace(): how redirects are recorded', () => {
  it("covers every redirect hop with one span: url.full as first asked, the last answer's status, no resend_count", async () => {
    const server = await startServer([{ status: 302, headers: { location: '/there' } }, 200])
    await using api = createClient({ baseURL: server.url, middleware: [traced()] })
    await api.get('/here')
    expect(server.seen.map((s) => s.url)).toEqual(['/here', '/there'])
    const span = onlySpan()
    expect(span.attributes).toMatchObject({ 'url.full': `${server.url}/here`, 'http.response.status_code': 200 })
    expect(span.attributes).not.toHaveProperty('http.request.resend_count')
  })
})
