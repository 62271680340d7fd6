import { describe, expect, it } from 'vitest'
import { delayFor, parseHttpDate, parseRetryAfter, type RetryContext, shouldRetry } from '../../middleware/retry-policy.js'
import type { ClientRequest } from '../../src/core/types.js'
import { createClient, NetworkError, TimeoutError } from '../../src/index.js'

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

  it('keeps a zero delay at 0 when backoff^attempt overflows (0 × Infinity is NaN)', () => {
    expect(delayFor(3, { delay: 0, backoff: 1e200, maxDelay: 30_000, jitter: false })).toBe(0)
  })
  it('never exceeds maxDelay however far backoff grows', () => {
    expect(delayFor(1000, { delay: 1000, backoff: 2, maxDelay: 2_147_483_647, jitter: false })).toBe(2_147_483_647)
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

describe('parseHttpDate (RFC 9110 §5.6.7)', () => {
  // Fixed instants, so nothing depends on the clock or the machine's time zone.
  const NOV_6_1994 = 784111777000 // Sun, 06 Nov 1994 08:49:37 GMT, the RFC's example
  const now = Date.UTC(2026, 0, 1)

  it.each([
    ['IMF-fixdate', 'Sun, 06 Nov 1994 08:49:37 GMT'],
    ['RFC 850', 'Sunday, 06-Nov-94 08:49:37 GMT'],
    ['asctime, day padded with a space', 'Sun Nov  6 08:49:37 1994'],
    ['asctime, day with two digits', 'Sun Nov 06 08:49:37 1994'],
  ])('reads %s as GMT', (_, value) => expect(parseHttpDate(value, now)).toBe(NOV_6_1994))

  it('reads a leap second (:60) as the next minute, not a minute early', () => {
    expect(parseHttpDate('Wed, 31 Dec 2025 23:59:60 GMT', now)).toBe(Date.UTC(2026, 0, 1, 0, 0, 0))
    expect(parseHttpDate('Thu, 01 Jan 2026 12:34:60 GMT', now)).toBe(Date.UTC(2026, 0, 1, 12, 35, 0))
  })

  it('places an RFC 850 two-digit year at most 50 years ahead (the 50-year rule)', () => {
    expect(parseHttpDate('Tuesday, 01-Jan-75 00:00:00 GMT', now)).toBe(Date.UTC(2075, 0, 1)) // 49 years ahead
    expect(parseHttpDate('Friday, 01-Jan-77 00:00:00 GMT', now)).toBe(Date.UTC(1977, 0, 1)) // 51 ahead: the past
    expect(parseHttpDate('Thursday, 01-Jan-26 00:00:00 GMT', now)).toBe(Date.UTC(2026, 0, 1))
    // Exactly 50 years ahead is not "more than 50"; one second more is.
    expect(parseHttpDate('Wednesday, 01-Jan-76 00:00:00 GMT', now)).toBe(Date.UTC(2076, 0, 1))
    expect(parseHttpDate('Wednesday, 01-Jan-76 00:00:00 GMT', now - 1000)).toBe(Date.UTC(1976, 0, 1))
    // Near a century's end, "01" is two years ahead, not 98 years back.
    expect(parseHttpDate('Tuesday, 01-Jan-01 00:00:00 GMT', Date.UTC(2099, 5, 1))).toBe(Date.UTC(2101, 0, 1))
  })

  it('reads a four-digit year below 100 as that year, not 19xx', () => {
    expect(new Date(parseHttpDate('Mon, 01 Jan 0001 00:00:00 GMT', now) as number).getUTCFullYear()).toBe(1)
  })

  it.each([
    ['a JavaScript Date string', 'Sun Nov 06 1994 08:49:37 GMT'],
    ['ISO 8601', '1994-11-06T08:49:37Z'],
    ['a lower-case day name', 'sun, 06 Nov 1994 08:49:37 GMT'],
    ['an upper-case month', 'Sun, 06 NOV 1994 08:49:37 GMT'],
    ['a zone other than GMT', 'Sun, 06 Nov 1994 08:49:37 UTC'],
    ['a numeric offset', 'Sun, 06 Nov 1994 08:49:37 +0000'],
    ['a one-digit day in IMF-fixdate', 'Sun, 6 Nov 1994 08:49:37 GMT'],
    ['a two-digit year in IMF-fixdate', 'Sun, 06 Nov 94 08:49:37 GMT'],
    ['a long day name in IMF-fixdate', 'Sunday, 06 Nov 1994 08:49:37 GMT'],
    ['a short day name in RFC 850', 'Sun, 06-Nov-94 08:49:37 GMT'],
    ['asctime with a zone', 'Sun Nov  6 08:49:37 1994 GMT'],
    ['day 32, hour 25', 'Sun, 32 Dec 2030 25:99:99 GMT'],
    ['31 February', 'Sat, 31 Feb 2026 00:00:00 GMT'],
    ['second 61', 'Thu, 01 Jan 2026 00:00:61 GMT'],
    ['minute 60', 'Thu, 01 Jan 2026 00:60:00 GMT'],
    ['non-ASCII digits', 'Sun, \u0660\u0666 Nov 1994 08:49:37 GMT'],
    ['extra text', 'Sun, 06 Nov 1994 08:49:37 GMT; later'],
  ])('refuses %s', (_, value) => expect(parseHttpDate(value, now)).toBeUndefined())
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
