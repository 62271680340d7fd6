// RFC 9111's rules as pure functions: parsing, storability, freshness, age, and what a stored
// answer may be used for. Cases from the RFC's text (section numbers in the names) and from
// http-tests/cache-tests' cc-parse and freshness groups, in our own words.
import { describe, expect, it } from 'vitest'
import {
  currentAge,
  deltaSeconds,
  freshnessLifetime,
  isStorable,
  judge,
  parseCacheControl,
  retention,
} from '../../src/features/cache-policy.js'
import type { CacheEntry } from '../../src/features/cache-store.js'

const T = Date.parse('2026-12-07T12:00:00Z')
const at = (s: number) => new Date(T + s * 1000).toUTCString()
const entry = (headers: Record<string, string>, status = 200, requestTime = T, responseTime = T): CacheEntry => ({
  status,
  headers: Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
  body: new Uint8Array(),
  requestTime,
  responseTime,
  vary: {},
})
const lifetime = (headers: Record<string, string>, status = 200, fallback?: number) =>
  freshnessLifetime(entry(headers, status), parseCacheControl(headers['cache-control'] ?? null), fallback)
const none = parseCacheControl(null)

describe('Cache-Control parsing (§5.2)', () => {
  it('lower-cases names, unquotes values, keeps the first of a repeated directive', () => {
    const cc = parseCacheControl('Max-Age=60, private="set-cookie, x-a", max-age=5,no-cache')
    expect([...cc]).toEqual([
      ['max-age', '60'],
      ['private', 'set-cookie, x-a'],
      ['no-cache', ''],
    ])
  })
  it('ignores a directive with space around "=" (cache-tests freshness-max-age-space-*)', () => {
    expect(parseCacheControl('max-age =60').has('max-age')).toBe(false)
    expect(parseCacheControl('max-age= 60').has('max-age')).toBe(false)
    expect(parseCacheControl('no-cache="a, b", max-age=5').get('max-age')).toBe('5')
  })
  it('reads delta-seconds as digits only (§1.2.2), saturating at 2^31 s', () => {
    expect([deltaSeconds('60'), deltaSeconds('-1'), deltaSeconds('1.5'), deltaSeconds('"60"'), deltaSeconds('')]).toEqual([
      60_000,
      undefined,
      undefined,
      undefined,
      undefined,
    ])
    expect(deltaSeconds('99999999999999')).toBe(2_147_483_648_000)
  })
})

describe('storable (§3)', () => {
  const h = (o: Record<string, string>) => new Headers(o)
  it('needs freshness, a directive that makes it useful, or a heuristically cacheable status', () => {
    expect(isStorable(200, h({}), none, undefined)).toBe(true) // heuristically cacheable
    expect(isStorable(302, h({}), none, undefined)).toBe(false)
    expect(isStorable(302, h({ 'cache-control': 'max-age=5' }), none, undefined)).toBe(true)
    expect(isStorable(599, h({ 'cache-control': 'max-age=5' }), none, undefined)).toBe(true) // any final status with freshness
    expect(isStorable(206, h({ 'cache-control': 'max-age=5' }), none, undefined)).toBe(false) // ranges: not done
    expect(isStorable(200, h({ 'cache-control': 'private' }), none, undefined)).toBe(true) // a private cache may
  })
  it('never stores no-store (either side) or Vary: *', () => {
    expect(isStorable(200, h({ 'cache-control': 'max-age=60, no-store' }), none, undefined)).toBe(false)
    expect(isStorable(200, h({ 'cache-control': 'max-age=60' }), parseCacheControl('no-store'), undefined)).toBe(false)
    expect(isStorable(200, h({ 'cache-control': 'max-age=60', vary: 'accept, *' }), none, undefined)).toBe(false)
  })
})

