import type { Dispatcher } from 'undici'
import { flatHeaders, Headers } from '../../core/headers.js'
import type { ClientRequest, ClientResponse, Core } from '../../core/types.js'
import { TimeoutError } from '../../errors/errors.js'
import { noteReceived } from '../../errors/received.js'
import { INSPECT, renderResponse } from '../../redact/render.js'
import { encodeRequestBody, readBody, readBufferedBody, settle } from '../../request/body.js'
import { type Hop, isRedirect, MAX_REDIRECTS, nextHop } from '../../request/redirect-policy.js'
import { markStale, mayResend } from '../../request/resend-policy.js'
import { MAX_RESPONSE_SIZE } from '../../request/response-size.js'
import { toClientError } from '../../request/signal.js'
import type { Transport } from '../connect.js'
import { withAcceptEncoding } from './accept-encoding.js'
import { Deadlines, now, Timed } from './deadlines.js'
import { Exchange, type Head, type RawHeaders } from './exchange.js'
import { staleCause } from './stale.js'
import { StreamExchange } from './stream-exchange.js'
import { Targets } from './targets.js'

/**
 * The undici core: requests dispatched straight onto the client's Agent with a handler of our
 * own — no WHATWG fetch layer, and no stream per response: the fast path for service-to-service
 * calls. It keeps the fetch core's contract: redirects are followed by the shared policy
 * (`src/request/redirect-policy.ts`: up to `maxRedirects`, dropping secret headers when the origin
 * changes), the attempt's timeout is a deadline (see {@link Deadlines}) that aborts the exchange,
 * and the caller's signal aborts it too.
 */
export function createUndiciCore(
  agent: Dispatcher,
  transport?: Transport,
  maxRedirects = MAX_REDIRECTS,
  maxResponseSize = MAX_RESPONSE_SIZE,
): Core {
  const targets = new Targets()
  const deadlines = new Deadlines()
  return async function undiciCore(request: ClientRequest): Promise<ClientResponse> {
    const { timeout, signal } = request
    const stream = request.responseType === 'stream'
    const attempt = new Attempt(request)
    if (timeout !== undefined) deadlines.add(attempt, now() + timeout)
    let keepLink = false
    const onAbort = signal && ((): void => attempt.exchange?.abort(signal.reason))
    if (onAbort) signal?.addEventListener('abort', onAbort, { once: true })
    try {
      if (signal?.aborted) throw signal.reason
      const encoded = encodeRequestBody(request)
      let hop: Hop = { url: request.url, method: request.method, headers: encoded.headers, body: encoded.body }
      for (let hops = 0, resends = 0; ; ) {
        const origin = targets.origin(hop.url)
        const options: Dispatcher.DispatchOptions = {
          origin,
          path: targets.path(hop.url, origin),
          method: hop.method as Dispatcher.HttpMethod,
          headers: withAcceptEncoding(flatHeaders(hop.headers), origin) as string[],
          body: toDispatchBody(hop.body),
        }
        let head: Head
        try {
          head = await new Promise<Head>((resolve, reject) => {
            const exchange = stream
              ? new StreamExchange(resolve, reject, origin, transport, request)
              : new Exchange(resolve, reject, origin, transport)
            exchange.hop = hop
            exchange.follows = maxRedirects > 0
            exchange.call = request
            // A stream is limited only by the call's own maxResponseSize; a body read whole by the client's too.
            const whole = request.maxResponseSize ?? maxResponseSize
            if (stream) {
              exchange.limit = request.maxResponseSize ?? Number.POSITIVE_INFINITY
              ;(exchange as StreamExchange).wholeLimit = whole
            } else exchange.limit = whole
            attempt.exchange = exchange
            agent.dispatch(options, attempt.exchange)
          })
        } catch (error) {
          // A reused connection the server had closed while idle: sent again on another one, as a
          // browser or Go's net/http does (src/request/resend-policy.ts), when nothing else ended it.
          const stale = staleCause(error)
          if (stale === undefined || attempt.timedOut || signal?.aborted) throw error
          markStale(stale)
          // The first exchange judged by the body as the caller gave it: a FormData one went out as a
          // multipart stream, read once, and is encoded afresh (a new boundary).
          const body = hops === 0 ? request.body : hop.body
          if (!mayResend(request, hop.method, body, resends++)) throw error
          if (body instanceof FormData) hop = { ...hop, ...encodeRequestBody(request) }
          continue
        }
        const exchange = attempt.exchange as Exchange
        const next = isRedirect(head.status) ? await follow(request, hop, head, hops, maxRedirects) : undefined
        if (next) {
          hop = next
          hops++
          continue
        }
        // A stream outlives this call: the timer stops at the headers; the caller's signal
        // stays linked until the body is over, so it can still cancel the body.
        if (stream && onAbort && !(exchange as StreamExchange).settled) {
          keepLink = true
          ;(exchange as StreamExchange).onSettled = () => signal?.removeEventListener('abort', onAbort)
        }
        deadlines.remove(attempt)
        const type = head.headers['content-type']
        const contentType = (Array.isArray(type) ? type[0] : type) ?? ''
        // A buffered JSON or text body is read without a promise (see readBufferedBody).
        const read = stream
          ? readBody(request, head.status, contentType, head.body)
          : readBufferedBody(request, head.status, contentType, exchange)
        const data = read instanceof Promise ? await read : read
        return settle(new UndiciResponse(request, head.status, head.headers, hop.url.href, data))
      }
    } catch (error) {
      // After the headers (the body failed, timed out or was aborted) the status stays known.
      throw noteReceived(request, attempt.exchange?.status, toClientError(request, error, attempt.timedOut, transport))
    } finally {
      deadlines.remove(attempt)
      if (onAbort && !keepLink) signal?.removeEventListener('abort', onAbort)
    }
  }
}

