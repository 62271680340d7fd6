// Retry-After as ky's retry suite tests it (sindresorhus/ky, test/retry.ts), written as our own
// black-box cases against a real server, on both cores. Where our contract differs from ky's, the
// case says so: a Retry-After over maxRetryAfter fails at once here (ky waits maxRetryAfter).
// Delays are recorded through an injected `sleep`, never waited for. A date-based delay is bound
// by the clock read just before and just after the call, so it is checked to the millisecond.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'
import { type RetryOptions, retry } from '../../middleware/retry.js'
import { MAX_TIMER_MS } from '../../src/core/options.js'
import { createClient, type HTTPError } from '../../src/index.js'
import { startServer } from '../helpers/server.js'

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const two = (n: number): string => String(n).padStart(2, '0')
const time = (d: Date): string => `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`
const rfc850 = (d: Date): string =>
  `${LONG_DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${two(d.getUTCFullYear() % 100)} ${time(d)} GMT`
const asctime = (d: Date): string =>
  `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${time(d)} ${d.getUTCFullYear()}`
/** A whole second `ms` from now: HTTP-dates have no milliseconds. */
const inWholeSeconds = (ms: number): Date => new Date(Math.floor((Date.now() + ms) / 1000) * 1000)

const FALLBACK = 13 // the computed backoff: a delay function, so it shows when Retry-After is not used

for (const core of ['fetch', 'undici'] as const) {
  describe(`Retry-After (ky: test/retry.ts), ${core} core`, () => {
    /** One 429 with `headers`, then 200: the delays retry chose, and the call's error if it failed. */
    async function delaysFor(headers: Record<string, string>, options: RetryOptions = {}) {
      const server = await startServer([{ status: 429, headers }, 200])
      const delays: number[] = []
      const mw = retry({ maxRetries: 1, delay: () => FALLBACK, jitter: false, sleep: async (ms) => void delays.push(ms), ...options })
      await using api = createClient({ baseURL: server.url, core, middleware: [mw] })
      const before = Date.now()
      const error = (await api.get('/').then(
        () => undefined,
        (e: unknown) => e as HTTPError,
      )) as HTTPError | undefined
      return { delays, error, before, after: Date.now(), requests: server.seen.length }
    }

    it('reads a number as delay-seconds, not a timestamp', async () => {
      expect((await delaysFor({ 'retry-after': '2' })).delays).toEqual([2000])
      // ky clamps a timestamp-sized number to the timer limit; here it is over maxRetryAfter: no retry.
      const { error, requests } = await delaysFor({ 'retry-after': '1704067200' })
      expect(error?.message).toContain('not retried: Retry-After asks for 1704067200000 ms, more than maxRetryAfter (60000 ms)')
      expect(requests).toBe(1)
    })

    it('retries at once for Retry-After: 0 (ky: "respect Retry-After: 0")', async () => {
      expect((await delaysFor({ 'retry-after': '0' })).delays).toEqual([0])
    })

    it.each([
      ['a hexadecimal number (ky: "invalid Retry-After number 0x10")', '0x10'],
      ['an exponent (ky: "invalid Retry-After does not fall back")', '1e3'],
      ['an empty value (ky: "empty Retry-After")', ''],
      ['garbage (ky: "invalid Retry-After header falls back")', 'not-a-valid-value'],
      ['a JavaScript date string (ky: "non-standard Retry-After date")', 'Sun Nov 06 1994 08:49:37 GMT'],
      ['impossible date parts (ky: "invalid Retry-After HTTP-date components")', 'Sun, 32 Dec 2030 25:99:99 GMT'],
      ['a lower-case day name', `${new Date(Date.now() + 5000).toUTCString().toLowerCase()}`],
    ])('falls back to the computed backoff for %s', async (_, value) => {
      expect((await delaysFor({ 'retry-after': value })).delays).toEqual([FALLBACK])
    })

    it.each([
      ['IMF-fixdate', (d: Date) => d.toUTCString()],
      ['RFC 850 (ky: "obsolete HTTP-date format")', rfc850],
      ['asctime (ky: "obsolete HTTP-date format")', asctime],
    ])('waits until a %s date', async (_, format) => {
      const at = inWholeSeconds(30_000)
      const { delays, before, after } = await delaysFor({ 'retry-after': format(at) })
      expect(delays).toHaveLength(1)
      expect(delays[0]).toBeGreaterThanOrEqual(at.getTime() - after)
      expect(delays[0]).toBeLessThanOrEqual(at.getTime() - before)
    })

    it('retries at once for a date in the past', async () => {
      expect((await delaysFor({ 'retry-after': 'Sun, 06 Nov 1994 08:49:37 GMT' })).delays).toEqual([0])
    })

    it('reads a leap second (:60) as the next minute (ky: "HTTP-date supports a leap second")', async () => {
      // The next hh:mm:59 at least 5 s ahead is up to 65 s away: allow that much.
      const at = inWholeSeconds(5_000)
      while (at.getUTCSeconds() !== 59) at.setUTCSeconds(at.getUTCSeconds() + 1)
      const header = `${at.toUTCString().slice(0, -6)}60 GMT` // "…hh:mm:59 GMT" → "…hh:mm:60 GMT"
      const instant = at.getTime() + 1000
      const { delays, before, after } = await delaysFor({ 'retry-after': header }, { maxRetryAfter: 120_000 })
      expect(delays).toHaveLength(1)
      expect(delays[0]).toBeGreaterThanOrEqual(instant - after)
      expect(delays[0]).toBeLessThanOrEqual(instant - before)
    })

    it('reads an RFC 850 year 49 years ahead as the future (ky: "applies the two-digit year rule")', async () => {
      const at = inWholeSeconds(2000)
      at.setUTCFullYear(at.getUTCFullYear() + 49)
      const { error, requests } = await delaysFor({ 'retry-after': rfc850(at) }, { maxRetryAfter: MAX_TIMER_MS })
      // 49 years is past any timer: no retry, and the error names the wait (read as 1977 it would be 0).
      expect(error?.message).toMatch(/not retried: Retry-After asks for \d{13} ms, more than maxRetryAfter \(2147483647 ms\)/)
      expect(requests).toBe(1)
    })

    it('reads an RFC 850 year 51 years ahead as the past century (ky: "more than 50 years … as past")', async () => {
      const at = inWholeSeconds(2000)
      at.setUTCFullYear(at.getUTCFullYear() + 51)
      expect((await delaysFor({ 'retry-after': rfc850(at) })).delays).toEqual([0])
    })

    it('takes retry-after-ms, and applies no jitter to a server-given wait (ky: "jitter is not applied")', async () => {
      const options = { jitter: true, random: () => 0, delay: 1000 }
      expect((await delaysFor({ 'retry-after-ms': '250' }, options)).delays).toEqual([250])
      expect((await delaysFor({ 'retry-after': '2' }, options)).delays).toEqual([2000])
    })

    it('honours Retry-After up to maxRetryAfter, and fails at once past it (ky: "respect maxRetryAfter")', async () => {
      expect((await delaysFor({ 'retry-after': '1' }, { maxRetryAfter: 2000 })).delays).toEqual([1000])
      const { error, delays } = await delaysFor({ 'retry-after': '1' }, { maxRetryAfter: 420 })
      expect(delays).toEqual([])
      expect(error?.message).toContain('Retry-After asks for 1000 ms, more than maxRetryAfter (420 ms)')
    })
  })
}

