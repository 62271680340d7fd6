import { createFetch, type FetchOptions } from 'ofetch'
import type { Dispatcher } from 'undici'
import { type BodySource, encodeRequestBody, readBody, settle } from '../body.js'
import { TimeoutError } from '../errors.js'
import { Headers } from '../headers.js'
import { INSPECT, responseView } from '../render.js'
import { attemptSignal, callerSignal } from '../signal.js'
import type { ClientRequest, ClientResponse, Core } from '../types.js'

/** A fetch-compatible function: undici's, Node's global one, msw's, or `mockFetch`. */
export type FetchFunction = (input: URL | string | Request, init?: RequestInit) => Promise<Response>

const EMPTY = (): ReadableStream<Uint8Array> => new ReadableStream({ start: (c) => c.close() })

/** The fetch Response as a body source (a class: no closures per response). */
class FetchBody implements BodySource {
  constructor(readonly response: Response) {}
  text(): Promise<string> {
    return this.response.text()
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.response.arrayBuffer()
  }
  blob(): Promise<Blob> {
    return this.response.blob()
  }
  stream(): ReadableStream<Uint8Array> {
    return this.response.body ?? EMPTY()
  }
  async discard(): Promise<void> {
    await this.response.body?.cancel()
  }
}

/**
 * The fetch core: ofetch over a fetch function. ofetch's own retry and timeout stay off (it would
 * retry an aborted request and reuse an aborted signal); retry and timeout are middleware jobs.
 * With `dispatcher`, every request goes through the client's undici Agent.
 */
export function createFetchCore(fetchImpl: FetchFunction, dispatcher?: Dispatcher): Core {
  // ofetch copies the headers with this class: undici's own when undici's fetch is underneath (its
  // fetch takes those without re-reading them), the global one for any other fetch.
  const HeadersClass = dispatcher ? Headers : globalThis.Headers
  const $fetch = createFetch({ fetch: fetchImpl as typeof fetch, Headers: HeadersClass, AbortController })
  return async function fetchCore(request: ClientRequest): Promise<ClientResponse> {
    // On the client's own Agent the attempt's limit is enforced below fetch, by a dispatcher made
    // for this attempt: no AbortSignal per attempt, which costs ~3.5 µs each on Node 20.
    const below = dispatcher !== undefined && request.timeout !== undefined
    const attempt = below ? callerSignal(request) : attemptSignal(request)
    try {
      const encoded = encodeRequestBody(request)
      const options = {
        retry: false,
        responseType: 'stream',
        ignoreResponseError: true,
        dispatcher: below
          ? new DeadlineDispatcher(dispatcher, Date.now() + (request.timeout as number), request.responseType === 'stream')
          : dispatcher,
        method: request.method,
        headers: encoded.headers,
        body: encoded.body,
        signal: attempt.signal,
      } as FetchOptions<'stream'>
      const response = await $fetch.raw(request.url as unknown as string, options)
      const contentType = response.headers.get('content-type') ?? ''
      // A stream outlives this call: the attempt timer stops at the headers, the caller's signal
      // stays linked so it can still cancel the body.
      if (request.responseType === 'stream') attempt.stopTimer()
      const data = await readBody(request, response.status, contentType, new FetchBody(response))
      return settle({
        status: response.status,
        ok: response.ok,
        headers: response.headers,
        url: response.url || request.url.href,
        data,
        request,
        raw: response,
        toJSON: responseView, // renders redacted (shared functions: no closure per response)
        [INSPECT]: responseView,
      } as ClientResponse)
    } catch (error) {
      // ofetch wraps transport errors in a FetchError whose message names the raw URL: unwrap it.
      const inner = (error as Error)?.name === 'FetchError' && (error as Error).cause !== undefined ? (error as Error).cause : error
      if (below && causedBy(inner, DeadlinePassed)) throw new TimeoutError(request, request.timeout as number)
      throw attempt.failure(inner)
    } finally {
      attempt.done()
    }
  }
}

/** What a deadline aborts an exchange with; the core turns it into a `TimeoutError`. */
class DeadlinePassed extends Error {
  override name = 'DeadlinePassed'
}

function causedBy(error: unknown, kind: new () => Error): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) if (e instanceof kind) return true
  return false
}

/**
 * fetch's dispatcher for one attempt with a time limit: the client's Agent, with every exchange
 * of the attempt (redirect hops included, queueing in the pool included) aborted at the deadline —
 * or, for a streamed answer, once the headers are in. undici's fetch only ever calls `dispatch`
 * on its dispatcher, so a small object per attempt carries the deadline: no AbortSignal, no
 * header to smuggle it in, and the Agent is called directly (not through `agent.compose()`,
 * whose Proxy and two adapter handlers per request cost more than the timeout itself).
 */
