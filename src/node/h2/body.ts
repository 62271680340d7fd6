import type { ClientHttp2Stream } from 'node:http2'

/** A request body as an HTTP/2 exchange sends it: bytes (sent again as they are), none, or chunks read once. */
export type H2Body = Uint8Array | null | AsyncIterable<unknown> | Iterable<unknown>

/**
 * A streamed body of up to this many bytes is kept while it is sent, so that a stream the server
 * did not process can be sent again (undici's fetch hands every body over as an async iterable,
 * JSON ones included); a longer one is not kept, and its refusal fails the call (`neverSent`).
 */
export const KEEP_LIMIT = 1024 * 1024

/**
 * undici's dispatch body shapes as an HTTP/2 exchange sends them.
 *
 * @example
 * toH2Body('{"a":1}') // Buffer
 * toH2Body(request.body.stream) // the async iterable itself
 */
export function toH2Body(body: unknown): H2Body {
  if (body === undefined || body === null) return null
  if (typeof body === 'string') return Buffer.from(body)
  if (body instanceof Uint8Array) return body
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
  if (body instanceof Blob) return body.stream() as unknown as AsyncIterable<Uint8Array>
  const iterable = body as Partial<AsyncIterable<unknown> & Iterable<unknown>>
  if (typeof iterable[Symbol.asyncIterator] === 'function' || typeof iterable[Symbol.iterator] === 'function') return iterable as H2Body
  throw new TypeError(`an HTTP/2 request body must be a string, bytes, a Blob or an (async) iterable of bytes, got ${typeof body}`)
}

/**
 * Writes `body` to `stream` with back-pressure and ends it. Resolves with the chunks sent when they
 * were `KEEP_LIMIT` bytes or fewer, so the request can be sent again (joined only then);
 * `undefined` when they were more, or the stream closed before the body was over. Rejects with
 * the body's own error.
 */
export async function pump(stream: ClientHttp2Stream, body: AsyncIterable<unknown> | Iterable<unknown>): Promise<Uint8Array[] | undefined> {
  let kept: Uint8Array[] | undefined = []
  let size = 0
  for await (const chunk of body) {
    if (stream.destroyed) return undefined
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array)
    size += bytes.byteLength
    if (kept && size <= KEEP_LIMIT) kept.push(bytes)
    else kept = undefined
    if (!stream.write(bytes)) await drained(stream)
  }
  if (stream.destroyed) return undefined
  stream.end()
  return kept
}

function drained(stream: ClientHttp2Stream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done).off('close', done)
      resolve()
    }
    stream.on('drain', done).on('close', done)
  })
}
