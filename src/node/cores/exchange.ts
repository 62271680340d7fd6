import type { Dispatcher } from 'undici'
import type { BodySource, BufferedBodySource } from '../../body.js'
import type { Transport } from '../connect.js'

export type RawHeaders = Record<string, string | string[] | undefined>
export type Head = { status: number; headers: RawHeaders; body: BodySource }

const BOM = 0xfeff
const EMPTY = Buffer.alloc(0)

/**
 * One buffered exchange on the pool, as a dispatch handler; once it ends it is also the answer's
 * head and body source, so a response costs no objects beyond it: the body is kept as the Buffers
 * undici hands over (most bodies come in one) and read once — no stream is made per response,
 * which is most of what `undici.request` costs.
 */
export class Exchange implements Dispatcher.DispatchHandler, Head, BufferedBodySource {
  controller: Dispatcher.DispatchController | undefined
  reason: Error | undefined
  /** Given up on while still in undici's queue. */
  abandoned = false
  status = 0
  headers: RawHeaders = {}
  first: Buffer | undefined
  rest: Buffer[] | undefined
  constructor(
    readonly resolve: (head: Head) => void,
    readonly reject: (error: unknown) => void,
    readonly origin: string,
    readonly transport: Transport | undefined,
  ) {}

  abort(reason: Error): void {
    this.reason ??= reason
    if (this.controller) this.controller.abort(reason)
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
