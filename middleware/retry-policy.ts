// The pure parts of retry: what is retried and how long to wait. No timers, no I/O.
import { isCircuitOpenError, isHTTPError, isNetworkError, isTimeoutError } from '../src/client/error-guards.js'
import type { ClientRequest, ClientResponse } from '../src/core/types.js'
import { hasIdempotencyKey } from '../src/request/resend-policy.js'

/** What one attempt ended with: an error, or a response (with `throwHttpErrors: false`). */
export type Outcome = { error: unknown; response?: undefined } | { error?: undefined; response: ClientResponse }

/** What a policy sees when deciding on a retry. */
export type RetryContext = {
  request: ClientRequest
  /** The attempt that just failed: 0 for the first try. */
  attempt: number
  error?: unknown
  response?: ClientResponse | undefined
  /** The status that failed, from the response or the `HTTPError`. */
  status?: number | undefined
}

/** The settings the pure parts read. */
export type RetryRules = {
  maxRetries: number
  statuses: ReadonlySet<number>
  methods: ReadonlySet<string>
  delay: number
  backoff: number
  maxDelay: number
  jitter: boolean | ((delay: number, random: () => number) => number)
}

// Where the core's resend of a call that met a closed keep-alive connection reads it too.
export { hasIdempotencyKey } from '../src/request/resend-policy.js'

/**
 * The status an outcome failed with, if it carries one.
 *
 * @example
 * statusOf({ error: httpError }) // 503
 */
export function statusOf(outcome: Outcome): number | undefined {
  if (outcome.response) return outcome.response.status
  return isHTTPError(outcome.error) ? outcome.error.status : undefined
}

/**
 * The default decision, before any `shouldRetry` policy: a retryable failure (network error,
 * a timeout other than the deadline, or a listed status), on a method that may be sent again — an idempotent
 * one, any one carrying an idempotency key, or any one the failure proves never left.
 *
 * @example
 * shouldRetry({ request, attempt: 0, status: 503 }, { statuses: new Set([503]), methods: new Set(['GET']) }) // true for a GET
 */
export function shouldRetry(context: RetryContext, rules: Pick<RetryRules, 'statuses' | 'methods'>): boolean {
  const { request, error } = context
  const status = context.status
  let retryable: boolean
  let neverSent = false
  if (status !== undefined) retryable = rules.statuses.has(status)
  else if (isNetworkError(error)) {
    // A test double without a route for the call is a bug in the test, not a flaky network; a
    // certificate refused either way, or proxy credentials refused (407), is configuration, and
    // sending again only repeats it.
    retryable = error.systemCode !== 'FL_ERR_MOCK_NO_ROUTE' && error.tlsFailure === undefined && error.proxyStatus !== 407
    neverSent = error.neverSent
  } else {
    // Every time limit but the deadline: a pool's headersTimeout or bodyTimeout passing is the
    // server being slow this once, as an attempt's is (and was a NetworkError, retried, before it
    // was named); a deadline is spent for good. A streamed body's fails after the call returned.
    retryable = isTimeoutError(error) && error.limit !== 'deadline'
  }
  if (!retryable) return false
  return neverSent || rules.methods.has(request.method) || hasIdempotencyKey(request)
}

/**
 * Whether sending again is possible at all, whatever a policy says: not past `maxRetries`, not
 * after the caller aborted, not with a body that was consumed (a stream), not when the breaker
 * or the deadline refused.
 *
 * @example
 * canRetry({ request, attempt: 3 }, 3) // false: no retries left
 */
export function canRetry(context: RetryContext, maxRetries: number): boolean {
  const { request, error } = context
  if (context.attempt >= maxRetries) return false
  if (request.signal?.aborted) return false
  if (request.body instanceof ReadableStream) return false
  if (isCircuitOpenError(error)) return false
  return !(isTimeoutError(error) && error.limit === 'deadline')
}

/**
 * The backoff before retry number `attempt + 1`: `delay * backoff^attempt`, capped by `maxDelay`,
 * then jittered. The default jitter ("equal jitter") keeps half and randomises the other half, so
 * a wait lies in [d/2, d]: growth stays visible and synchronised clients spread out.
 *
 * @example
 * delayFor(2, { delay: 1000, backoff: 2, maxDelay: 30_000, jitter: false }) // 4000
 */
