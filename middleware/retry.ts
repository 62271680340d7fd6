import { isTimeoutError } from '../src/client/error-guards.js'
import { emitCallEvent, markRetrying } from '../src/core/events.js'
import { checkKeys, checkMs, describe, MAX_TIMER_MS, withDefaults } from '../src/core/options.js'
import type { ClientRequest, ClientResponse, Middleware, Next } from '../src/core/types.js'
import { sleep as abortableSleep } from '../src/request/signal.js'
import { createRetryBudget, type RetryBudget } from './retry-budget.js'
import { canRetry, delayFor, type Outcome, parseRetryAfter, type RetryContext, shouldRetry, statusOf } from './retry-policy.js'

/** What `onRetry` hears, once the backoff sleep is scheduled. */
export type RetryEvent = RetryContext & {
  /** The retry about to be made: 1 for the first retry. */
  retry: number
  /** Milliseconds it waits first. */
  delay: number
}

/**
 * Options of {@link retry}.
 *
 * @example
 * retry({ maxRetries: 5, delay: 200, statuses: [503], onRetry: (e) => console.warn(`retry ${e.retry} in ${e.delay} ms`) })
 */
export type RetryOptions = {
  /** Retries after the first attempt; `0` turns retrying off. @default 3 */
  maxRetries?: number
  /** The first backoff, in ms, or a function of the context giving the wait. @default 1000 */
  delay?: number | ((context: RetryContext & { computed: number }) => number)
  /** Growth factor: `delay * backoff^n` (1 s → 2 s → 4 s). @default 2 */
  backoff?: number
  /** Cap on one backoff, in ms. @default 30_000 */
  maxDelay?: number
  /** `true`: wait a uniform random time in [d/2, d]; `false`: exactly d; or your own function. @default true */
  jitter?: boolean | ((delay: number, random: () => number) => number)
  /** Statuses that are retried. @default [408, 429, 500, 502, 503, 504] */
  statuses?: readonly number[]
  /** Methods retried on any retryable failure; others only with an idempotency key or when never sent. @default ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'] */
  methods?: readonly string[]
  /** The longest `Retry-After` honoured, in ms; a longer one fails at once, saying so. @default 60_000 */
  maxRetryAfter?: number
  /** A policy: return `true`/`false` to widen or narrow the default (`context.retryable`), or `undefined` to keep it. */
  shouldRetry?: (context: RetryContext & { retryable: boolean }) => boolean | undefined
  /** Called for each retry, after its sleep is scheduled. */
  onRetry?: (event: RetryEvent) => void
  /** The token bucket retries draw from; `false` for none. @default a new createRetryBudget() per retry() */
  budget?: RetryBudget | false
  /** For tests: how to wait. @default an abortable setTimeout */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  /** For tests: the random source of the jitter. @default Math.random */
  random?: () => number
}

const defaults = {
  maxRetries: 3,
  delay: 1000,
  backoff: 2,
  maxDelay: 30_000,
  jitter: true,
  statuses: [408, 429, 500, 502, 503, 504],
  methods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'],
  maxRetryAfter: 60_000,
} as const

/**
 * Retries failed attempts with exponential backoff and jitter, honouring `Retry-After`, the
 * caller's abort, a total deadline (from `timeout({ total })`) and a retry budget. Each attempt
 * gets `request.attempt`; after the last one the last error is rethrown unchanged.
 *
 * @example
 * const client = createClient({ baseURL, middleware: [retry({ maxRetries: 3, delay: 1000, backoff: 2 })] })
 */
