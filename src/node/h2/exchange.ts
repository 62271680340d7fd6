import { type ClientHttp2Stream, constants, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2'
import { type Dispatcher, errors } from 'undici'
import { type H2Body, pump, toH2Body } from './body.js'
import { requestHeaders, responseHeaders } from './headers.js'
import { type Handler, toHandler } from './legacy.js'
import type { H2Session } from './session.js'
import { listen, type StreamOwner } from './stream-events.js'
import { MAX_RESENDS, notProcessed, refusal, unreplayable } from './unprocessed.js'

const { NGHTTP2_CANCEL } = constants

/** Where an exchange is sent (again), and given up on while it waits; `authority` is the origin's host. */
export type Sender = { readonly authority: string; send(exchange: H2Exchange): void; drop(exchange: H2Exchange): void }

/** undici's stream limits: to the answer's headers, and between two chunks of its body (0: none). */
export type Timeouts = { headers: number; body: number }

/**
 * One request over HTTP/2, as an undici dispatch: it is its handler's controller (abort, pause,
 * resume), and it outlives its streams — a stream the server did not process is replaced by a new
 * one (on a new session after a GOAWAY) with the same headers and body.
 */
export class H2Exchange implements Dispatcher.DispatchController, StreamOwner {
  readonly handler: Handler
  readonly headers: OutgoingHttpHeaders
  body: H2Body
  /** The chunks of an iterable body, once all were sent and few enough to keep (see `pump`). */
  kept: Uint8Array[] | undefined
  stream: ClientHttp2Stream | undefined
  session: H2Session | undefined
  sends = 0
  /** Refusals counted against `MAX_RESENDS`. */
  refusals = 0
  status = 0
  paused = false
  reason: Error | null = null
  /** Answered, failed or aborted: the handler hears nothing more. */
  over = false
  error: Error | undefined
  trailerFields: IncomingHttpHeaders | undefined

  constructor(
    readonly sender: Sender,
    /** As dispatched: what is handed to undici unchanged if the origin turns out to speak HTTP/1.1. */
    readonly options: Dispatcher.DispatchOptions,
    readonly original: Dispatcher.DispatchHandler,
    readonly timeouts: Timeouts,
  ) {
    this.handler = toHandler(original)
    this.body = toH2Body(options.body)
    this.headers = requestHeaders(options, sender.authority, this.body instanceof Uint8Array ? this.body.byteLength : undefined)
  }

  get aborted(): boolean {
    return this.reason !== null
  }

  /** Opens a stream for this request on `session`. */
  start(session: H2Session): void {
    if (this.over) return
    this.sends++
    // The handler gets its controller once, before the first stream (undici's onConnect moment).
    if (this.sends === 1) this.handler.onRequestStart?.(this, undefined)
    if (this.over) return
    let stream: ClientHttp2Stream
    try {
      stream = session.session.request(this.headers, { endStream: this.body === null })
    } catch (error) {
      // Headers node:http2 refuses fail the call. A session that went away under this request
      // (closed, destroyed, out of stream ids) sent none of it: it goes on another.
      if (!session.session.closed && !session.session.destroyed && (error as { code?: unknown }).code !== 'ERR_HTTP2_OUT_OF_STREAMS') {
        this.fail(error as Error)
        return
      }
      session.retire()
      this.unprocessed(error as Error, true)
      return
    }
    this.stream = stream
    this.session = session
    this.error = undefined
    session.streamOpened()
    listen(stream, this)
    if (this.timeouts.headers > 0) stream.setTimeout(this.timeouts.headers)
    if (this.paused) stream.pause()
    this.write(stream)
  }

  write(stream: ClientHttp2Stream): void {
    const body = this.body
    if (body === null) return
    if (body instanceof Uint8Array) {
      stream.end(body)
      return
    }
    pump(stream, body).then(
      (kept) => {
        this.kept = kept
      },
      (error: Error) => this.abort(error),
    )
  }

  respond(stream: ClientHttp2Stream, headers: IncomingHttpHeaders): void {
    if (this.over || stream !== this.stream) return
    this.status = Number(headers[':status'])
    this.kept = undefined // answered: never sent again
    if (this.session) this.session.answered++
    stream.setTimeout(this.timeouts.body)
    this.handler.onResponseStart?.(this, this.status, responseHeaders(headers), '')
  }

  data(stream: ClientHttp2Stream, chunk: Buffer): void {
    if (!this.over && stream === this.stream) this.handler.onResponseData?.(this, chunk)
  }

  trailers(_stream: ClientHttp2Stream, trailers: IncomingHttpHeaders): void {
    this.trailerFields = trailers
  }

  ended(stream: ClientHttp2Stream): void {
    if (this.over || stream !== this.stream || this.status === 0) return
    this.over = true
    this.handler.onResponseEnd?.(this, responseHeaders(this.trailerFields ?? {}))
  }

  errored(stream: ClientHttp2Stream, error: Error): void {
    if (stream === this.stream) this.error ??= error
  }

  /** The stream's limit passed: undici's headersTimeout before the answer, bodyTimeout after. */
  timedOut(stream: ClientHttp2Stream): void {
    if (stream !== this.stream) return
    const { headers, body } = this.timeouts
    this.abort(
      this.status === 0
        ? new errors.HeadersTimeoutError(`HTTP/2: headers timeout after ${headers} ms`)
        : new errors.BodyTimeoutError(`HTTP/2: body timeout after ${body} ms`),
    )
  }

  /** The stream closed: the answer is over, or the request is sent again, or the call fails. */
  closed(stream: ClientHttp2Stream): void {
    this.session?.streamClosed()
    if (this.over || stream !== this.stream) return
    this.stream = undefined
    const lastStreamId = this.session?.lastStreamId ?? Number.POSITIVE_INFINITY
    if (this.status === 0 && notProcessed(stream, lastStreamId)) {
      // A GOAWAY on a session that answered other streams is the server rotating connections.
      const rotating = Number.isFinite(lastStreamId) && (this.session?.answered ?? 0) > 0
      this.unprocessed(refusal(stream, this.error, lastStreamId), !rotating)
      return
    }
    this.fail(this.error ?? new errors.SocketError(`HTTP/2 stream closed (code ${stream.rstCode}) before its answer was complete`))
  }

  /** The server did not process this request: send it again while its body can be and `MAX_RESENDS` allows. */
  unprocessed(error: Error, counted: boolean): void {
    if (counted) this.refusals++
    if (this.body !== null && !(this.body instanceof Uint8Array) && this.kept) this.body = Buffer.concat(this.kept)
    const resendable = this.body === null || this.body instanceof Uint8Array
    if (!resendable) this.fail(unreplayable(error))
    else if (this.refusals <= MAX_RESENDS) this.sender.send(this)
    else this.fail(error)
  }

  fail(error: Error): void {
    if (this.over) return
    this.over = true
    this.handler.onResponseError?.(this, error)
  }

  abort(reason: Error): void {
    if (this.over) return
    this.reason = reason
    const stream = this.stream
    if (stream) stream.close(NGHTTP2_CANCEL)
    else this.sender.drop(this)
    this.fail(reason)
  }

  pause(): void {
    this.paused = true
    this.stream?.pause()
  }

  resume(): void {
    if (!this.paused) return
    this.paused = false
    this.stream?.resume()
  }
}
