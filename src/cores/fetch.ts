import { createFetch, type FetchOptions } from 'ofetch'
import type { Dispatcher } from 'undici'
import { type BodySource, encodeRequestBody, readBody, settle } from '../body.js'
import { TimeoutError } from '../errors.js'
import { type AttemptSignal, attemptSignal, toClientError } from '../signal.js'
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
  const $fetch = createFetch({ fetch: fetchImpl as typeof fetch, Headers, AbortController })
  // Options that are the same for every request, spread once here instead of per call.
  const fixed = {
    retry: false,
    responseType: 'stream',
    ignoreResponseError: true,
    ...(dispatcher ? { dispatcher } : {}),
  } as const

  return async function fetchCore(request: ClientRequest): Promise<ClientResponse> {
    // On the client's own Agent the attempt's limit is enforced below fetch, by the pool's
    // deadline interceptor: no AbortSignal per attempt, which undici's fetch makes costly.
    const below = dispatcher !== undefined && request.timeout !== undefined
    const attempt = below ? callerSignal(request) : attemptSignal(request)
    try {
      const encoded = encodeRequestBody(request)
      let headers = encoded.headers
      if (below) {
        headers = new Headers(headers)
        const stopAt = request.responseType === 'stream' ? ';headers' : ''
        headers.set(DEADLINE_HEADER, `${Date.now() + (request.timeout as number)}${stopAt}`)
      }
      const options = {
        ...fixed,
        method: request.method,
        headers,
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
      })
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

/** The private header that carries an attempt's deadline (epoch ms) to {@link deadlineInterceptor}. */
const DEADLINE_HEADER = 'x-fetchline-deadline'

/** What the interceptor aborts an exchange with; the core turns it into a `TimeoutError`. */
class DeadlinePassed extends Error {
  override name = 'DeadlinePassed'
}

function causedBy(error: unknown, kind: new () => Error): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) if (e instanceof kind) return true
  return false
}

/** Only the caller's own signal, when the attempt's limit is enforced below fetch. */
function callerSignal(request: ClientRequest): AttemptSignal {
  return { signal: request.signal, done() {}, stopTimer() {}, failure: (error) => toClientError(request, error, false) }
}

/**
 * A pool interceptor that enforces the attempt deadline a request carries in a private header
 * (stripped here, never sent): one timer from dispatch — queueing and redirect hops included —
 * to the end of the body (or to the headers, for a streamed answer), aborting the exchange.
 */
export const deadlineInterceptor: Dispatcher.DispatcherComposeInterceptor = (dispatch) =>
  function deadline(options, handler) {
    const headers = options.headers as Record<string, string> | null | undefined
    const value = headers && typeof headers === 'object' && !Array.isArray(headers) ? headers[DEADLINE_HEADER] : undefined
    if (value === undefined || !headers) return dispatch(options, handler)
    delete headers[DEADLINE_HEADER]
    const [at, stop] = value.split(';')
    return dispatch(options, new DeadlineHandler(handler, Number(at) - Date.now(), stop === 'headers'))
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
