import type { Dispatcher } from 'undici'
import { rawHeaders } from './headers.js'

type Fields = Record<string, string | string[] | undefined>

/** undici's legacy handler API, which its fetch speaks (`onConnect`, `onHeaders`, …). */
export type LegacyHandler = {
  onConnect?(abort: (reason?: Error) => void, context?: unknown): void
  onResponseStarted?(): void
  onHeaders?(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean
  onData?(chunk: Buffer): boolean
  onComplete?(trailers: Buffer[]): void
  onError?(error: Error): void
}

/** What an HTTP/2 exchange tells its caller: undici's handler API (the undici core's own handlers speak it). */
export type Handler = Dispatcher.DispatchHandler

/**
 * A handler in the API the exchange speaks: the caller's own, or a legacy one (undici's fetch)
 * behind an adapter, as undici's WrapHandler does for its own dispatchers.
 *
 * @example
 * const handler = toHandler(fetchHandler) // onResponseStart → onResponseStarted + onHeaders
 */
export function toHandler(handler: Dispatcher.DispatchHandler): Handler {
  if (typeof handler.onRequestStart === 'function' || typeof handler.onResponseStart === 'function') return handler
  return new LegacyAdapter(handler as unknown as LegacyHandler)
}

class LegacyAdapter implements Handler {
  constructor(readonly handler: LegacyHandler) {}
  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.handler.onConnect?.((reason) => controller.abort(reason ?? new Error('aborted')), context)
  }
  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: Fields, statusText?: string): void {
    this.handler.onResponseStarted?.()
    const resume = (): void => controller.resume()
    if (this.handler.onHeaders?.(status, rawHeaders(headers), resume, statusText ?? '') === false) controller.pause()
  }
  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.handler.onData?.(chunk) === false) controller.pause()
  }
  onResponseEnd(_controller: Dispatcher.DispatchController, trailers: Fields): void {
    this.handler.onComplete?.(rawHeaders(trailers))
  }
  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.handler.onError?.(error)
  }
}
