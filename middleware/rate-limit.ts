import { isHTTPError } from '../src/client/error-guards.js'
import { checkKeys, checkMs, describe, MAX_TIMER_MS } from '../src/core/options.js'
import type { ClientRequest, ClientResponse, Middleware } from '../src/core/types.js'
import { RateLimitError } from '../src/errors/errors.js'
import { createMemoryRateLimitStore, type RateLimitStore, type RatePlan } from '../src/features/stores.js'
import { sleep } from '../src/request/signal.js'

/**
 * Options of {@link rateLimit}.
 *
 * @example
 * rateLimit({ limit: 100, interval: 1_000, headroom: 0.1, store: createRedisRateLimitStore({ redis }), maxWait: 5_000 })
 */
export type RateLimitOptions = {
  /** Calls allowed per `interval`: the vendor's limit. */
  limit: number
  /** The window, in ms. @default 1_000 */
  interval?: number
  /**
   * `'gcra'` spaces calls `interval / limit` apart, each caller waiting for a slot of its own;
   * `'sliding-window'` lets up to `limit` go in any `interval`, so calls leave in bursts when slots
   * free (fits a vendor that counts per day or per minute and tolerates bursts). @default 'gcra'
   */
  algorithm?: 'gcra' | 'sliding-window'
  /** GCRA only: calls that may go back to back after a quiet spell. @default 1 */
  burst?: number
  /**
   * The share of `limit` kept unused (0 ≤ headroom < 1), so that the delay between admission and
   * the vendor's meter cannot push a second over: `limit: 50, headroom: 0.1` aims at 45/s. @default 0
   */
  headroom?: number
  /**
   * GCRA only: when the vendor answers 429 (or 503 with Retry-After), cut the shared rate, then let
   * it grow back (CUBIC) up to `limit`; the rate lives in the store, so a fleet adapts together.
   * @default false
   */
  adaptive?: boolean
  /** Where the count lives: this process, or Redis for a fleet-wide limit. @default in memory */
  store?: RateLimitStore
  /** What is limited together. @default the request's origin (one vendor, one limit) */
  key?: string | ((request: ClientRequest) => string)
  /** One limit per route (method + path template, or path) within the key. @default false */
  perRoute?: boolean
  /**
   * How long a call may wait for a slot before it fails with `RateLimitError` (nothing is sent).
   * `0` fails at once. The caller's `signal` (and a `timeout()` total deadline) ends a wait early.
   * @default 30_000
   */
  maxWait?: number
}

const KNOWN = ['limit', 'interval', 'algorithm', 'burst', 'headroom', 'adaptive', 'store', 'key', 'perRoute', 'maxWait']

/**
 * A client-side rate limit, per client by default, fleet-wide with a Redis store. By default
 * (GCRA) calls are spaced `interval / limit` apart; a call whose slot is more than `maxWait` away
 * fails with `RateLimitError` — it is never sent over the limit. Place it inside `retry()` so
 * retries count too: the vendor counts every request.
 *
 * @example
 * const sms = createClient({ baseURL, middleware: [retry(), rateLimit({ limit: 50, headroom: 0.1, adaptive: true }), log()] })
 */
export function rateLimit(options: RateLimitOptions): Middleware {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('rateLimit needs options such as { limit: 100, interval: 1_000 }')
  checkKeys('rateLimit', options, KNOWN)
  const { limit, algorithm = 'gcra', burst = 1, headroom = 0, adaptive = false } = options
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`rateLimit: limit must be an integer >= 1, got ${String(limit)}`)
  const interval = checkMs('rateLimit: interval', options.interval ?? 1_000, false)
  const maxWait = checkMs('rateLimit: maxWait', options.maxWait ?? 30_000)
  if (algorithm !== 'gcra' && algorithm !== 'sliding-window')
    throw new TypeError(`rateLimit: algorithm must be 'gcra' or 'sliding-window', got ${describe(algorithm)}`)
  if (!Number.isInteger(burst) || burst < 1) throw new RangeError(`rateLimit: burst must be an integer >= 1, got ${describe(burst)}`)
  if (typeof headroom !== 'number' || !(headroom >= 0 && headroom < 1))
    throw new RangeError(
      `rateLimit: headroom must be a number from 0 up to (not including) 1, such as 0.1 for 10% below limit, got ${describe(headroom)}`,
    )
  if (typeof adaptive !== 'boolean') throw new TypeError(`rateLimit: adaptive must be true or false, got ${describe(adaptive)}`)
  const store = options.store ?? createMemoryRateLimitStore()
  if (typeof store?.acquire !== 'function') throw new TypeError('rateLimit: store must have acquire(key, limit, interval)')
  if (algorithm === 'gcra' && typeof store.reserve !== 'function')
    throw new TypeError("rateLimit: this store has no reserve(key, plan) for GCRA; give it one, or pass algorithm: 'sliding-window'")
  if (adaptive && (algorithm !== 'gcra' || typeof store.throttled !== 'function'))
    throw new TypeError("rateLimit: adaptive needs algorithm: 'gcra' and a store with throttled(key, plan, reservedAt)")
  if (algorithm === 'sliding-window' && options.burst !== undefined)
    throw new TypeError("rateLimit: burst applies to algorithm: 'gcra' only")
  const { key, perRoute = false } = options
  if (key !== undefined && typeof key !== 'string' && typeof key !== 'function') {
    throw new TypeError(`rateLimit: key must be a string or a function of the request, got ${typeof key}`)
  }
  const plan: RatePlan = { rate: limit * (1 - headroom), interval, burst, maxWait, adaptive }

  function keyOf(request: ClientRequest): string {
    const base = typeof key === 'function' ? key(request) : (key ?? request.url.origin)
    return perRoute ? `${base} ${request.method} ${request.route ?? request.url.pathname}` : base
  }

  if (algorithm === 'sliding-window') return slidingWindow(store, keyOf, Math.max(1, Math.floor(plan.rate)), plan)
  const reserve = store.reserve as NonNullable<RateLimitStore['reserve']>

  return async function rateLimit(request, next) {
    const name = keyOf(request)
    const slot = await reserve(name, plan)
    if (!slot.reserved) throw new RateLimitError(request, slot.wait, limit, interval)
    if (slot.wait > 0) await sleep(slot.wait, request.signal ?? undefined)
    if (!adaptive) return next(request)
    let answer: ClientResponse | undefined
    try {
      answer = await next(request)
      return answer
    } catch (error) {
      if (isHTTPError(error)) answer = error.response
      throw error
    } finally {
      if (answer && throttledBy(answer)) void store.throttled?.(name, plan, slot.at).catch(() => undefined)
    }
  }
}

/** The vendor said "too fast": 429, or 503 with a Retry-After (503 alone is an outage, not a limit). */
function throttledBy(response: ClientResponse): boolean {
  return response.status === 429 || (response.status === 503 && response.headers.has('retry-after'))
}

function slidingWindow(store: RateLimitStore, keyOf: (r: ClientRequest) => string, limit: number, plan: RatePlan): Middleware {
  const { interval, maxWait } = plan
  return async function rateLimit(request, next) {
    const name = keyOf(request)
    const waitUntil = Date.now() + maxWait
    for (;;) {
      const wait = await store.acquire(name, limit, interval)
      if (wait <= 0) return next(request)
      if (Date.now() + wait > waitUntil) throw new RateLimitError(request, wait, limit, interval)
      // A few ms of spread, so the callers that wait for the same slot do not all ask at once.
      await sleep(Math.min(MAX_TIMER_MS, wait + Math.random() * Math.min(5, wait)), request.signal ?? undefined)
    }
  }
}
