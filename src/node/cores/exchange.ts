import type { Dispatcher } from 'undici'
import type { ClientRequest } from '../../core/types.js'
import { MaxResponseSizeError } from '../../errors/errors.js'
import type { BodySource, BufferedBodySource } from '../../request/body.js'
import { type Hop, leavesBehind } from '../../request/redirect-policy.js'
import type { Transport } from '../connect.js'
import { type Coding, codingsOf, Decoder, type DecodeSink, decodeAtOnce } from './decode.js'

export type RawHeaders = Record<string, string | string[] | undefined>
export type Head = { status: number; headers: RawHeaders; body: BodySource }

const BOM = 0xfeff
const EMPTY = Buffer.alloc(0)
/** Encoded bytes held to be decoded at once at the end; past this, a body is decoded as it arrives. */
const HOLD = 64 * 1024
/**
 * The most a held body is decoded to at once, on the main thread (~2 ms of zlib, a fifth of what
 * JSON.parse then takes there, measured); a body that would decode to more (a decompression bomb
 * too) is decoded off it, by a {@link Decoder}.
 */
const AT_ONCE = 1024 * 1024

/**
 * One buffered exchange on the pool, as a dispatch handler; once it ends it is also the answer's
 * head and body source, so a response costs no objects beyond it: the body is kept as the Buffers
 * undici hands over (most bodies come in one) and read once — no stream is made per response,
 * which is most of what `undici.request` costs. An answer with a `Content-Encoding` is decoded at
 * its end when small, as it arrives when not (see decode.ts); one without costs a property read.
 */
export class Exchange implements Dispatcher.DispatchHandler, Head, BufferedBodySource, DecodeSink {
  controller: Dispatcher.DispatchController | undefined
  reason: Error | undefined
  /** Given up on while still in undici's queue. */
  abandoned = false
  status = 0
  headers: RawHeaders = {}
  first: Buffer | undefined
  rest: Buffer[] | undefined
  /** The answer's content codings, to undo; `undefined`: its bytes are kept as they came. */
  codings: Coding[] | undefined
  /** Encoded bytes held so far (a HEAD, 204 or 304 answer has none to decode). */
  held = 0
  /** Decodes a body too large to be held; a streamed answer's from its first byte. */
  decoder: Decoder | undefined
  /** undici handed over the whole body (its decoding may still run). */
  ended = false
  /** The request this answers (its method and body), when the core knows it. */
  hop: Pick<Hop, 'method' | 'body'> | undefined
  /** The call follows redirects (`maxRedirects` > 0): a redirect's body is then let go of unread. */
  follows = false
  /** The most bytes the body may decode to (`maxResponseSize`); past it the exchange is aborted. */
  limit = Number.POSITIVE_INFINITY
  /** Bytes of the body kept so far, decoded. */
  size = 0
  /** The answer is a redirect the call follows: its body's bytes are dropped as they come. */
  skips = false
  /** The call, for the error that names it. */
  call: ClientRequest | undefined
  constructor(
    readonly resolve: (head: Head) => void,
    readonly reject: (error: unknown) => void,
    readonly origin: string,
    readonly transport: Transport | undefined,
  ) {}

  abort(reason: Error): void {
    this.reason ??= reason
    // The answer is in and only its decoding runs: undici is done with it, so end it here.
    if (this.ended && this.decoder && !this.decoder.over) this.fail(reason)
    else if (this.controller) this.controller.abort(reason)
    else if (!this.abandoned) {
      // Still queued, with no abort handle: give up now; onRequestStart aborts it when it leaves,
      // and a connect it alone waited for ends now.
      this.abandoned = true
      this.reject(reason)
      this.transport?.abandon(this.origin)
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller
    if (this.abandoned) this.transport?.release(this.origin)
    if (this.reason) controller.abort(this.reason)
  }

  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: RawHeaders): void {
    if (status < 200) return // 1xx: the real answer follows
    const coding = headers['content-encoding']
    if (coding !== undefined && this.reads(status, headers)) {
      try {
        this.codings = codingsOf(coding)
      } catch (error) {
        controller.abort(error as Error) // too many codings: the call fails, as on the fetch core
        return
      }
    }
    this.status = status
    this.headers = headers
    if (status >= 300 && status < 400 && this.follows) this.skips = !this.reads(status, headers)
    // The limit is passed before the first byte when the length the answer declares is over it.
    const length = headers['content-length']
    if (length !== undefined && this.codings === undefined && Number(length) > this.limit && this.reads(status, headers)) {
      this.tooLarge(Number(length))
    }
  }

