import type { ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2'

/** What hears a stream's events: an HTTP/2 exchange (./exchange.ts), told which stream spoke. */
export type StreamOwner = {
  respond(stream: ClientHttp2Stream, headers: IncomingHttpHeaders): void
  data(stream: ClientHttp2Stream, chunk: Buffer): void
  trailers(stream: ClientHttp2Stream, trailers: IncomingHttpHeaders): void
  ended(stream: ClientHttp2Stream): void
  errored(stream: ClientHttp2Stream, error: Error): void
  closed(stream: ClientHttp2Stream): void
  timedOut(stream: ClientHttp2Stream): void
}

const OWNER = Symbol('fetchline.h2StreamOwner')
type Stream = ClientHttp2Stream & { [OWNER]: StreamOwner }

/**
 * Routes a stream's events to its owner. The listeners are shared functions that find the owner
 * on the stream: nothing is allocated per request for them.
 *
 * @example
 * listen(session.request(headers), exchange)
 */
export function listen(stream: ClientHttp2Stream, owner: StreamOwner): void {
  ;(stream as Stream)[OWNER] = owner
  stream.on('response', onResponse).on('data', onData).on('trailers', onTrailers).on('end', onEnd)
  stream.on('error', onError).on('close', onClose).on('timeout', onTimeout)
}

function onResponse(this: Stream, headers: IncomingHttpHeaders): void {
  this[OWNER].respond(this, headers)
}

function onData(this: Stream, chunk: Buffer): void {
  this[OWNER].data(this, chunk)
}

function onTrailers(this: Stream, trailers: IncomingHttpHeaders): void {
  this[OWNER].trailers(this, trailers)
}

function onEnd(this: Stream): void {
  this[OWNER].ended(this)
}

function onError(this: Stream, error: Error): void {
  this[OWNER].errored(this, error)
}

function onClose(this: Stream): void {
  this[OWNER].closed(this)
}

function onTimeout(this: Stream): void {
  this[OWNER].timedOut(this)
}
