import { context, trace as otel, propagation } from '@opentelemetry/api'
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { log } from '../../middleware/log.js'
import { redact } from '../../middleware/redact.js'
import { trace } from '../../middleware/trace.js'
import { createClient, type HTTPError, REDACTED } from '../../src/index.js'
import { captureLogs } from '../helpers/capture.js'
import { startServer } from '../helpers/server.js'

const exporter = new InMemorySpanExporter()
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
beforeAll(() => provider.register())
afterAll(async () => {
  await provider.shutdown()
  otel.disable()
  context.disable()
  propagation.disable()
})

/** Everything a call leaves behind that a person could read: log lines (message and fields), spans, the error. */
async function outputsOf(call: () => Promise<unknown>, lines: { args: unknown[] }[]): Promise<string> {
  exporter.reset()
  lines.length = 0
  const error = (await call().catch((e: unknown) => e)) as Error | undefined
  const spans = exporter.getFinishedSpans().map((span) => span.attributes)
  return [JSON.stringify(lines), JSON.stringify(spans), error?.message, error?.stack].join('\n')
}

describe('redact', () => {
  it('applies its rules in outer middleware and errors, wherever it sits', async () => {
    const server = await startServer(404)
    const { logger, lines } = captureLogs()
    // log is outermost and sees every request before redact() runs: rules still apply.
    await using api = createClient({
      baseURL: server.url,
      middleware: [log({ logger }), redact({ query: ['tenant'], headers: ['x-tenant'] })],
    })
    const error = (await api
      .get('/x', { query: { tenant: 'acme-internal', page: 1 }, headers: { 'x-tenant': 'acme-internal' } })
      .catch((e: unknown) => e)) as HTTPError
    expect(error.message).toContain(`tenant=${REDACTED}&page=1`)
    const all = JSON.stringify(lines)
    expect(all).not.toContain('acme-internal')
    expect(all).toContain(`"x-tenant":"${REDACTED}"`)
  })

  it('switches to allow-list mode: only listed names are shown', async () => {
    const server = await startServer(500)
    await using api = createClient({ baseURL: server.url, middleware: [redact({ mode: 'allow', query: ['page'] })] })
    const error = (await api.get('/x', { query: { page: 2, q: 'private words' } }).catch((e: unknown) => e)) as HTTPError
    expect(error.request?.url).toBe(`${server.url}/x?page=2&q=${REDACTED}`)
  })

  it('keeps the defaults with no redact() at all', async () => {
    const server = await startServer(500)
    await using api = createClient({ baseURL: server.url })
    const error = (await api.get('/x', { query: { access_token: 'abc' } }).catch((e: unknown) => e)) as HTTPError
    expect(error.message).not.toContain('abc')
  })

  it('a deny rule wins over an allow list wherever it sits, in logs and in the error message', async () => {
    const server = await startServer(500)
    const { logger, lines } = captureLogs()
    await using api = createClient({
      baseURL: server.url,
      middleware: [
        redact({ headers: ['X-Partner-Sig'], query: ['partner_sig'] }),
        log({ logger }),
        redact({ mode: 'allow', headers: ['x-request-id', 'x-partner-sig'], query: ['page', 'partner_sig'] }),
      ],
    })
    const shown = await outputsOf(
      () =>
        api.get('/x', {
          query: { page: 2, partner_sig: 'QSIG-VALUE' },
          headers: { 'x-partner-sig': 'HSIG-VALUE', 'x-request-id': 'r-1', authorization: 'Bearer AUTH-VALUE' },
        }),
      lines,
    )
    for (const secret of ['QSIG-VALUE', 'HSIG-VALUE', 'AUTH-VALUE']) expect(shown).not.toContain(secret)
    expect(shown).toContain(`page=2&partner_sig=${REDACTED}`)
    expect(shown).toContain('"x-request-id":"r-1"') // allow-listed and not secret: shown
  })

  it('a RegExp rule with the g flag hides the value on every call', async () => {
    const server = await startServer(404)
    await using api = createClient({ baseURL: server.url, middleware: [redact({ query: [/^tenant$/g] })] })
    for (let i = 0; i < 3; i++) {
      const error = (await api.get('/x', { query: { tenant: 'acme-internal' } }).catch((e: unknown) => e)) as HTTPError
      // Each error renders the URL twice (message and request.url): a kept lastIndex showed one of them.
      expect(`${error.message} ${error.request?.url}`, `call ${i}`).not.toContain('acme-internal')
    }
  })

  for (const core of ['fetch', 'undici'] as const) {
    it(`hides a token in the path by a path rule, and a secret params value, in logs, spans and errors (${core} core)`, async () => {
      const server = await startServer(401)
      const { logger, lines } = captureLogs()
      await using api = createClient({
        baseURL: server.url,
        core,
        middleware: [redact({ path: [/\/bot([^/]+)/] }), trace(), log({ logger })],
      })
      const literal = await outputsOf(() => api.post('/bot123456:AAE-literal/sendMessage', { json: { chat_id: 1 } }), lines)
      expect(literal).not.toContain('AAE-literal')
      expect(literal).toContain(`/bot${REDACTED}/sendMessage`)
      // No rule needed when the token comes in params under a secret name (judged by the query rules).
      const viaParams = await outputsOf(() => api.get('/v1/{api_key}/items/{id}', { params: { api_key: 'K3Y:PARAM', id: 42 } }), lines)
      expect(viaParams).not.toContain('K3Y')
      expect(viaParams).toContain(`/v1/${REDACTED}/items/42`)
      expect(server.seen.map((s) => s.url)).toEqual(['/bot123456:AAE-literal/sendMessage', '/v1/K3Y%3APARAM/items/42']) // sent as is
    })
  }

  it('rejects malformed rules', () => {
    expect(() => redact({ path: '/bot' as never })).toThrow('redact: path must be an array of secret values (strings) or RegExps')
    expect(() => redact({ query: 'tenant' as never })).toThrow('redact: query must be an array of names (strings) or RegExps')
    expect(() => redact({ mode: 'hide' as never })).toThrow(/mode must be 'deny' or 'allow'/)
  })
})
