import { checkKeys, describe, withDefaults } from '../src/core/options.js'
import type { Middleware } from '../src/core/types.js'
import { TimeoutError } from '../src/errors/errors.js'
import { checkTimeout } from '../src/request/request.js'
import { linkSignal } from '../src/request/signal.js'

/**
 * Options of {@link timeout}. A number is the same as `{ attempt: number }`.
 *
 * @example
 * timeout({ attempt: 5_000, total: 20_000 })
 */
export type TimeoutOptions = {
  /**
   * Milliseconds one attempt may take (headers and body), unless the call sets its own `timeout`
   * (`0`/`false` there turns it off). The core enforces it and cancels the socket.
   * @default 30_000
   */
  attempt?: number | false
  /**
   * Milliseconds the whole call may take across all attempts and backoff sleeps; `false` for none.
   * Retry will not start an attempt or a sleep that would end past it.
   * @default false
   */
  total?: number | false
}

const defaults = { attempt: 30_000, total: false } as const
const KNOWN = Object.keys(defaults)

/**
 * Time limits: a per-attempt timeout and an optional total deadline, each rejecting with a
 * `TimeoutError` whose `limit` says which fired (`'attempt'` or `'deadline'`). It works in any
 * position: the attempt limit travels on the request to the core, and the deadline is kept in the
 * call's context, so every attempt and retry's sleeps share one. No timer outlives its call.
 *
 * @example
 * const client = createClient({ baseURL, middleware: [timeout({ attempt: 5_000, total: 15_000 }), retry()] })
 * await client.get('/report', { timeout: 60_000 }) // this call's attempts may take longer
 */
export function timeout(options: number | TimeoutOptions = {}): Middleware {
  const { attempt, total } = checkOptions(options)

  // Without a deadline this is a plain function: no promise of its own around the call.
  if (total === undefined) {
    return function timeout(request, next) {
      return next(request.options.timeout !== undefined || attempt === undefined ? request : { ...request, timeout: attempt })
    }
  }
  return async function timeout(request, next) {
    const ownLimit = request.options.timeout !== undefined
    const limited = ownLimit || attempt === undefined ? request : { ...request, timeout: attempt }

    const deadline = (request.context.deadline ??= Date.now() + total) as number
    const remaining = deadline - Date.now()
    if (remaining <= 0) throw new TimeoutError(request, total, 'deadline')
    const controller = new AbortController()
    const unlink = linkSignal(request.signal, controller)
    const timer = setTimeout(() => controller.abort(new TimeoutError(request, total, 'deadline')), remaining)
    try {
      return await next({ ...limited, signal: controller.signal })
    } finally {
      clearTimeout(timer)
      unlink()
    }
  }
}

/** The limits in ms (`undefined`: none), from a number or an options object, checked at creation. */
function checkOptions(options: unknown): { attempt: number | undefined; total: number | undefined } {
  if (typeof options === 'number') return { attempt: checkTimeout(options, 'timeout attempt'), total: undefined }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(
      `timeout takes a number of milliseconds or options such as { attempt: 5_000, total: 20_000 }, got ${describe(options)}`,
    )
  }
  checkKeys('timeout', options, KNOWN)
  const o = withDefaults(defaults, options as TimeoutOptions)
  return { attempt: checkTimeout(o.attempt, 'timeout attempt'), total: checkTimeout(o.total, 'timeout total') }
}
