// Every error class: its name, its code, and no secret in its message, stack or JSON.
import { type Case, check, checkError, equal, rejects, secretive } from './assert.js'

export const errors: Record<string, Case> = {
  async 'HTTPError: status, code, no secret'(ctx) {
    await using api = secretive(ctx)
    const error = await rejects(api.get('/status', { query: { code: 418 } }), 'GET /status 418')
    checkError(error, 'HTTPError', 'FL_ERR_HTTP')
    equal(error.status, 418, 'status')
    check(ctx.lib.core.isHTTPError(error), 'isHTTPError')
  },
  async 'NetworkError: socket reset'(ctx) {
    await using api = secretive(ctx)
    const error = await rejects(api.get('/reset'), 'GET /reset')
    checkError(error, 'NetworkError', 'FL_ERR_NETWORK')
  },
  async 'NetworkError: connection refused (neverSent where the runtime says so)'(ctx) {
    await using api = secretive(ctx, [], ctx.closedURL)
    const error = await rejects(api.post('/x', { json: {} }), 'POST to a closed port')
    checkError(error, 'NetworkError', 'FL_ERR_NETWORK')
    // workerd's fetch reports every lost connection alike ("Network connection lost.", no code):
    // nothing proves the POST never left, so neverSent must stay false there, and a POST is not
    // retried on a guess. Node, Bun and Deno name ECONNREFUSED.
    const proven = ctx.runtime !== 'workerd'
    equal(error.neverSent, proven, `neverSent (systemCode ${String(error.systemCode)})`)
  },
  async 'ParseError: malformed JSON, body not in the message'(ctx) {
    await using api = secretive(ctx)
    const error = await rejects(api.get('/bad-json'), 'GET /bad-json')
    checkError(error, 'ParseError', 'FL_ERR_PARSE')
    check(!error.message.includes('s3cr3t-in-body'), 'the body shows in the message')
  },
  async 'ValidationError: a Standard Schema rejects the answer'(ctx) {
    await using api = secretive(ctx)
    const schema = {
      '~standard': {
        version: 1 as const,
        vendor: 'conformance',
        validate: (value: unknown) => ((value as { id?: unknown }).id === 1 ? { value } : { issues: [{ message: 'id must be 1' }] }),
      },
    }
    const error = await rejects(api.get('/echo', { schema }), 'GET /echo with a schema')
    checkError(error, 'ValidationError', 'FL_ERR_VALIDATION')
    equal((error.issues as { message: string }[])[0]?.message, 'id must be 1', 'issues')
  },
  async 'TimeoutError: attempt limit on a hanging request'(ctx) {
    await using api = secretive(ctx)
    const error = await rejects(api.get('/hang', { timeout: 100 }), 'GET /hang, timeout 100')
    checkError(error, 'TimeoutError', 'FL_ERR_TIMEOUT')
    equal([error.limit, error.timeout], ['attempt', 100], '[limit, timeout]')
  },
  async 'TimeoutError: total deadline across retries'(ctx) {
    const { timeout, retry } = ctx.lib.middleware
    await using api = secretive(ctx, [timeout({ attempt: 5_000, total: 150 }), retry({ delay: 10 })])
    const error = await rejects(api.get('/hang'), 'GET /hang, deadline 150')
    checkError(error, 'TimeoutError', 'FL_ERR_TIMEOUT')
    equal([error.limit, error.timeout], ['deadline', 150], '[limit, timeout]')
  },
  async 'ClientClosedError after close()'(ctx) {
    const api = secretive(ctx)
    await api.close()
    const error = await rejects(api.get('/echo'), 'GET after close()')
    checkError(error, 'ClientClosedError', 'FL_ERR_CLOSED')
  },
  async 'CircuitOpenError once health() opens the breaker'(ctx) {
    const { health } = ctx.lib.middleware
    await using api = secretive(ctx, [health({ failureThreshold: 2, cooldown: 60_000 })])
    for (let i = 0; i < 2; i++) await rejects(api.get('/status', { query: { code: 500 } }), 'GET /status 500')
    const error = await rejects(api.get('/echo'), 'GET with the breaker open')
    checkError(error, 'CircuitOpenError', 'FL_ERR_CIRCUIT_OPEN')
    const report = await api.health()
    equal([report.ok, report.status, report.breaker?.state, report.breaker?.consecutiveFailures], [true, 200, 'open', 2], 'health report')
  },
  async 'RateLimitError from rateLimit() with the memory store'(ctx) {
    const { rateLimit } = ctx.lib.middleware
    await using api = secretive(ctx, [
      rateLimit({ limit: 1, interval: 60_000, maxWait: 0, store: ctx.lib.core.createMemoryRateLimitStore() }),
    ])
    await api.get('/echo')
    const error = await rejects(api.get('/echo'), 'a second call over the limit')
    checkError(error, 'RateLimitError', 'FL_ERR_RATE_LIMITED')
  },
}