class DeadlineDispatcher {
  constructor(
    readonly agent: Dispatcher,
    readonly at: number,
    readonly untilHeaders: boolean,
  ) {}
  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const remaining = this.at - Date.now()
    const wrapped =
      typeof handler.onRequestStart === 'function'
        ? new DeadlineHandler(handler, remaining, this.untilHeaders)
        : new LegacyDeadlineHandler(handler as LegacyHandler, remaining, this.untilHeaders)
    return this.agent.dispatch(options, wrapped as Dispatcher.DispatchHandler)
  }
}

/** The legacy handler API (what undici's fetch hands its dispatcher). */
type LegacyHandler = {
  onConnect?(abort: (reason?: Error) => void, context?: unknown): void
  onResponseStarted?(): void
  onHeaders?(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean
  onData?(chunk: Buffer): boolean
  onComplete?(trailers: unknown): void
  onError?(error: Error): void
  onUpgrade?(status: number, rawHeaders: Buffer[], socket: unknown): void
  onRequestUpgrade?(...args: unknown[]): void
  onBodySent?(chunk: unknown): void
  onRequestSent?(): void
}

class LegacyDeadlineHandler implements LegacyHandler {
  abort: ((reason?: Error) => void) | undefined
  fired = false
  timer: NodeJS.Timeout
  constructor(
    readonly handler: LegacyHandler,
    remaining: number,
    readonly untilHeaders: boolean,
  ) {
    this.timer = setTimeout(() => this.fire(), Math.max(0, remaining))
  }
  fire(): void {
    this.fired = true
    this.abort?.(new DeadlinePassed())
  }
  onConnect(abort: (reason?: Error) => void, context?: unknown): void {
    this.abort = abort
    this.handler.onConnect?.(abort, context)
    if (this.fired) abort(new DeadlinePassed())
  }
  onResponseStarted(): void {
    this.handler.onResponseStarted?.()
  }
  onHeaders(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (this.untilHeaders && status >= 200) clearTimeout(this.timer)
    return this.handler.onHeaders?.(status, rawHeaders, resume, statusText) ?? true
  }
  onData(chunk: Buffer): boolean {
    return this.handler.onData?.(chunk) ?? true
  }
  onComplete(trailers: unknown): void {
    clearTimeout(this.timer)
    this.handler.onComplete?.(trailers)
  }
  onError(error: Error): void {
    clearTimeout(this.timer)
    this.handler.onError?.(error)
  }
  onUpgrade(status: number, rawHeaders: Buffer[], socket: unknown): void {
    clearTimeout(this.timer)
    this.handler.onUpgrade?.(status, rawHeaders, socket)
  }
  onRequestUpgrade(...args: unknown[]): void {
    clearTimeout(this.timer)
    this.handler.onRequestUpgrade?.(...args)
  }
  onBodySent(chunk: unknown): void {
    this.handler.onBodySent?.(chunk)
  }
  onRequestSent(): void {
    this.handler.onRequestSent?.()
  }
}

class DeadlineHandler implements Dispatcher.DispatchHandler {
  controller: Dispatcher.DispatchController | undefined
  fired = false
  timer: NodeJS.Timeout
  constructor(
    readonly handler: Dispatcher.DispatchHandler,
    remaining: number,
    readonly untilHeaders: boolean,
  ) {
    this.timer = setTimeout(
      () => {
        this.fired = true
        this.controller?.abort(new DeadlinePassed())
      },
      Math.max(0, remaining),
    )
  }
  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.controller = controller
    if (this.fired) controller.abort(new DeadlinePassed())
    this.handler.onRequestStart?.(controller, context)
  }
  onRequestUpgrade(controller: Dispatcher.DispatchController, status: number, headers: never, socket: never): void {
    clearTimeout(this.timer)
    this.handler.onRequestUpgrade?.(controller, status, headers, socket)
  }
  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: never, message?: string): void {
    if (this.untilHeaders && status >= 200) clearTimeout(this.timer)
    this.handler.onResponseStart?.(controller, status, headers, message)
  }
  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.handler.onResponseData?.(controller, chunk)
  }
  onResponseEnd(controller: Dispatcher.DispatchController, trailers: never): void {
    clearTimeout(this.timer)
    this.handler.onResponseEnd?.(controller, trailers)
  }
  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    clearTimeout(this.timer)
    this.handler.onResponseError?.(controller, error)
  }
}
