import { RateLimitError } from '../src/errors.js'
import { checkKeys, checkMs, MAX_TIMER_MS } from '../src/options.js'
import { sleep } from '../src/signal.js'
import { createMemoryRateLimitStore, type RateLimitStore } from '../src/stores.js'
import type { ClientRequest, Middleware } from '../src/types.js'

/**
 * Options of {@link rateLimit}.
 *
 * @example
 * rateLimit({ limit: 100, interval: 1_000, store: createRedisRateLimitStore({ redis }), maxWait: 5_000 })
 */
export type RateLimitOptions = {
  /** Calls allowed per `interval`. */
  limit: number
  /** The window, in ms. @default 1_000 */
  interval?: number
  /** Where the count lives: this process, or Redis for a fleet-wide limit. @default in memory */
  store?: RateLimitStore
  /** What is limited together. @default the request's origin (one vendor, one limit) */
  key?: string | ((request: ClientRequest) => string)
  /** One limit per route (method + path template, or path) within the key. @default false */
  perRoute?: boolean
  /**
   * How long a call may wait for a free slot before it fails with `RateLimitError` (nothing is
   * sent). `0` fails at once. The caller's `signal` (and a `timeout()` total deadline) ends a
   * wait early. @default 30_000
   */
  maxWait?: number
}

/**
 * A client-side rate limit: at most `limit` calls in any `interval` ms (a sliding window, see
 * `RateLimitStore`), per client by default, fleet-wide with a Redis store. A call over the limit
 * waits for a slot up to `maxWait`, or fails with `RateLimitError` — it is never sent over the
 * limit. Place it inside `retry()` so retries count too: the vendor counts every request.
 *
 * @example
 * const sms = createClient({ baseURL, middleware: [retry(), rateLimit({ limit: 50, interval: 1_000 }), log()] })
 */
export function rateLimit(options: RateLimitOptions): Middleware {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('rateLimit needs options such as { limit: 100, interval: 1_000 }')
  checkKeys('rateLimit', options, ['limit', 'interval', 'store', 'key', 'perRoute', 'maxWait'])
  const { limit } = options
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`rateLimit: limit must be an integer >= 1, got ${String(limit)}`)
  const interval = checkMs('rateLimit: interval', options.interval ?? 1_000, false)
  const maxWait = checkMs('rateLimit: maxWait', options.maxWait ?? 30_000)
  const store = options.store ?? createMemoryRateLimitStore()
  if (typeof store?.acquire !== 'function') throw new TypeError('rateLimit: store must have acquire(key, limit, interval)')
  const { key, perRoute = false } = options
  if (key !== undefined && typeof key !== 'string' && typeof key !== 'function') {
    throw new TypeError(`rateLimit: key must be a string or a function of the request, got ${typeof key}`)
  }

  function keyOf(request: ClientRequest): string {
    const base = typeof key === 'function' ? key(request) : (key ?? request.url.origin)
    return perRoute ? `${base} ${request.method} ${request.route ?? request.url.pathname}` : base
  }

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