describe('Retry-After in another time zone (ky: "asctime HTTP-date is parsed as GMT")', () => {
  it('reads asctime as GMT in a process running at UTC+14 (TZ=Pacific/Kiritimati)', async () => {
    const at = inWholeSeconds(30_000)
    const server = await startServer([{ status: 503, headers: { 'retry-after': asctime(at) } }, 200])
    // A child process, so the time zone is the process's own from its start, as in production.
    const script = `
      const { createClient } = await import('./src/index.ts')
      const { retry } = await import('./middleware/retry.ts')
      const delays = []
      const mw = retry({ maxRetries: 1, delay: () => 13, jitter: false, sleep: async (ms) => void delays.push(ms) })
      const api = createClient({ baseURL: process.argv[1], middleware: [mw] })
      const before = Date.now()
      await api.get('/')
      const after = Date.now()
      await api.close()
      console.log(JSON.stringify({ delays, before, after, offset: new Date().getTimezoneOffset() }))`
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, server.url], {
      env: { ...process.env, TZ: 'Pacific/Kiritimati' },
    })
    const child = JSON.parse(stdout) as { delays: number[]; before: number; after: number; offset: number }
    expect(child.offset).toBe(-14 * 60) // the child really ran at UTC+14
    expect(child.delays).toHaveLength(1)
    expect(child.delays[0]).toBeGreaterThanOrEqual(at.getTime() - child.after)
    expect(child.delays[0]).toBeLessThanOrEqual(at.getTime() - child.before)
  })
})
