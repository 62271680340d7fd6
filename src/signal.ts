import { ClientError, NetworkError, TimeoutError } from './errors.js'
import type { ClientRequest } from './types.js'

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
  failure(error: unknown, bodyTimeout?: number): unknown
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
    failure: (error, bodyTimeout) => toClientError(request, error, false, bodyTimeout),
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
    failure(error, bodyTimeout) {
      if (fired && !outer?.aborted) return new TimeoutError(request, timeout)
      return toClientError(request, error, fired, bodyTimeout)
    },
  }
}

/** undici's default `bodyTimeout`: its longest wait between two chunks of a body. */
export const BODY_TIMEOUT = 300_000

/**
 * Maps what a transport threw, before the answer or while its body is read (streamed bodies
 * too), to what fetchline rejects with: the caller's abort reason unchanged, fetchline errors as
 * they are, undici's body timeout as a `TimeoutError` with limit `'body'`, anything else (refused,
 * reset, socket closed, `TypeError: terminated`) as a `NetworkError`.
 */
export function toClientError(request: ClientRequest, error: unknown, timedOut: boolean, bodyTimeout = BODY_TIMEOUT): unknown {
  if (error instanceof ClientError) return error
  if (request.signal?.aborted) return request.signal.reason
  if (timedOut && request.timeout !== undefined) return new TimeoutError(request, request.timeout)
  if (hasCode(error, 'UND_ERR_BODY_TIMEOUT')) return new TimeoutError(request, bodyTimeout, 'body')
  return new NetworkError(request, error)
}

function hasCode(error: unknown, code: string): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as { code?: unknown }).code === code) return true
  }
  return false
}
