// Requests an HTTP/2 server did not process, which may be sent again whatever their method
// (RFC 9113 §8.7): the pure part of ./exchange.ts.
import { type ClientHttp2Stream, constants } from 'node:http2'

const { NGHTTP2_REFUSED_STREAM } = constants

/**
 * How many times one request is sent again after the server did not process it — a stream refused
 * with REFUSED_STREAM, or above the last stream id of a GOAWAY (RFC 9113 §8.7: "clients MAY
 * automatically retry them, even those with non-idempotent methods") — before the call fails with
 * the refusal (`neverSent`, so `retry()` may still send it after a pause). A GOAWAY on a connection
 * that answered other streams does not count: the server is rotating connections (nginx does it
 * every `keepalive_requests`), and a burst larger than that limit has its tail moved more than
 * once. A server that refuses without answering anything is asked this many times, no more (Go's
 * transport bounds its retries too).
 */
export const MAX_RESENDS = 3

/**
 * Whether the server did not process the request of a stream that closed before its answer: reset
 * with REFUSED_STREAM, above the last stream id of the server's GOAWAY (RFC 9113 §6.8), or never
 * given an id (its session ended before it was sent).
 *
 * @example
 * notProcessed(stream, 39) // true for stream 41 after nginx's GOAWAY(NO_ERROR, 39)
 */
export function notProcessed(stream: ClientHttp2Stream, lastStreamId: number): boolean {
  if (stream.rstCode === NGHTTP2_REFUSED_STREAM) return true
  return stream.id === undefined || stream.id > lastStreamId
}

/**
 * The error a call fails with once its request may not be sent again: Node's own for
 * REFUSED_STREAM; else one of the same shape (nghttp2 reports streams above a GOAWAY's last stream
 * id as REFUSED_STREAM itself, unless the GOAWAY carried an error code and ended the session
 * first), which is what `NetworkError.neverSent` reads.
 *
 * @example
 * refusal(stream, nodeError, 39).message // 'Stream closed with error code NGHTTP2_REFUSED_STREAM: …'
 */
export function refusal(stream: ClientHttp2Stream, error: Error | undefined, lastStreamId: number): Error {
  if (stream.rstCode === NGHTTP2_REFUSED_STREAM && error) return error
  const why =
    stream.rstCode === NGHTTP2_REFUSED_STREAM
      ? 'it refused the stream'
      : Number.isFinite(lastStreamId)
        ? `the stream is above the last stream id ${lastStreamId} of its GOAWAY`
        : 'the session closed before the stream was sent'
  return Object.assign(new Error(`Stream closed with error code NGHTTP2_REFUSED_STREAM: the server did not process it (${why})`), {
    code: 'ERR_HTTP2_STREAM_ERROR',
    cause: error,
  })
}

/**
 * The error a call fails with when the server did not process its request but its streamed body
 * cannot be sent again: still a refusal (`neverSent`), saying why the transport did not resend it.
 *
 * @example
 * unreplayable(refusal(stream, nodeError, 39)).message // '… the server did not process the request, and its streamed body cannot be sent again …'
 */
export function unreplayable(refused: Error): Error {
  const why = 'its streamed body cannot be sent again (it was over 1 MiB, or not fully sent, when the stream was refused)'
  return Object.assign(
    new Error(`Stream closed with error code NGHTTP2_REFUSED_STREAM: the server did not process the request, and ${why}`),
    {
      code: 'ERR_HTTP2_STREAM_ERROR',
      // Not `cause`: a NetworkError shows the innermost message, and this one says what happened.
      refused,
    },
  )
}
