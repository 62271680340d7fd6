import { describe, expect, it } from 'vitest'
import { log } from '../../middleware/log.js'
import { redact } from '../../middleware/redact.js'
import { createClient, type HTTPError, REDACTED } from '../../src/index.js'
import { captureLogs } from '../helpers/capture.js'
import { startServer } from '../helpers/server.js'

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

  it('rejects malformed rules', () => {
    expect(() => redact({ query: 'tenant' as never })).toThrow('redact: query must be an array of names (strings) or RegExps')
    expect(() => redact({ mode: 'hide' as never })).toThrow(/mode must be 'deny' or 'allow'/)
  })
})