describe('freshness lifetime (§4.2.1, §4.2.2)', () => {
  it('takes max-age over Expires, ignores s-maxage (shared caches only)', () => {
    expect(lifetime({ 'cache-control': 'max-age=10, s-maxage=99', expires: at(3600), date: at(0) })).toBe(10_000)
    expect(lifetime({ 'cache-control': 's-maxage=99' })).toBeGreaterThanOrEqual(0)
  })
  it('reads the three HTTP-date forms and nothing else (RFC 9110 §5.6.7)', () => {
    expect(lifetime({ expires: 'Monday, 07-Dec-26 12:00:30 GMT', date: at(0) })).toBe(30_000)
    expect(lifetime({ expires: 'Mon Dec  7 12:00:30 2026', date: at(0) })).toBe(30_000)
    for (const bad of [
      'Mon, 07 Dec 2026 12:00:30 UTC',
      'Mon 07 Dec 2026 12:00:30 GMT',
      'Mon,  07 Dec 2026 12:00:30 GMT',
      'Mon, 07-Dec-2026 12:00:30 GMT',
      'Mon, 07 Dec 2026 2:00:30 GMT',
    ]) {
      expect(lifetime({ expires: bad, date: at(0) })).toBe(0)
    }
  })
  it('counts Expires from Date; an invalid Expires ("0") is already expired', () => {
    expect(lifetime({ expires: at(30), date: at(0) })).toBe(30_000)
    expect(lifetime({ expires: '0', date: at(0) })).toBe(0)
    expect(lifetime({ expires: at(-30), date: at(0) })).toBe(0)
  })
  it('guesses 10% of the time since Last-Modified for a heuristically cacheable status only, at most a day', () => {
    expect(lifetime({ date: at(0), 'last-modified': at(-1000) })).toBe(100_000)
    expect(lifetime({ date: at(0), 'last-modified': at(-10_000_000) })).toBe(86_400_000)
    expect(lifetime({ date: at(0), 'last-modified': at(-1000) }, 302)).toBe(0)
    expect(lifetime({ date: at(0) })).toBe(0)
  })
  it("uses the caller's TTL only where the answer says nothing explicit", () => {
    expect(lifetime({}, 200, 5_000)).toBe(5_000)
    expect(lifetime({ 'cache-control': 'max-age=1' }, 200, 5_000)).toBe(1_000)
  })
})

describe('age (§4.2.3)', () => {
  it('is the corrected initial age plus the resident time', () => {
    // Sent at T, answered at T+2 s with Age: 10 and a Date 1 s before T+2 s; looked at 5 s later.
    const e = entry({ age: '10', date: at(1) }, 200, T, T + 2_000)
    expect(currentAge(e, T + 7_000)).toBe(10_000 + 2_000 + 5_000)
    // The first of a list; a parameter is allowed; a float or a word is no age (cache-tests age-parse-*).
    expect(currentAge(entry({ age: '7200;foo=bar', date: at(0) }), T)).toBe(7_200_000)
    expect(currentAge(entry({ age: '0, 7200', date: at(0) }), T)).toBe(0)
    expect(currentAge(entry({ age: '7200.0', date: at(0) }), T)).toBe(0)
    // Apparent age wins when the Date is far behind.
    expect(currentAge(entry({ date: at(-100) }), T)).toBe(100_000)
  })
})

describe('judging a stored answer (§4.2.4, RFC 5861)', () => {
  const j = (headers: Record<string, string>, req = '', now = T + 5_000) =>
    judge(entry({ date: at(0), ...headers }), parseCacheControl(req), false, undefined, now)
  it('serves fresh, revalidates stale', () => {
    expect(j({ 'cache-control': 'max-age=10' }).use).toBe('fresh')
    expect(j({ 'cache-control': 'max-age=1' }).use).toBe('revalidate')
  })
  it('honours the request: max-age, min-fresh, max-stale, no-cache', () => {
    expect(j({ 'cache-control': 'max-age=10' }, 'max-age=2').use).toBe('revalidate')
    expect(j({ 'cache-control': 'max-age=10' }, 'min-fresh=6').use).toBe('revalidate')
    expect(j({ 'cache-control': 'max-age=1' }, 'max-stale=10').use).toBe('stale-ok')
    expect(j({ 'cache-control': 'max-age=1' }, 'max-stale').use).toBe('stale-ok')
    expect(j({ 'cache-control': 'max-age=1, must-revalidate' }, 'max-stale').use).toBe('revalidate')
    expect(j({ 'cache-control': 'max-age=10' }, 'no-cache').use).toBe('revalidate')
    expect(j({ 'cache-control': 'max-age=10, no-cache="x-a"' }).use).toBe('fresh') // qualified: only withholds x-a
  })
  it('allows stale-while-revalidate and stale-if-error within their windows, never past must-revalidate', () => {
    expect(j({ 'cache-control': 'max-age=1, stale-while-revalidate=10' }).whileRevalidate).toBe(true)
    expect(j({ 'cache-control': 'max-age=1, stale-while-revalidate=2' }).whileRevalidate).toBe(false)
    expect(j({ 'cache-control': 'max-age=1, stale-if-error=60' }).ifError).toBe(60_000)
    expect(j({ 'cache-control': 'max-age=1' }, 'stale-if-error=30').ifError).toBe(30_000)
    expect(j({ 'cache-control': 'max-age=1, stale-if-error=60, must-revalidate' }).ifError).toBe(-1)
  })
  it('keeps an entry for its freshness plus the longer of its stale windows and keepStale', () => {
    expect(retention(entry({ 'cache-control': 'max-age=10, stale-if-error=20' }), undefined, 1_000)).toBe(30_000)
    expect(retention(entry({ 'cache-control': 'max-age=10', etag: '"x"' }), undefined, 1_000)).toBe(11_000)
  })
})
