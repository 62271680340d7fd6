// HTTP/2 on Node's own client, for `pool: { allowH2: true }`. undici 7's HTTP/2 client mishandles a
// server's GOAWAY (lib/dispatcher/client-h2.js `onHttp2SessionGoAway`): it ignores the last stream
// id, destroys the socket at once and fails the oldest request in flight — a stream the server had
// accepted and answers (nginx sends GOAWAY(NO_ERROR, last id) on the `keepalive_requests`-th stream
// of every connection and logs that request 201, issue 22 item 3); its Agent then counts the
// connection's end twice and closes every later pool, so each call after the first GOAWAY opens a
// new connection. undici 8 rewrote this, but needs Node >= 22.19 (it does not load on Node 20) and
// still loses the last answer of a connection to nginx in most runs (its socket 'end' handler
// destroys the session first). A fix from outside would mean replacing undici's private session and
// socket listeners. node:http2 itself implements RFC 9113 §6.8, so HTTP/2 goes through it here, and
// undici keeps HTTP/1.1 (and h2c, proxies, and any caller's dispatcher or factory).
import { Dispatcher } from 'undici'
import { type H2Context, H2Origin } from './origin.js'

/**
 * The client's dispatcher with `allowH2`: requests to an `https:` origin go to its {@link H2Origin}
 * (HTTP/2 sessions on node:http2, or undici's Agent once ALPN picked HTTP/1.1); everything else, and
 * every upgrade or CONNECT, straight to undici's Agent.
 *
 * @example
 * const agent = new H2Agent({ h1: new Agent({ ...pool, allowH2: false }), connect, handOver, localAddress, session, timeouts })
 * await fetch(url, { dispatcher: agent })
 */
export class H2Agent extends Dispatcher {
  readonly #context: H2Context
  readonly #origins = new Map<string, H2Origin>()
  #closing = false

  constructor(context: H2Context) {
    super()
    this.#context = context
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const key = options.origin instanceof URL ? options.origin.origin : String(options.origin)
    // After close(), undici's closed Agent rejects the request as undici always has.
    if (this.#closing || !key.startsWith('https:') || options.upgrade || options.method === 'CONNECT') {
      return this.#context.h1.dispatch(options, handler)
    }
    let origin = this.#origins.get(key)
    if (!origin) this.#origins.set(key, (origin = new H2Origin(key, this.#context)))
    try {
      return origin.dispatch(options, handler)
    } catch (error) {
      // A body it cannot send: told through the handler, as undici's dispatchers do.
      const fail = handler.onResponseError ? (e: Error) => handler.onResponseError?.(NOT_STARTED, e) : handler.onError
      fail?.call(handler, error as Error)
      return false
    }
  }

  /** undici's per-origin statistics, with the HTTP/2 origins' own. */
  get stats(): Record<string, unknown> {
    const stats: Record<string, unknown> = { ...(this.#context.h1 as Dispatcher & { stats?: Record<string, unknown> }).stats }
    for (const [key, origin] of this.#origins) if (!origin.h1) stats[key] = origin.stats
    return stats
  }

  override close(): Promise<void>
  override close(callback: () => void): void
  override close(callback?: () => void): Promise<void> | void {
    this.#closing = true
    const closed = Promise.all([this.#context.h1.close(), ...[...this.#origins.values()].map((origin) => origin.close())]).then(() => {})
    if (!callback) return closed
    void closed.then(callback)
  }

  override destroy(): Promise<void>
  override destroy(error: Error | null): Promise<void>
  override destroy(callback: () => void): void
  override destroy(error: Error | null, callback: () => void): void
  override destroy(error?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    if (typeof error === 'function') return this.destroy(null, error)
    this.#closing = true
    const reason = error ?? new Error('The client is destroyed')
    for (const origin of this.#origins.values()) origin.destroy(reason)
    const destroyed = this.#context.h1.destroy(reason)
    if (!callback) return destroyed
    void destroyed.then(callback)
  }
}

/** The controller of a request that failed before it started. */
const NOT_STARTED = Object.freeze({
  abort() {},
  pause() {},
  resume() {},
  aborted: false,
  paused: false,
  reason: null,
}) as Dispatcher.DispatchController
