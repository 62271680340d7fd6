import http2, { type ClientHttp2Session } from 'node:http2'
import type { Socket } from 'node:net'

/** The undici pool options an HTTP/2 session honours. */
export type SessionOptions = {
  /** Streams opened before the server's SETTINGS say how many it takes (undici's `maxConcurrentStreams`). */
  peerMaxConcurrentStreams: number | undefined
  initialWindowSize: number | undefined
  connectionWindowSize: number | undefined
  /** How long a session with no stream open is kept (the pool's `keepAliveTimeout`). */
  keepAliveTimeout: number
}

/** Who hears when a session stops taking new streams, and when it is gone. */
export type SessionOwner = { retire(session: H2Session): void; ended(session: H2Session): void }

const noop = (): void => {}

/**
 * One HTTP/2 connection, on Node's own client. A GOAWAY retires it from new requests at once (RFC
 * 9113 §6.8: "MUST NOT open additional streams"); node:http2 then closes it gracefully when the
 * code is NO_ERROR — the streams at or below the last stream id run to their end, nghttp2 refuses
 * the ones above it (REFUSED_STREAM) — or destroys it on an error code. Idle, it does not hold the
 * process open, and it closes after `keepAliveTimeout`, as undici's HTTP/1.1 sockets do.
 */
export class H2Session {
  readonly session: ClientHttp2Session
  /** Streams open on it. */
  active = 0
  /** Streams it got an answer on. */
  answered = 0
  /** The last stream id of the server's GOAWAY: streams above it were not processed. */
  lastStreamId = Number.POSITIVE_INFINITY
  readonly #owner: SessionOwner
  readonly #idle: NodeJS.Timeout

  constructor(owner: SessionOwner, origin: string, socket: Socket, options: SessionOptions) {
    this.#owner = owner
    const { initialWindowSize, connectionWindowSize } = options
    const session = http2.connect(origin, {
      createConnection: () => socket,
      ...(options.peerMaxConcurrentStreams === undefined ? {} : { peerMaxConcurrentStreams: options.peerMaxConcurrentStreams }),
      settings: { enablePush: false, ...(initialWindowSize === undefined ? {} : { initialWindowSize }) },
    })
    this.session = session
    session.on('goaway', (_code: number, lastStreamId: number) => {
      this.lastStreamId = Math.min(this.lastStreamId, lastStreamId)
      this.retire()
    })
    session.once('close', () => {
      clearTimeout(this.#idle)
      this.#owner.ended(this)
    })
    // A session's error also reaches each of its open streams, which report it to their calls.
    session.on('error', noop)
    // A TLS alert after the handshake (TLS 1.3 certificate_required: the server wants a client
    // certificate) is emitted on the socket without destroying it (node lib/_tls_wrap.js
    // `_emitTLSError`); node:http2 then destroys the session but waits for the socket's close to
    // emit 'close', so the session, and `close()` of the client, would wait forever.
    socket.once('error', () => socket.destroy())
    if (connectionWindowSize) session.once('connect', () => session.setLocalWindowSize(connectionWindowSize))
    session.unref()
    this.#idle = setTimeout(() => this.#closeIfIdle(), options.keepAliveTimeout).unref()
  }

  /** No new stream goes on this session. */
  retire(): void {
    this.#owner.retire(this)
  }

  streamOpened(): void {
    if (this.active++ === 0) this.session.ref()
  }

  streamClosed(): void {
    if (--this.active > 0) return
    this.session.unref()
    this.#idle.refresh()
  }

  #closeIfIdle(): void {
    if (this.active > 0 || this.session.closed) return
    this.retire()
    this.session.close()
  }
}