/** The hop after a redirect, its answer's body let go of; `undefined` when the answer is the call's. */
async function follow(request: ClientRequest, hop: Hop, head: Head, hops: number, max: number): Promise<Hop | undefined> {
  let next: Hop | undefined
  try {
    next = nextHop(request, hop, head.status, head.headers.location, hops, max)
  } catch (error) {
    await head.body.discard()
    throw error
  }
  if (next) await head.body.discard()
  return next
}

/** One attempt's deadline: when it passes, the exchange of the current hop is aborted. */
class Attempt extends Timed {
  exchange: Exchange | undefined
  timedOut = false
  constructor(readonly request: ClientRequest) {
    super()
  }
  expire(): void {
    this.timedOut = true
    this.exchange?.abort(new TimeoutError(this.request, this.request.timeout as number))
  }
}

function toDispatchBody(body: unknown): NonNullable<Dispatcher.DispatchOptions['body']> | null {
  if (body === undefined) return null
  if (body instanceof Blob) return body.stream() as unknown as NonNullable<Dispatcher.DispatchOptions['body']>
  return body as NonNullable<Dispatcher.DispatchOptions['body']>
}

function headersOf(raw: RawHeaders): Headers {
  const headers = new Headers()
  for (const name in raw) {
    const value = raw[name]
    if (Array.isArray(value)) for (const item of value) headers.append(name, item)
    else if (value !== undefined) headers.append(name, value)
  }
  return headers
}

const RAW_HEADERS = Symbol('rawHeaders')
const HEADERS = Symbol('headers')
const RAW = Symbol('raw')

/**
 * The answer, with `headers` and `raw` built on first access: a class, so the getters live on
 * the prototype instead of two closures per response (half this core's cost, measured). Its own
 * state is symbol-keyed, so a copy of it (the `schema` option makes one) still works.
 */
class UndiciResponse implements ClientResponse {
  readonly ok: boolean
  readonly [RAW_HEADERS]: RawHeaders;
  [HEADERS]: Headers | undefined;
  [RAW]: Response | undefined
  constructor(
    readonly request: ClientRequest,
    readonly status: number,
    rawHeaders: RawHeaders,
    readonly url: string,
    readonly data: unknown,
  ) {
    this.ok = status >= 200 && status < 300
    this[RAW_HEADERS] = rawHeaders
  }
  get headers(): Headers {
    this[HEADERS] ??= headersOf(this[RAW_HEADERS])
    return this[HEADERS]
  }
  get raw(): Response {
    this[RAW] ??= new Response(null, { status: Math.max(this.status, 200), headers: this.headers })
    return this[RAW]
  }
  /** Renders redacted, as does `util.inspect`. */
  toJSON(): Record<string, unknown> {
    return renderResponse(this)
  }
  [INSPECT](): Record<string, unknown> {
    return renderResponse(this)
  }
}
