// cache() is visible: the span and the duration metric carry `fetchline.cache`, the log line says
// it, for hit, miss, revalidated and stale alike.
import { context, trace as otel, propagation } from '@opentelemetry/api'
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import { createConsola } from 'consola'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { cache } from '../../middleware/cache.js'
import { log } from '../../middleware/log.js'
import { trace } from '../../middleware/trace.js'
import { createClient } from '../../src/index.js'
import { startServer } from '../helpers/server.js'

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE })
  }
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

it('says hit, miss, revalidated and stale in the span, the metric and the log line', async () => {
  let fail = false
  const server = await startServer((req, res) => {
    if (fail) return void res.writeHead(503).end()
    if (req.headers['if-none-match'] === '"e"') return void res.writeHead(304, { etag: '"e"' }).end()
    const cc = req.url === '/fresh' ? 'max-age=60' : 'max-age=0, stale-if-error=60'
    res.writeHead(200, { 'cache-control': cc, etag: '"e"', 'content-type': 'application/json' }).end('{"ok":true}')
  })
  const lines: Array<Record<string, unknown>> = []
  const logger = createConsola({ level: 3, reporters: [{ log: (entry) => void lines.push(JSON.parse(JSON.stringify(entry))) }] })
  await using api = createClient({ baseURL: server.url, middleware: [trace({ meterProvider }), log({ logger }), cache()] })
  await api.get('/fresh') // miss
  await api.get('/fresh') // hit
  await api.get('/other') // miss
  await api.get('/other') // revalidated
  fail = true
  await api.get('/other') // stale
  const said = ['miss', 'hit', 'miss', 'revalidated', 'stale']
  expect(exporter.getFinishedSpans().map((span) => span.attributes['fetchline.cache'])).toEqual(said)
  const info = lines.filter((line) => line.type === 'info')
  expect(info.map((line) => line.cache)).toEqual(said)
  expect(String((info[1]?.args as string[] | undefined)?.[0])).toMatch(/ - 200 \[cache hit\] \(/)
  const { resourceMetrics } = await reader.collect()
  const points = resourceMetrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .flatMap((metric) => metric.dataPoints as Array<{ attributes: Record<string, unknown>; value: unknown }>)
  const counts: Record<string, number> = {}
  for (const point of points) {
    const result = String(point.attributes['fetchline.cache'])
    counts[result] = (counts[result] ?? 0) + (point.value as { count: number }).count
  }
  expect(counts).toEqual({ miss: 2, hit: 1, revalidated: 1, stale: 1 })
})
