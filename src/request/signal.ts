import type { ClientRequest } from '../core/types.js'
import { ClientError, TimeoutError } from '../errors/errors.js'
import { NetworkError } from '../errors/network-error.js'

/**
 * The signal one attempt runs under: the caller's signal plus the attempt's timeout. A plain
 * listener is used instead of `AbortSignal.any`, whose listeners pile up on a long-lived caller
 * signal on Node 20; `done()` clears the timer so none outlives its request.
 */
export type AttemptSignal = {
  readonly signal: AbortSignal | undefined
  /** Clears the timer and the listener. Safe to call more than once. */
  done(): void
  /** Clears the timer only: a streamed body stays cancellable by the caller's signal. */
  stopTimer(): void
  /** The error to reject with for `error` thrown while this attempt ran (see {@link toClientError}). */
  failure(error: unknown, pool?: PoolTimeouts): unknown
}

/**
 * Makes `controller` abort when `outer` does, with the same reason. Returns the unlink function.
 * (A listener instead of `AbortSignal.any`: see {@link attemptSignal}.)
 */
export function linkSignal(outer: AbortSignal | undefined, controller: AbortController): () => void {
  if (!outer) return () => {}
  const onAbort = (): void => controller.abort(outer.reason)
  if (outer.aborted) onAbort()
  else outer.addEventListener('abort', onAbort, { once: true })
  return () => outer.removeEventListener('abort', onAbort)
}

/**
 * Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. The timer is
 * cleared either way.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** Only the caller's own signal: for an attempt with no time limit, or one enforced elsewhere. */
export function callerSignal(request: ClientRequest): AttemptSignal {
  return {
    signal: request.signal,
    done() {},
    stopTimer() {},
    failure: (error, pool) => toClientError(request, error, false, pool),
  }
}

export function attemptSignal(request: ClientRequest): AttemptSignal {
  const { timeout, signal: outer } = request
  if (timeout === undefined) return callerSignal(request)
  const controller = new AbortController()
  let fired = false
  const timer = setTimeout(() => {
    fired = true
    controller.abort(new TimeoutError(request, timeout))
  }, timeout)
  let unlink: (() => void) | undefined = linkSignal(outer, controller)
  return {
    signal: controller.signal,
    done() {
      clearTimeout(timer)
      unlink?.()
    },
    stopTimer() {
      clearTimeout(timer)
      unlink = undefined // keep the caller's link for the body's lifetime
    },
    failure(error, pool) {
      if (fired && !outer?.aborted) return new TimeoutError(request, timeout)
      return toClientError(request, error, fired, pool)
    },
  }
}

/**
 * The pool's limits on how an answer comes in, as undici keeps them (0: none): `headersTimeout`,
 * its longest wait for an answer's headers once the request is sent, and `bodyTimeout`, between two
 * chunks of its body. The client's Transport has both.
 */
export type PoolTimeouts = { readonly headersTimeout: number; readonly bodyTimeout: number }

/** undici's defaults for {@link PoolTimeouts}: 300 s each (lib/dispatcher/client.js). */
export const POOL_TIMEOUTS: PoolTimeouts = { headersTimeout: 300_000, bodyTimeout: 300_000 }

/**
 * Maps what a transport threw, before the answer or while its body is read (streamed bodies
 * too), to what fetchline rejects with: the caller's abort reason unchanged, fetchline errors as
 * they are, undici's headers and body timeouts (HTTP/2's too: src/node/h2/ fails with undici's
 * errors) as a `TimeoutError` with limit `'headers'` or `'body'`, anything else (refused, reset,
 * socket closed, `TypeError: terminated`) as a `NetworkError`.
 */
export function toClientError(request: ClientRequest, error: unknown, timedOut: boolean, pool = POOL_TIMEOUTS): unknown {
  if (error instanceof ClientError) return error
  if (request.signal?.aborted) return request.signal.reason
  if (timedOut && request.timeout !== undefined) return new TimeoutError(request, request.timeout)
  const limit = poolLimit(error)
  if (limit === 'headers') return new TimeoutError(request, pool.headersTimeout, 'headers')
  if (limit === 'body') return new TimeoutError(request, pool.bodyTimeout, 'body')
  return new NetworkError(request, error)
}

/** Which of the pool's limits `error` (or one of its causes) says passed, by undici's error codes. */
function poolLimit(error: unknown): 'headers' | 'body' | undefined {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code
    if (code === 'UND_ERR_HEADERS_TIMEOUT') return 'headers'
    if (code === 'UND_ERR_BODY_TIMEOUT') return 'body'
  }
  return undefined
}