  /**
   * Whether the answer's body is read, so decoded, as undici's fetch decides (lib/web/fetch/index.js):
   * not for a HEAD, a 204, 205 or 304 (no body), nor for a redirect followed (let go of unread).
   */
  reads(status: number, headers: RawHeaders): boolean {
    if (status === 204 || status === 205 || status === 304) return false
    const hop = this.hop
    if (hop === undefined) return true
    return hop.method !== 'HEAD' && !(this.follows && leavesBehind(hop, status, headers.location))
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.codings === undefined) this.skips || this.take(chunk)
    else this.decode(controller, chunk)
  }

  /** Keeps a chunk of the body (decoded, when it was encoded), unless it takes the body past the limit. */
  take(chunk: Buffer): void {
    if ((this.size += chunk.length) > this.limit) this.tooLarge()
    else this.keep(chunk)
  }

  keep(chunk: Buffer): void {
    if (this.first === undefined) this.first = chunk
    else (this.rest ??= []).push(chunk)
  }

  /**
   * The body passed the limit (or its `Content-Length` says it will): the exchange is aborted —
   * undici closes the connection rather than reading on — and the call fails with a
   * `MaxResponseSizeError`; a decoding still running is dropped.
   */
  tooLarge(declared?: number): void {
    if (this.reason !== undefined) return
    this.reason = new MaxResponseSizeError(this.call as ClientRequest, this.status, this.limit, this.size, declared)
    this.fail(this.reason)
  }

  /** Holds an encoded chunk, or hands it to the decoder once the body is too large to hold. */
  decode(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.decoder) {
      this.decoder.write(chunk)
      return
    }
    this.keep(chunk)
    if ((this.held += chunk.length) > HOLD) this.decodeOffThread()
  }

  /** Hands what is held to a decoder, which takes over from here. */
  decodeOffThread(): Decoder {
    const held = this.bytes()
    this.first = undefined
    this.decoder = new Decoder(this.codings as Coding[], this)
    this.decoder.write(held)
    return this.decoder
  }

  onResponseEnd(): void {
    this.ended = true
    // An encoded body is done once its last byte is decoded: the decoder calls finish() then.
    if (this.decoder) this.decoder.end()
    else if (this.held > 0) this.decodeHeld()
    else this.finish()
  }

  decodeHeld(): void {
    let decoded: Buffer | undefined
    try {
      decoded = decodeAtOnce(this.codings as Coding[], this.bytes(), AT_ONCE)
    } catch (error) {
      this.reject(error) // corrupt: a NetworkError naming zlib's reason, as on the fetch core
      return
    }
    if (decoded === undefined) this.decodeOffThread().end()
    else if ((this.size = decoded.length) > this.limit) this.tooLarge()
    else {
      this.first = decoded
      this.finish()
    }
  }

  /** The whole body is in (and decoded). */
  finish(): void {
    this.resolve(this)
  }

  /**
   * The body could not be decoded (corrupt, or not in its coding): the call fails with a
   * `NetworkError` naming zlib's reason, as on the fetch core; an answer still coming is cut off.
   */
  fail(error: Error): void {
    if (!this.ended && this.controller) this.controller.abort(error)
    else this.onResponseError(this.controller as Dispatcher.DispatchController, error)
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.decoder?.destroy()
    // Failed while queued (its connect failed or was ended): undici let go of it.
    if (this.abandoned && this.controller === undefined) this.transport?.release(this.origin)
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

  /** The body as UTF-8 text, without a BOM. */
  textNow(): string {
    const text = this.bytes().toString('utf8')
    return text.charCodeAt(0) === BOM ? text.slice(1) : text
  }

  async text(): Promise<string> {
    return this.textNow()
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
