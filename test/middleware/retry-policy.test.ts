import { describe, expect, it } from 'vitest'
import { delayFor, parseRetryAfter, type RetryContext, shouldRetry } from '../../middleware/retry-policy.js'
import { createClient, NetworkError, TimeoutError } from '../../src/index.js'
import type { ClientRequest } from '../../src/types.js'

const rules = { delay: 1000, backoff: 2, maxDelay: 30_000, jitter: false as const }
const policy = { statuses: new Set([408, 429, 500, 502, 503, 504]), methods: new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']) }

// A real ClientRequest, as the pipeline would see it, captured through a one-middleware client.
async function requestFor(method: string, headers: Record<string, string> = {}): Promise<ClientRequest> {
  let seen: ClientRequest | undefined
  const client = createClient({
    baseURL: 'http://127.0.0.1:9',
    middleware: [
      async (request) => {
        seen = request
        throw new Error('captured')
      },
    ],
  })
  await client.request(method, '/x', { headers }).catch(() => {})
  await client.close()
  return seen as ClientRequest
}
const context = (request: ClientRequest, extra: Partial<RetryContext>): RetryContext => ({ request, attempt: 0, ...extra })

describe('delayFor', () => {
  it('grows delay * backoff^attempt without jitter, capped by maxDelay', () => {
    expect([0, 1, 2, 3].map((n) => delayFor(n, rules))).toEqual([1000, 2000, 4000, 8000])
    expect(delayFor(10, rules)).toBe(30_000)
  })

  it('keeps the default jitter within [d/2, d]', () => {
    const jittered = { ...rules, jitter: true }
    expect(delayFor(2, jittered, () => 0)).toBe(2000)
    expect(delayFor(2, jittered, () => 0.999999)).toBeCloseTo(4000, 0)
    for (let i = 0; i < 200; i++) {
      const d = delayFor(1, jittered)
      expect(d).toBeGreaterThanOrEqual(1000)
      expect(d).toBeLessThanOrEqual(2000)
    }
  })

  it('takes a jitter function', () => {
    expect(delayFor(0, { ...rules, jitter: (d, random) => d * random() }, () => 0.25)).toBe(250)
  })
})

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z')
  it('reads delta-seconds', () => expect(parseRetryAfter(new Headers({ 'retry-after': '7' }), now)).toBe(7000))
  it('reads an HTTP-date', () => expect(parseRetryAfter(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:03 GMT' }), now)).toBe(3000))
  it('reads retry-after-ms first', () =>
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '250', 'retry-after': '9' }), now)).toBe(250))
  it('treats a past date as 0 and garbage as absent', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Wed, 31 Dec 2025 23:00:00 GMT' }), now)).toBe(0)
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined()
    expect(parseRetryAfter(new Headers({ 'retry-after': '-3' }), now)).toBeUndefined()
    expect(parseRetryAfter(new Headers(), now)).toBeUndefined()
  })
})

describe('shouldRetry', () => {
  it('retries listed statuses on idempotent methods, never other 4xx', async () => {
    const get = await requestFor('GET')
    expect(shouldRetry(context(get, { status: 503 }), policy)).toBe(true)
    expect(shouldRetry(context(get, { status: 429 }), policy)).toBe(true)
    expect(shouldRetry(context(get, { status: 404 }), policy)).toBe(false)
    expect(shouldRetry(context(get, { status: 400 }), policy)).toBe(false)
  })

  it('does not retry POST by default, but does with an idempotency key', async () => {
    expect(shouldRetry(context(await requestFor('POST'), { status: 503 }), policy)).toBe(false)
    expect(shouldRetry(context(await requestFor('POST', { 'Idempotency-Key': 'k1' }), { status: 503 }), policy)).toBe(true)
  })

  it('retries any method when the error proves the request never left', async () => {
    const post = await requestFor('POST')
    const refused = new NetworkError(post, Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
    const reset = new NetworkError(post, Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
    expect(shouldRetry(context(post, { error: refused }), policy)).toBe(true)
    expect(shouldRetry(context(post, { error: reset }), policy)).toBe(false)
  })

  it('retries attempt timeouts, not the deadline, nor unknown errors', async () => {
    const get = await requestFor('GET')
    expect(shouldRetry(context(get, { error: new TimeoutError(get, 100, 'attempt') }), policy)).toBe(true)
    expect(shouldRetry(context(get, { error: new TimeoutError(get, 100, 'deadline') }), policy)).toBe(false)
    expect(shouldRetry(context(get, { error: new TypeError('bug') }), policy)).toBe(false)
  })
})
