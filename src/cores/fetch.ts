import { createFetch, type FetchOptions } from 'ofetch'
import { Headers } from '../core/headers.js'
import type { ClientRequest, ClientResponse, Core } from '../core/types.js'
import { MaxResponseSizeError, TimeoutError } from '../errors/errors.js'
import { noteReceived } from '../errors/received.js'
import { INSPECT, responseView } from '../redact/render.js'
import { type BodySource, encodeRequestBody, readBody, settle } from '../request/body.js'
import { type Hop, isRedirect, MAX_REDIRECTS, nextHop } from '../request/redirect-policy.js'
import { markStale, mayResend } from '../request/resend-policy.js'
import { MAX_RESPONSE_SIZE } from '../request/response-size.js'
import { attemptSignal, callerSignal, POOL_TIMEOUTS, type PoolTimeouts, toClientError } from '../request/signal.js'
import { type Bounds, joined, readWhole } from './counted.js'

/** A fetch-compatible function: undici's, the platform's global one, msw's, or `mockFetch`. */
export type FetchFunction = (input: URL | string | Request, init?: RequestInit) => Promise<Response>

/**
 * The client's undici Agent under fetch, as the Node edge hands it over (`src/node/`): this file
 * runs on every runtime, so it knows the Agent only through this shape.
 */
export type UnderFetch = PoolTimeouts & {
  /** The Agent, fetch's `dispatcher` for an attempt with neither a time limit nor a signal. */
  readonly dispatcher: object
  /** A dispatcher for one attempt: the Agent, bounded by `at` (`performance.now()` ms; `undefined`: the caller's signal only). */
  attempt(at: number | undefined, untilHeaders: boolean): { end(): void }
  /** Whether `error` is an attempt's deadline passing. */
  passed(error: unknown): boolean
  /** The error in `error`'s causes that says a reused connection the server had closed failed the exchange, if any. */
  stale(error: unknown): object | undefined
}

const EMPTY = (): ReadableStream<Uint8Array> => new ReadableStream({ start: (c) => c.close() })

const decoder = new TextDecoder() // UTF-8, a BOM dropped, as response.text() decodes

/**
 * The fetch Response as a body source (a class: no closures per response). A body read whole is
 * read counted (see counted.ts): at most `bounds.limit` bytes, and not past the attempt's deadline.
 */
class FetchBody implements BodySource {
  constructor(
    readonly response: Response,
    readonly request: ClientRequest,
    readonly pool: PoolTimeouts,
    readonly bounds: Bounds,
  ) {}
  async text(): Promise<string> {
    return decoder.decode(joined(await readWhole(this.response, this.request, this.bounds)))
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = joined(await readWhole(this.response, this.request, this.bounds))
    const { buffer, byteOffset, byteLength } = bytes
    return byteOffset === 0 && byteLength === buffer.byteLength
      ? (buffer as ArrayBuffer)
      : (buffer.slice(byteOffset, byteOffset + byteLength) as ArrayBuffer)
  }
  async blob(): Promise<Blob> {
    const { chunks } = await readWhole(this.response, this.request, this.bounds)
    return new Blob(chunks as Uint8Array<ArrayBuffer>[], { type: this.response.headers.get('content-type') ?? '' })
  }
  stream(): ReadableStream<Uint8Array> {
    const body = this.response.body
    // A stream is limited only by the call's own maxResponseSize.
    const limit = this.request.maxResponseSize ?? Number.POSITIVE_INFINITY
    return body ? guarded(body, this.request, this.pool, this.response.status, limit) : EMPTY()
  }
  async discard(): Promise<void> {
    await this.response.body?.cancel()
  }
}

/**
 * The body as the caller reads it: the same bytes, pulled one read at a time (back-pressure is
 * kept), but a failure mid-body (`TypeError: terminated`) becomes a `ClientError` and the
 * caller's abort reason comes through unchanged; past `limit` bytes it fails with a
 * `MaxResponseSizeError` and the body below is cancelled. Only streamed answers pay for this.
 */
