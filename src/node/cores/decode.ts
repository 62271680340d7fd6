import { Transform, type TransformCallback } from 'node:stream'
import zlib from 'node:zlib'

/**
 * One content coding, undone two ways: as a stream, or at once on a body already in memory —
 * what a small buffered body gets, as a zlib stream costs ~70 µs a body more than the same
 * decoding done at once (measured on Node 20: a 2 KB JSON answer, 29 µs at once, ~100 µs streamed).
 */
export type Coding = {
  stream(): Transform
  /** Throws `ERR_BUFFER_TOO_LARGE` past `maxOutputLength` bytes out. */
  decode(input: Buffer, maxOutputLength: number): Buffer
}

/**
 * The most codings an answer may stack: undici's fetch's limit (after urllib3's
 * GHSA-gm62-xv2j-4w53 and curl's CVE-2022-32206), so both cores refuse the same answers.
 */
const MAX_CODINGS = 5

const { constants } = zlib
// Lenient as browsers and curl are (and undici's fetch): a gzip or deflate stream cut short of its
// trailer gives what it holds instead of failing.
const LENIENT = { flush: constants.Z_SYNC_FLUSH, finishFlush: constants.Z_SYNC_FLUSH }
const BROTLI = { flush: constants.BROTLI_OPERATION_FLUSH, finishFlush: constants.BROTLI_OPERATION_FLUSH }
/** A zlib header's low nibble is 8, its method (RFC 1950); raw deflate (RFC 1951) has no header. */
const isZlib = (first: number): boolean => (first & 0x0f) === 0x08

const gzip: Coding = {
  stream: () => zlib.createGunzip(LENIENT),
  decode: (input, maxOutputLength) => zlib.gunzipSync(input, { ...LENIENT, maxOutputLength }),
}
const CODINGS = new Map<string, Coding>([
  ['gzip', gzip],
  ['x-gzip', gzip], // RFC 9112 §7.2
  [
    'deflate',
    {
      stream: () => new Inflate(),
      decode: (input, maxOutputLength) =>
        isZlib(input[0] ?? 0)
          ? zlib.inflateSync(input, { ...LENIENT, maxOutputLength })
          : zlib.inflateRawSync(input, { ...LENIENT, maxOutputLength }),
    },
  ],
  [
    'br',
    {
      stream: () => zlib.createBrotliDecompress(BROTLI),
      decode: (input, maxOutputLength) => zlib.brotliDecompressSync(input, { ...BROTLI, maxOutputLength }),
    },
  ],
])

/** Node 22.15+ and 23.8+ decode zstd (RFC 8878); on older lines a zstd answer is handed back as it came. */
type WithZstd = {
  createZstdDecompress?: (options: object) => Transform
  zstdDecompressSync?: (input: Buffer, options: object) => Buffer
  constants: Record<string, number>
}
const { createZstdDecompress, zstdDecompressSync, constants: all } = zlib as unknown as WithZstd
if (createZstdDecompress && zstdDecompressSync) {
  const ZSTD = { flush: all.ZSTD_e_continue, finishFlush: all.ZSTD_e_end }
  CODINGS.set('zstd', {
    stream: () => createZstdDecompress(ZSTD),
    decode: (input, maxOutputLength) => zstdDecompressSync(input, { ...ZSTD, maxOutputLength }),
  })
}

/**
 * The codings to undo for an answer's `Content-Encoding`, in the order they are undone: the last
 * one applied first (RFC 9110 §8.4). `undefined` when one is not decoded here (`identity`,
 * `compress`, a name of the server's own): the body is then handed back as it came, as undici's
 * fetch does. Throws when more than {@link MAX_CODINGS} are stacked.
 *
 * @example
 * const codings = codingsOf(headers['content-encoding']) // 'gzip, br' → [br, gzip]
 */
