// The pure parts of retry: what is retried and how long to wait. No timers, no I/O.
import { isCircuitOpenError, isHTTPError, isNetworkError, isTimeoutError } from '../src/errors.js'
import type { ClientRequest, ClientResponse } from '../src/types.js'

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

/** Header names that make a POST or PATCH safe to send again (RFC draft-ietf-httpapi-idempotency-key-header). */
const IDEMPOTENCY_HEADERS = ['idempotency-key', 'x-idempotency-key']

/**
 * Whether the request carries an idempotency key, from the caller or an `idempotency()` middleware.
 *
 * @example
 * hasIdempotencyKey(request) // true after idempotency() ran, or with an Idempotency-Key header
 */
export function hasIdempotencyKey(request: ClientRequest): boolean {
  return request.context.idempotencyKey !== undefined || IDEMPOTENCY_HEADERS.some((name) => request.headers.has(name))
}

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
 * per-attempt timeout, or a listed status), on a method that may be sent again — an idempotent
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
    // A test double without a route for the call is a bug in the test, not a flaky network.
    retryable = error.systemCode !== 'FL_ERR_MOCK_NO_ROUTE'
    neverSent = error.neverSent
  } else retryable = isTimeoutError(error) && error.limit === 'attempt'
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
  const base = Math.min(rules.maxDelay, rules.delay * rules.backoff ** attempt)
  if (rules.jitter === false) return base
  if (typeof rules.jitter === 'function') return Math.max(0, rules.jitter(base, random))
  return base / 2 + random() * (base / 2)
}

/**
 * Milliseconds a response asks to wait: `retry-after-ms` (a vendor extension) or `Retry-After` as
 * delta-seconds or an HTTP-date (RFC 9110 §10.2.3). `undefined` when absent or malformed.
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
  // An HTTP-date names its day and month in letters; a bare "-3" is garbage, not year -3.
  const date = /^[A-Za-z]{3}/.test(value) ? Date.parse(value) : Number.NaN
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
