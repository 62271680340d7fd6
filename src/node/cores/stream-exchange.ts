import type { Dispatcher } from 'undici'
import type { ClientRequest } from '../../core/types.js'
import { toClientError } from '../../request/signal.js'
import { type Coding, Decoder } from './decode.js'
import { Exchange, type Head } from './exchange.js'

/** How much of a body is read ahead of its reader before the socket is paused (undici's own body stream reads 64 KiB ahead too). */
const HIGH_WATER_MARK = 64 * 1024
const byteLength = (chunk: Uint8Array): number => chunk.byteLength

/** What a body cancelled by its reader aborts the exchange with. */
class BodyCancelled extends Error {
  override name = 'BodyCancelled'
}

/**
 * An exchange whose answer is streamed: it resolves at the headers with a ReadableStream fed
 * straight from the dispatch handler, with undici's pause/resume as back-pressure. Made for
 * this instead of `Readable.toWeb(body)`, whose Node 20 adapter throws an uncaught
 * "Controller is already closed" when the web stream is cancelled. Every state change goes
 * through `settled`, so a cancel, an end and an error can come in any order.
 */
export class StreamExchange extends Exchange {
  sink!: ReadableStreamDefaultController<Uint8Array>
  readonly readable: ReadableStream<Uint8Array>
  /** The body ended, failed or was cancelled: nothing more goes into the stream. */
  settled = false
  /** Called once the body is over: unlinks the caller's signal. */
  onSettled: (() => void) | undefined

  constructor(
    resolve: (head: Head) => void,
    reject: (error: unknown) => void,
    origin: string,
    transport: ConstructorParameters<typeof Exchange>[3],
    readonly request: ClientRequest,
  ) {
    super(resolve, reject, origin, transport)
    this.readable = new ReadableStream<Uint8Array>(
      {
        start: (sink) => {
          this.sink = sink
        },
        pull: () => {
          this.decoder?.resume()
          if (!this.inputFull) this.controller?.resume()
        },
        cancel: (reason) => {
          if (!this.settle()) return
          this.decoder?.destroy()
          this.controller?.abort(reason instanceof Error ? reason : new BodyCancelled('the body was cancelled'))
        },
      },
      { highWaterMark: HIGH_WATER_MARK, size: byteLength },
    )
  }

  /** The decoder's input is backed up: the socket stays paused until it drains. */
  inputFull = false

  settle(): boolean {
    if (this.settled) return false
    this.settled = true
    this.onSettled?.()
    return true
  }

  override onResponseStart(
    controller: Dispatcher.DispatchController,
    status: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    super.onResponseStart(controller, status, headers)
    if (this.status !== 0) this.resolve(this)
  }

  override onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.settled) super.onResponseData(controller, chunk)
  }

  /** Into the stream; past its high-water mark the socket (and the decoder) wait for the reader. */
  override take(chunk: Buffer): void {
    if (this.settled) return
    if ((this.size += chunk.length) > this.limit) {
      this.tooLarge()
      return
    }
    this.sink.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength))
    if ((this.sink.desiredSize ?? 0) > 0) return
    this.controller?.pause()
    this.decoder?.pause()
  }

  /** Decoded from the first byte, with back-pressure on the way in: a full decoder pauses the socket. */
  override decode(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.decoder ??= new Decoder(this.codings as Coding[], this, () => {
      this.inputFull = false
      if ((this.sink.desiredSize ?? 0) > 0) this.controller?.resume()
    })
    if (this.decoder.write(chunk)) return
    this.inputFull = true
    controller.pause()
  }

  override finish(): void {
    if (this.settle()) this.sink.close()
  }

  override onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    // Before the headers the call fails; after them, the body does.
    if (this.status === 0) super.onResponseError(controller, error)
    else if (this.settle()) {
      this.decoder?.destroy()
      this.sink.error(toClientError(this.request, error, false, this.transport))
    }
  }

  /**
   * The limit of a body read whole (the client's `maxResponseSize`, or the call's): what applies
   * when a streamed call's body is read whole after all (an error answer, parsed for `HTTPError`).
   */
  wholeLimit = Number.POSITIVE_INFINITY

  /**
   * The stream, to be read whole: the limit of a whole body applies from here on. Throws the
   * `MaxResponseSizeError` at once when more than that came in already (the stream may be complete).
   */
  whole(): ReadableStream<Uint8Array> {
    this.limit = this.wholeLimit
    if (this.size > this.limit) {
      this.tooLarge()
      throw this.reason
    }
    return this.readable
  }

  override text(): Promise<string> {
    return new Response(this.whole()).text()
  }

  /** Never in memory: the undici core reads a streamed exchange through `readBody` only. */
  override textNow(): never {
    throw new Error('a streamed body is not in memory; read it with text()')
  }

  override arrayBuffer(): Promise<ArrayBuffer> {
    return new Response(this.whole()).arrayBuffer()
  }

  override blob(): Promise<Blob> {
    return new Response(this.whole()).blob()
  }

  override stream(): ReadableStream<Uint8Array> {
    return this.readable
  }

  /** A body that already ended left its connection free; one still coming is cut off. */
  override async discard(): Promise<void> {
    if (!this.settled) await this.readable.cancel()
  }
}