export function codingsOf(contentEncoding: string | string[]): Coding[] | undefined {
  // Repeated field lines are one comma-separated list (RFC 9110 §5.3); codings are case-insensitive.
  const value = Array.isArray(contentEncoding) ? contentEncoding.join(',') : contentEncoding
  const names = value.toLowerCase().split(',')
  if (names.length > MAX_CODINGS) {
    throw new Error(`too many content-encodings in response: ${names.length}, maximum allowed is ${MAX_CODINGS}`)
  }
  const codings: Coding[] = []
  for (let i = names.length - 1; i >= 0; i--) {
    const coding = CODINGS.get((names[i] as string).trim())
    if (coding === undefined) return undefined
    codings.push(coding)
  }
  return codings
}

/**
 * A whole body decoded at once, or `undefined` when it would come to more than `limit` bytes
 * (a body that large, or a decompression bomb, is decoded off the main thread instead, by a
 * {@link Decoder}). Throws zlib's error for corrupt data.
 *
 * @example
 * const text = decodeAtOnce(codingsOf('gzip') ?? [], gzipped, 1 << 20)
 */
export function decodeAtOnce(codings: readonly Coding[], body: Buffer, limit: number): Buffer | undefined {
  try {
    for (const coding of codings) if (body.length > 0) body = coding.decode(body, limit)
    return body
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') return undefined
    throw error
  }
}

/** Where a {@link Decoder} hands what it decodes: the exchange it decodes for. */
export type DecodeSink = {
  take(chunk: Buffer): void
  finish(): void
  fail(error: Error): void
}

/**
 * One answer's decoding: its body's bytes go in as they arrive, decoded bytes come out to the
 * sink as zlib makes them (off the main thread, as undici's fetch decodes), then `finish()`, or
 * `fail()` once with the first error of any stage.
 */
export class Decoder {
  readonly streams: Transform[]
  /** The sink heard the end or the failure. */
  over = false

  constructor(codings: readonly Coding[], sink: DecodeSink, onDrain?: () => void) {
    const streams = codings.map((coding) => coding.stream())
    this.streams = streams
    for (let i = 1; i < streams.length; i++) (streams[i - 1] as Transform).pipe(streams[i] as Transform)
    const onError = (error: Error): void => {
      if (this.over) return
      this.destroy()
      sink.fail(error)
    }
    for (const stream of streams) stream.on('error', onError)
    const last = this.last
    last.on('data', (chunk: Buffer) => this.over || sink.take(chunk))
    last.on('end', () => {
      if (this.over) return
      this.over = true
      sink.finish()
    })
    if (onDrain) this.first.on('drain', onDrain)
  }

  get first(): Transform {
    return this.streams[0] as Transform
  }

  get last(): Transform {
    return this.streams[this.streams.length - 1] as Transform
  }

  /** `false` when the first stage wants no more until it drains. */
  write(chunk: Buffer): boolean {
    return this.first.write(chunk)
  }

  end(): void {
    this.first.end()
  }

  /** Stops handing out decoded bytes (the reader is full); `resume()` goes on. */
  pause(): void {
    this.last.pause()
  }

  resume(): void {
    this.last.resume()
  }

  /** Drops the decoding; the sink hears nothing more. */
  destroy(): void {
    this.over = true
    for (const stream of this.streams) stream.destroy()
  }
}

/**
 * `deflate` as browsers and undici's fetch read it: the zlib format RFC 9110 §8.4.1.2 names, or
 * the raw deflate some servers send, told apart by the first byte. The inner stream is made at
 * that byte, which, in a stack of codings, only the stage before can hand over.
 */
class Inflate extends Transform {
  inner: zlib.Inflate | zlib.InflateRaw | undefined

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    if (this.inner === undefined) {
      if (chunk.length === 0) {
        done()
        return
      }
      this.inner = isZlib(chunk[0] as number) ? zlib.createInflate(LENIENT) : zlib.createInflateRaw(LENIENT)
      this.inner.on('data', (out: Buffer) => this.push(out))
      this.inner.on('error', (error) => this.destroy(error))
    }
    this.inner.write(chunk, () => done())
  }

  override _flush(done: TransformCallback): void {
    if (this.inner === undefined) done()
    else {
      this.inner.once('end', () => done())
      this.inner.end()
    }
  }

  override _destroy(error: Error | null, done: (error: Error | null) => void): void {
    this.inner?.destroy()
    done(error)
  }
}