function guarded(
  body: ReadableStream<Uint8Array>,
  request: ClientRequest,
  pool: PoolTimeouts,
  status: number,
  limit: number,
): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  let size = 0
  return new ReadableStream<Uint8Array>(
    {
      async pull(sink) {
        try {
          const { done, value } = await reader.read()
          if (done) sink.close()
          else if ((size += value.byteLength) <= limit) sink.enqueue(value)
          else {
            const error = new MaxResponseSizeError(request, status, limit, size)
            reader.cancel(error).catch(() => {})
            sink.error(error)
          }
        } catch (error) {
          sink.error(toClientError(request, error, false, pool))
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  )
}

/**
 * How the fetch core treats redirects: `maxRedirects` (the client's option), and `byPlatform` where
 * the platform's fetch hides them from code (browsers answer `redirect: 'manual'` with an opaque
 * redirect, no status, no Location), so the platform follows them under its own rules.
 */
export type FetchRedirects = { readonly maxRedirects: number; readonly byPlatform?: boolean }

/**
 * The fetch core: ofetch over a fetch function. ofetch's own retry and timeout stay off (it would
 * retry an aborted request and reuse an aborted signal); retry and timeout are middleware jobs.
 * With `agent` (Node), every request goes through the client's undici Agent. Redirects are
 * followed here, by the policy the undici core follows too (`src/request/redirect-policy.ts`), not by fetch.
 */
export function createFetchCore(
  fetchImpl: FetchFunction,
  agent?: UnderFetch,
  redirects: FetchRedirects = { maxRedirects: MAX_REDIRECTS },
  maxResponseSize: number = MAX_RESPONSE_SIZE,
): Core {
  // The pool's limits name a TimeoutError's length: the client's Agent's, else undici's defaults
  // (Node's global fetch runs on an undici of its own).
  const pool: PoolTimeouts = agent ?? POOL_TIMEOUTS
  const { maxRedirects } = redirects
  const manual = !redirects.byPlatform
  // ofetch copies the headers with this class: undici's own when undici's fetch is underneath (its
  // fetch takes those without re-reading them), the global one for any other fetch.
  const HeadersClass = agent ? Headers : globalThis.Headers
  const $fetch = createFetch({ fetch: fetchImpl as typeof fetch, Headers: HeadersClass, AbortController })
  return async function fetchCore(request: ClientRequest): Promise<ClientResponse> {
    // On the client's own Agent the attempt's limit is enforced below fetch, by a dispatcher made
    // for this attempt: no AbortSignal per attempt, which costs ~3.5 µs each on Node 20. It also
    // sees an attempt given up on (timed out, or aborted by the caller) while still queued.
    // Without an Agent (a custom fetch, or the platform's on Workers, Bun, browsers) an
    // AbortSignal per attempt carries the limit.
    const { timeout } = request
    const attempt = agent ? callerSignal(request) : attemptSignal(request)
    const at = agent !== undefined && timeout !== undefined ? performance.now() + timeout : undefined
    const deadline =
      agent !== undefined && (timeout !== undefined || request.signal !== undefined)
        ? agent.attempt(at, request.responseType === 'stream')
        : undefined
    // The answer that is the call's (after redirects), once its headers are in.
    let answered: Response | undefined
    try {
      const encoded = encodeRequestBody(request)
      const options = {
        retry: false,
        responseType: 'stream',
        ignoreResponseError: true,
        dispatcher: deadline ?? agent?.dispatcher,
        method: request.method,
        headers: encoded.headers,
        body: encoded.body,
        signal: attempt.signal,
        redirect: manual ? 'manual' : 'follow',
      } as FetchOptions<'stream'>
      let response: Response
      try {
        response = await $fetch.raw(request.url as unknown as string, options)
      } catch (error) {
        response = await resend($fetch.raw, request, request.url.href, options, agent, error, request.body)
      }
      let url = response.url || request.url.href
      // Two comparisons on the common path: a 2xx, 4xx or 5xx is not looked at again.
      if (manual && (response.status < 200 || (response.status < 400 && response.status >= 300))) {
        const first: Hop = { url: request.url, method: request.method, headers: encoded.headers, body: encoded.body }
        const last = await follow($fetch.raw, request, options, first, response, maxRedirects, agent)
        response = last.response
        url = last.url.href
      }
      answered = response
      const contentType = response.headers.get('content-type') ?? ''
      // A stream outlives this call: the attempt timer stops at the headers, the caller's signal
      // stays linked so it can still cancel the body.
      if (request.responseType === 'stream') attempt.stopTimer()
      // The body is read under the attempt's deadline too: undici's dispatcher lets go of it at the
      // last byte in, while fetch may still be decoding (a 64 MiB gzip answer: 0.7 s more).
      const bounds = { limit: request.maxResponseSize ?? maxResponseSize, at: request.responseType === 'stream' ? undefined : at }
      const data = await readBody(request, response.status, contentType, new FetchBody(response, request, pool, bounds))
      return settle({
        status: response.status,
        ok: response.ok,
        headers: response.headers,
        url,
        data,
        request,
        raw: response,
        toJSON: responseView, // renders redacted (shared functions: no closure per response)
        [INSPECT]: responseView,
      } as ClientResponse)
    } catch (error) {
      const inner = unwrap(error)
      const status = answered?.status
      if (timeout !== undefined && deadline !== undefined && agent?.passed(inner))
        throw noteReceived(request, status, new TimeoutError(request, timeout))
      throw noteReceived(request, status, attempt.failure(inner, pool))
    } finally {
      attempt.done()
      deadline?.end()
    }
  }
}

type Raw = (url: string, options: FetchOptions<'stream'>) => Promise<Response>

/**
 * Follows the redirects of a `redirect: 'manual'` answer, hop by hop, with the shared policy;
 * returns the answer that is the call's and the URL that gave it.
 */
async function follow(
  raw: Raw,
  request: ClientRequest,
  options: FetchOptions<'stream'>,
  first: Hop,
  answer: Response,
  max: number,
  agent: UnderFetch | undefined,
): Promise<{ response: Response; url: URL }> {
  let hop = first
  let response = answer
  for (let hops = 0; ; hops++) {
    if (response.type === 'opaqueredirect') {
      await response.body?.cancel()
      throw new TypeError(
        "the fetch in use hides redirects from code (it answered redirect: 'manual' with an opaque redirect, as browsers do), so fetchline cannot follow them: pass a fetch that hands back the 3xx, as undici's, Bun's, Deno's and workerd's do",
      )
    }
    if (!isRedirect(response.status)) return { response, url: hop.url }
    let next: Hop | undefined
    try {
      next = nextHop(request, hop, response.status, response.headers.get('location'), hops, max)
    } catch (error) {
      await response.body?.cancel()
      throw error
    }
    if (next === undefined) return { response, url: hop.url }
    // A redirect's body is a line of HTML, in by now: cancelling it keeps the connection.
    await response.body?.cancel()
    hop = next
    const hopOptions = { ...options, method: hop.method, headers: hop.headers, body: hop.body } as FetchOptions<'stream'>
    try {
      response = await raw(hop.url.href, hopOptions)
    } catch (error) {
      response = await resend(raw, request, hop.url.href, hopOptions, agent, error, hop.body)
    }
  }
}

/**
 * Sends an exchange again while it fails on a reused connection the server had already closed,
 * and may be sent again (src/request/resend-policy.ts); marks the failure it gives up on. `body` is what
 * the exchange carries as the caller gave it (the call's own body on its first exchange). Only on the
 * client's own Agent, whose Node edge tells such failures apart (`agent.stale`).
 */
async function resend(
  raw: Raw,
  request: ClientRequest,
  url: string,
  options: FetchOptions<'stream'>,
  agent: UnderFetch | undefined,
  failure: unknown,
  body: unknown,
): Promise<Response> {
  for (let resends = 0, error = failure; ; resends++) {
    const stale = agent?.stale(unwrap(error))
    if (stale === undefined || options.signal?.aborted) throw error
    markStale(stale)
    if (!mayResend(request, options.method ?? 'GET', body, resends)) throw error
    try {
      // A FormData body went out as a multipart stream, read once: encoded afresh (a new boundary).
      return await raw(url, body instanceof FormData ? ({ ...options, ...encodeRequestBody(request) } as FetchOptions<'stream'>) : options)
    } catch (next) {
      error = next
    }
  }
}

/** ofetch wraps transport errors in a FetchError whose message names the raw URL: its cause. */
function unwrap(error: unknown): unknown {
  return (error as Error)?.name === 'FetchError' && (error as Error).cause !== undefined ? (error as Error).cause : error
}