export function delayFor(
  attempt: number,
  rules: Pick<RetryRules, 'delay' | 'backoff' | 'maxDelay' | 'jitter'>,
  random: () => number = Math.random,
): number {
  // delay 0 stays 0 even when backoff^attempt overflows to Infinity (0 * Infinity is NaN).
  const base = rules.delay === 0 ? 0 : Math.min(rules.maxDelay, rules.delay * rules.backoff ** attempt)
  if (rules.jitter === false) return base
  if (typeof rules.jitter === 'function') return Math.max(0, rules.jitter(base, random))
  return base / 2 + random() * (base / 2)
}

/**
 * Milliseconds a response asks to wait: `retry-after-ms` (a vendor extension) or `Retry-After` as
 * delta-seconds or an HTTP-date (RFC 9110 §10.2.3); a date in the past asks for 0. `undefined`
 * when absent or malformed: the computed backoff applies.
 *
 * @example
 * parseRetryAfter(new Headers({ 'retry-after': '3' })) // 3000
 */
export function parseRetryAfter(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms')
  if (ms !== null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Number(ms)
  const value = headers.get('retry-after')?.trim()
  if (!value) return undefined
  if (/^\d+$/.test(value)) return Number(value) * 1000
  const date = parseHttpDate(value, now)
  return date === undefined ? undefined : Math.max(0, date - now)
}

// HTTP-dates by RFC 9110 §5.6.7's grammar, not Date.parse: Date.parse is lenient (it takes
// "Sun Nov 06 1994 08:49:37 GMT", which is no HTTP-date), reads asctime in the local time zone,
// and mishandles a leap second.

const DAYS = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)'
const LONG_DAYS = '(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)'
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const MONTH = `(${MONTHS.join('|')})`
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})'
// Day and month names are case-sensitive in the grammar; \d is ASCII digits only (no u flag).
const IMF_FIXDATE = new RegExp(`^${DAYS}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`)
const RFC_850 = new RegExp(`^${LONG_DAYS}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`)
const ASCTIME = new RegExp(`^${DAYS} ${MONTH} (\\d{2}| \\d) ${TIME} (\\d{4})$`)

/**
 * The instant (ms since the epoch) an HTTP-date names: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`),
 * the obsolete RFC 850 form (`Sunday, 06-Nov-94 08:49:37 GMT`) or asctime (`Sun Nov  6 08:49:37 1994`),
 * all in GMT; `undefined` for anything else, or for a date that does not exist (`31 Feb`, `25:00`).
 * `now` places an RFC 850 two-digit year: a year that would lie more than 50 years ahead is the
 * most recent past year with those digits (RFC 9110 §5.6.7). The day name is not checked against
 * the date, as the RFC does not ask a recipient to.
 *
 * @example
 * parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT') // 784111777000
 */
export function parseHttpDate(value: string, now: number = Date.now()): number | undefined {
  let m = IMF_FIXDATE.exec(value)
  if (m) return instant(Number(m[3]), m[2], m[1], m[4], m[5], m[6])
  m = ASCTIME.exec(value)
  if (m) return instant(Number(m[6]), m[1], m[2], m[3], m[4], m[5])
  m = RFC_850.exec(value)
  if (!m) return undefined
  const twoDigits = Number(m[3])
  const horizon = new Date(now)
  horizon.setUTCFullYear(horizon.getUTCFullYear() + 50)
  // The latest year ending in these digits that is not past the horizon.
  let year = horizon.getUTCFullYear() - ((((horizon.getUTCFullYear() - twoDigits) % 100) + 100) % 100)
  let at = instant(year, m[2], m[1], m[4], m[5], m[6])
  if (at !== undefined && at > horizon.getTime()) {
    year -= 100
    at = instant(year, m[2], m[1], m[4], m[5], m[6])
  }
  return at
}

/** UTC milliseconds of a calendar date and time, or `undefined` if no such moment exists. */
function instant(
  year: number,
  monthName: string | undefined,
  day: string | undefined,
  hours: string | undefined,
  minutes: string | undefined,
  seconds: string | undefined,
): number | undefined {
  const month = MONTHS.indexOf(monthName as string)
  const [d, h, min, s] = [day, hours, minutes, seconds].map(Number) as [number, number, number, number]
  if (h > 23 || min > 59 || s > 60) return undefined
  const date = new Date(0)
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999.
  date.setUTCFullYear(year, month, d)
  if (date.getUTCMonth() !== month || date.getUTCDate() !== d) return undefined
  // A leap second (:60) is the second after :59, so it is the next minute's :00 on a clock
  // that, like the epoch count, has no leap seconds: setUTCHours rolls it over to exactly that.
  date.setUTCHours(h, min, s, 0)
  return date.getTime()
}
