// Property-based: whatever secret goes in, through whatever path, it comes out nowhere.
import { inspect } from 'node:util'
import { context, trace as otel, propagation } from '@opentelemetry/api'
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import fc from 'fast-check'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { log, retry, timeout, trace } from '../middleware/index.js'
import { type Client, createClient } from '../src/index.js'
import { captureLogs } from './helpers/capture.js'
import { refusedPort, startServer, type TestServer } from './helpers/server.js'

class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const RUNS = 1_000
const exporter = new InMemorySpanExporter()
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
const reader = new TestReader()
const meterProvider = new MeterProvider({ readers: [reader] })
const logs = captureLogs(5)
const paths = ['ok', 'fail', 'network', 'timeout', 'retry'] as const
const clients = {} as Record<(typeof paths)[number], Client>
let server: TestServer

beforeAll(async () => {
  provider.register()
  let flaky = 0
  server = await startServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    if (path === '/hang') return
    if (path === '/flaky' && flaky++ % 2 === 0) return void res.writeHead(503).end()
    const status = path === '/fail' ? 500 : 200
    // The answer carries the secret too, under a secret key: logged bodies must hide it.
    res
      .writeHead(status, { 'content-type': 'application/json' })
      .end(JSON.stringify({ ok: status === 200, access_token: req.headers['x-api-key'] }))
  })
  const pipeline = () => [
    retry({ maxRetries: 1, sleep: async () => {} }),
    timeout(30),
    trace({ meterProvider }),
    log({ logger: logs.logger, bodies: true }),
  ]
  const make = (baseURL: string) => createClient({ baseURL, middleware: pipeline() })
  for (const path of paths) clients[path] = make(server.url)
  clients.network = make(`http://127.0.0.1:${await refusedPort()}`)
})

afterAll(async () => {
  await Promise.all(Object.values(clients).map((c) => c.close()))
  await server.close()
  await provider.shutdown()
  otel.disable()
  context.disable()
  propagation.disable()
})

const secret = fc.stringMatching(/^[A-Za-z0-9_.~-]{10,24}$/).map((s) => `Zq${s}`)
const headerName = fc.constantFrom(
  'authorization',
  'x-api-key',
  'cookie',
  'x-auth-token',
  'proxy-authorization',
  'x-client-secret',
  'api-key',
)
const queryName = fc.constantFrom(
  'access_token',
  'secret',
  'appsecret',
  'sig',
  'signature',
  'client_secret',
  'refresh_token',
  'code',
  'api_key',
  'password',
)
const bodyKey = fc.constantFrom('password', 'client_secret', 'token', 'apiKey', 'refresh_token', 'signature')

it(`no secret reaches a log, span, metric or error, over ${RUNS} random runs`, async () => {
  const seen = new Set<string>()
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...paths),
      secret,
      headerName,
      queryName,
      bodyKey,
      fc.boolean(),
      async (path, value, header, query, key, userinfo) => {
        seen.add(value)
        logs.lines.length = 0
        exporter.reset()
        const route = { ok: '/ok', fail: '/fail', network: '/ok', timeout: '/hang', retry: '/flaky' }[path]
        const target = userinfo ? `${clients[path].baseURL.origin.replace('//', `//u:${value}@`)}${route}` : route
        const error = await clients[path]
          .post(target, {
            headers: { [header]: value, 'x-api-key': value, 'idempotency-key': 'k' },
            query: { [query]: value, page: 1 },
            json: { user: 'ada', [key]: value, nested: { password: value } },
          })
          .then(
            () => undefined,
            (e: unknown) => e,
          )
        const outputs = [
          JSON.stringify(logs.lines),
          JSON.stringify(
            exporter.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })),
          ),
          error instanceof Error
            ? [error.message, error.stack, JSON.stringify(error), inspect(error, { depth: 6 })].join('\n')
            : String(error),
        ]
        for (const text of outputs) expect(text.includes(value), `${path}: leaked in ${text.slice(0, 300)}`).toBe(false)
      },
    ),
    { numRuns: RUNS },
  )
  const { resourceMetrics } = await reader.collect()
  const metricText = JSON.stringify(
    resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.flatMap((m) => m.dataPoints.map((p) => p.attributes))),
  )
  for (const value of seen) expect(metricText.includes(value)).toBe(false)
  expect(server.seen.length).toBeGreaterThan(RUNS / 3) // the runs really went over the network
}, 120_000)