export function retry(options: RetryOptions = {}): Middleware {
  const o = checkOptions(options)
  const rules = {
    ...o,
    delay: typeof o.delay === 'number' ? o.delay : defaults.delay,
    statuses: new Set(o.statuses),
    methods: new Set(o.methods.map((m) => m.toUpperCase())),
  }
  const budget = o.budget === false ? undefined : (o.budget ?? createRetryBudget())
  const wait = o.sleep ?? abortableSleep
  const random = o.random ?? Math.random

  /** The wait before the next attempt, or why there is none (`null`: simply not retryable). */
  function plan(context: RetryContext): number | string | null {
    if (!canRetry(context, o.maxRetries)) return null
    const retryable = shouldRetry(context, rules)
    if (!(o.shouldRetry?.({ ...context, retryable }) ?? retryable)) return null
    const computed = delayFor(context.attempt, rules, random)
    let delay = typeof o.delay === 'function' ? o.delay({ ...context, computed }) : computed
    // A delay or jitter function of the caller's may answer anything; a timer cannot wait past
    // MAX_TIMER_MS (it would fire at once), so such an answer ends the retries, saying why.
    if (!(delay >= 0 && delay <= MAX_TIMER_MS))
      return `the retry delay came out as ${String(delay)} ms, not a wait from 0 to ${MAX_TIMER_MS} ms`
    const headers = context.response?.headers ?? (context.error as { response?: ClientResponse })?.response?.headers
    const asked = headers && parseRetryAfter(headers)
    if (asked !== undefined) {
      if (asked > o.maxRetryAfter) return `Retry-After asks for ${asked} ms, more than maxRetryAfter (${o.maxRetryAfter} ms)`
      delay = asked
    }
    const deadline = context.request.context.deadline
    if (typeof deadline === 'number' && Date.now() + delay >= deadline) return `waiting ${Math.round(delay)} ms would pass the deadline`
    return delay
  }

  // The first attempt has no async frame of its own: nearly every call succeeds at once, and
  // then retry costs one `then` (an async function kept its ~0.5 KB frame alive across the
  // await, on every call). The loop below runs once an attempt has failed. `next` never throws:
  // the client's pipeline turns a throw into a rejection.
  return function retry(request, next) {
    markRetrying(request)
    return next(request).then(
      (response) => (response.status < 400 ? succeed(response, 0) : again(request, next, { response })),
      (error: unknown) => again(request, next, { error }),
    )
  }

  /** The first attempt failed with `outcome`: decide, wait and try again, as often as allowed. */
  async function again(request: ClientRequest, next: Next, outcome: Outcome): Promise<ClientResponse> {
    let lastCost = 0
    for (let attempt = 0; ; attempt++) {
      const current = attempt === 0 ? request : { ...request, attempt }
      if (attempt > 0) {
        try {
          const response = await next(current)
          if (response.status < 400) return succeed(response, lastCost)
          outcome = { response }
        } catch (error) {
          outcome = { error }
        }
      }
      const context: RetryContext = { request: current, attempt, ...outcome, status: statusOf(outcome) }
      let delay = plan(context)
      lastCost = isTimeoutError(outcome.error) ? (budget?.costs.timeout ?? 0) : (budget?.costs.retry ?? 0)
      if (typeof delay === 'number' && budget && !budget.take(lastCost))
        delay = 'the retry budget is used up (the service is failing broadly)'
      if (typeof delay !== 'number') return giveUp(current, outcome, delay)
      await discard(outcome.response)
      const sleeping = wait(delay, request.signal)
      o.onRetry?.({ ...context, retry: attempt + 1, delay })
      emitCallEvent({ type: 'retry', request: current, retry: attempt + 1, delay, error: outcome.error, status: context.status })
      await sleeping
    }
  }

  function succeed(response: ClientResponse, lastCost: number): ClientResponse {
    budget?.release(lastCost)
    return response
  }
}

function giveUp(request: ClientRequest, outcome: Outcome, why: string | null): ClientResponse {
  if (outcome.response) return outcome.response
  const error = outcome.error
  if (why && error instanceof Error) {
    error.message += ` (not retried: ${why})`
    Object.defineProperty(error, 'retryStopped', { value: why, enumerable: true })
  }
  emitCallEvent({ type: 'give-up', request, error, reason: why ?? undefined })
  throw error
}

async function discard(response: ClientResponse | undefined): Promise<void> {
  // A stream nobody will read holds its socket: cancel it before sleeping.
  if (response?.data instanceof ReadableStream) await response.data.cancel().catch(() => {})
}

const KNOWN = [...Object.keys(defaults), 'shouldRetry', 'onRetry', 'budget', 'sleep', 'random']

type Resolved = RetryOptions & Required<Pick<RetryOptions, keyof typeof defaults>>

/** The options with their defaults (an explicit `undefined` keeps the default), checked once. */
function checkOptions(options: RetryOptions): Resolved {
  checkKeys('retry', options, KNOWN)
  const o: Resolved = withDefaults(defaults, options)
  if (!Number.isInteger(o.maxRetries) || o.maxRetries < 0) {
    throw new RangeError(`retry: maxRetries must be an integer >= 0, got ${describe(o.maxRetries)}`)
  }
  if (typeof o.backoff !== 'number' || !Number.isFinite(o.backoff) || o.backoff < 0) {
    throw new RangeError(`retry: backoff must be a number >= 0, got ${describe(o.backoff)}`)
  }
  checkMs('retry: maxDelay', o.maxDelay)
  checkMs('retry: maxRetryAfter', o.maxRetryAfter)
  if (typeof o.delay !== 'function') checkMs('retry: delay', o.delay)
  for (const name of ['statuses', 'methods'] as const) {
    if (!Array.isArray(o[name])) throw new TypeError(`retry: ${name} must be an array, got ${describe(o[name])}`)
  }
  if (!o.methods.every((m) => typeof m === 'string')) throw new TypeError('retry: methods must be method names such as "GET"')
  for (const name of ['shouldRetry', 'onRetry', 'sleep', 'random'] as const) {
    if (o[name] !== undefined && typeof o[name] !== 'function')
      throw new TypeError(`retry: ${name} must be a function, got ${describe(o[name])}`)
  }
  if (typeof o.jitter !== 'boolean' && typeof o.jitter !== 'function') {
    throw new TypeError(`retry: jitter must be true, false or a function, got ${describe(o.jitter)}`)
  }
  return o
}
