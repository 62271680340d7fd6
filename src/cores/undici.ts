import { Readable } from 'node:stream'
import type { Dispatcher } from 'undici'
import { type BodySource, encodeRequestBody, readBody, settle } from '../body.js'
import { TimeoutError } from '../errors.js'
import { flatHeaders, Headers } from '../headers.js'
import { INSPECT, renderResponse } from '../render.js'
import { toClientError } from '../signal.js'
import type { ClientRequest, ClientResponse, Core } from '../types.js'

type RawHeaders = Record<string, string | string[] | undefined>
type Head = { status: number; headers: RawHeaders; body: BodySource }

const REDIRECTS = new Set([301, 302, 303, 307, 308])
const MAX_REDIRECTS = 20
const CREDENTIALS = ['authorization', 'proxy-authorization', 'cookie']
const BOM = 0xfeff
const EMPTY = Buffer.alloc(0)

/**
 * One buffered exchange on the pool, as a dispatch handler; once it ends it is also the answer's
 * head and body source, so a response costs no objects beyond it: the body is kept as the Buffers
 * undici hands over (most bodies come in one) and read once — no stream is made per response,
 * which is most of what `undici.request` costs.
 */
class Exchange implements Dispatcher.DispatchHandler, Head, BodySource {
  controller: Dispatcher.DispatchController | undefined
  reason: Error | undefined
  status = 0
  headers: RawHeaders = {}
  first: Buffer | undefined
  rest: Buffer[] | undefined
  constructor(
    readonly resolve: (head: Head) => void,
    readonly reject: (error: unknown) => void,
  ) {}

  abort(reason: Error): void {
    this.reason ??= reason
    if (this.controller) this.controller.abort(reason)
    else this.reject(reason) // still queued: give up now; onRequestStart aborts it when it leaves
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller
    if (this.reason) controller.abort(this.reason)
  }

  onResponseStart(_controller: Dispatcher.DispatchController, status: number, headers: RawHeaders): void {
    if (status < 200) return // 1xx: the real answer follows
    this.status = status
    this.headers = headers
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.first === undefined) this.first = chunk
    else (this.rest ??= []).push(chunk)
  }

  onResponseEnd(): void {
    this.resolve(this)
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.reject(error)
  }

  get body(): BodySource {
    return this
  }

  /** The whole body as one Buffer (no copy when it came in one). */
  bytes(): Buffer {
    if (this.rest) {
      this.first = Buffer.concat([this.first as Buffer, ...this.rest])
      this.rest = undefined
    }
    return this.first ?? EMPTY
  }

  async text(): Promise<string> {
    const text = this.bytes().toString('utf8')
    return text.charCodeAt(0) === BOM ? text.slice(1) : text
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = this.bytes()
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
  }

  async blob(): Promise<Blob> {
    return new Blob([this.bytes() as Uint8Array<ArrayBuffer>])
  }

  stream(): ReadableStream<Uint8Array> {
    const bytes = this.bytes()
    return new ReadableStream({ start: (c) => (bytes.byteLength && c.enqueue(new Uint8Array(bytes)), c.close()) })
  }

  async discard(): Promise<void> {}
}

/** A streamed answer goes through `Dispatcher.request`, whose body stream handles back-pressure. */
async function streamed(agent: Dispatcher, options: Dispatcher.DispatchOptions, signal: AbortSignal): Promise<Head> {
  const res = await agent.request({ ...options, signal } as Dispatcher.RequestOptions)
  const body = res.body
  return {
    status: res.statusCode,
    headers: res.headers,
    body: {
      text: () => body.text(),
      arrayBuffer: () => body.arrayBuffer(),
      blob: () => body.blob() as Promise<Blob>,
      stream: () => Readable.toWeb(body) as ReadableStream<Uint8Array>,
      discard: () => body.dump(),
    },
  }
}

type Hop = { url: URL; method: string; headers: Headers; body: unknown }

/** The next hop of a redirect, as fetch would make it, or `undefined` to hand the 3xx back. */
function nextHop(hop: Hop, status: number, location: string | string[] | undefined): Hop | undefined {
  if (!REDIRECTS.has(status) || typeof location !== 'string') return undefined
  const url = new URL(location, hop.url)
  // 303, and 301/302 after a POST, become a GET without a body (fetch, RFC 9110 §15.4).
  const toGet = status === 303 ? hop.method !== 'HEAD' : (status === 301 || status === 302) && hop.method === 'POST'
  if (!toGet && hop.body instanceof ReadableStream) return undefined // a stream cannot be sent twice
  let headers = hop.headers
  if (url.origin !== hop.url.origin || toGet) {
    headers = new Headers(headers)
    if (url.origin !== hop.url.origin) for (const name of CREDENTIALS) headers.delete(name)
    if (toGet) for (const name of ['content-type', 'content-length', 'content-encoding']) headers.delete(name)
  }
  return { url, method: toGet ? 'GET' : hop.method, headers, body: toGet ? undefined : hop.body }
}

/**
 * The undici core: requests dispatched straight onto the client's Agent with a handler of our
 * own — no WHATWG fetch layer, and no stream per response: the fast path for service-to-service
 * calls. It keeps the fetch core's contract: redirects are followed (up to 20, dropping
 * credentials when the origin changes), the attempt's timeout is one timer that aborts the
 * exchange, and the caller's signal aborts it too.
 */
export function createUndiciCore(agent: Dispatcher): Core {
  return async function undiciCore(request: ClientRequest): Promise<ClientResponse> {
    const { timeout, signal } = request
    let exchange: Exchange | undefined
    // Streams go through Dispatcher.request, which takes a signal; buffered exchanges abort directly.
    const stream = request.responseType === 'stream' ? new AbortController() : undefined
    const abort = (reason: Error): void => (stream ? stream.abort(reason) : exchange?.abort(reason))
    let timedOut = false
    let keepLink = false
    const timer =
      timeout === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true
            abort(new TimeoutError(request, timeout))
          }, timeout)
    const onAbort = signal && ((): void => abort(signal.reason))
    if (onAbort) signal?.addEventListener('abort', onAbort, { once: true })
    try {
      if (signal?.aborted) throw signal.reason
      const encoded = encodeRequestBody(request)
      let hop: Hop = { url: request.url, method: request.method, headers: encoded.headers, body: encoded.body }
      for (let hops = 0; ; hops++) {
        const options: Dispatcher.DispatchOptions = {
          origin: hop.url.origin,
          path: hop.url.pathname + hop.url.search,
          method: hop.method as Dispatcher.HttpMethod,
          headers: flatHeaders(hop.headers) as string[],
          body: toDispatchBody(hop.body),
        }
        const head = stream
          ? await streamed(agent, options, stream.signal)
          : await new Promise<Head>((resolve, reject) => {
              exchange = new Exchange(resolve, reject)
              agent.dispatch(options, exchange)
            })
        const next = hops < MAX_REDIRECTS ? nextHop(hop, head.status, head.headers.location) : undefined
        if (next) {
          await head.body.discard()
          hop = next
          continue
        }
        // A stream outlives this call: the timer stops at the headers; the caller's signal
        // stays linked, so it can still cancel the body.
        if (stream) {
          clearTimeout(timer)
          keepLink = true
        }
        const type = head.headers['content-type']
        const contentType = (Array.isArray(type) ? type[0] : type) ?? ''
        const data = await readBody(request, head.status, contentType, head.body)
        return settle(new UndiciResponse(request, head.status, head.headers, hop.url.href, data))
      }
    } catch (error) {
      throw toClientError(request, error, timedOut)
    } finally {
      clearTimeout(timer)
      if (onAbort && !keepLink) signal?.removeEventListener('abort', onAbort)
    }
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
