import type { Socket } from 'node:net'
import { Agent, buildConnector, type Dispatcher } from 'undici'
import { checkKeys, describe } from '../core/options.js'
import type { CheckedWarmup, WarmupReport } from '../core/warmup.js'
import { POOL_TIMEOUTS, type PoolTimeouts } from '../request/signal.js'
import { H2Agent } from './h2/agent.js'
import { keepTLSAlert } from './tls-alert.js'
import { isSocket, Stash, serverName, warmOrigin } from './warmup.js'

/** What a connect nobody waits for any more is destroyed with (undici then drops its queue). */
export class ConnectAbandoned extends Error {
  override name = 'ConnectAbandoned'
  readonly code = 'FL_ERR_CONNECT_ABANDONED'
  constructor() {
    super('every request waiting for this connection gave up')
  }
}

/**
 * The dispatcher the cores send on, and what they need to know about it. On the client's own
 * undici Agent it tracks the connects in progress, so that giving up on a request undici has not
 * started (timed out or aborted while queued) also ends the connect it waits for, once no live
 * request waits for it. undici 7 gives a queued request no abort handle: left alone, the
 * abandoned connect runs to undici's connect timeout (10 s) and holds `close()` that long. Only
 * abandoned requests are counted, so a request that starts normally costs nothing here.
 *
 * A dispatcher made elsewhere (the caller's, or a proxy agent, which builds its connector itself)
 * cannot have its connector wrapped: nothing is tracked then, and `abandon`/`release` return at
 * once — an abandoned connect there runs to that dispatcher's own connect timeout.
 */
export class Transport implements PoolTimeouts {
  readonly agent: Dispatcher
  /** undici's limit on the wait for an answer's headers (0: none). */
  readonly headersTimeout: number
  /** undici's limit on the wait between two chunks of a body (0: none). */
  readonly bodyTimeout: number
  /** Whether the connects of `agent` are tracked (an Agent made here). */
  readonly #tracked: boolean
  readonly #connecting = new Map<string, Set<Socket>>()
  /** Requests given up on while still in undici's queue, per origin. */
  readonly #abandoned = new Map<string, number>()
  /** Sockets `warmup()` opened, handed to undici's next connects. */
  readonly #stash = new Stash()
  readonly #pool: Agent.Options
  /** The connector the Agent's connects go through, unwrapped (warm-up dials with it). */
  readonly #connect: buildConnector.connector | undefined

  constructor(pool: Agent.Options | undefined, dispatcher?: Dispatcher) {
    this.headersTimeout = pool?.headersTimeout ?? POOL_TIMEOUTS.headersTimeout
    this.bodyTimeout = pool?.bodyTimeout ?? POOL_TIMEOUTS.bodyTimeout
    this.#tracked = dispatcher === undefined
    this.#pool = pool ?? {}
    if (dispatcher) {
      this.agent = dispatcher
      return
    }
    const connect = connectorOf(pool)
    this.#connect = connect
    // A `connect` of the wrong type goes to undici as it is, which says what is wrong with it.
    this.agent =
      connect && pool && sendsH2Itself(pool)
        ? this.#h2Agent(pool, connect)
        : new Agent(connect ? { ...pool, connect: this.#track(connect) } : pool)
  }

  /**
   * With `allowH2`: HTTP/2 on node:http2 (src/node/h2/agent.ts says why), undici's Agent for
   * HTTP/1.1 only — its own connects offer no h2 in ALPN, so its HTTP/2 client never runs.
   */
  #h2Agent(pool: Agent.Options, connect: buildConnector.connector): H2Agent {
    const options = pool as Agent.Options & { localAddress?: string; initialWindowSize?: number; connectionWindowSize?: number }
    const h1Connect = typeof pool.connect === 'function' ? connect : buildConnector(connectOptions({ ...pool, allowH2: false }))
    const keepAliveTimeout = pool.keepAliveTimeout ?? KEEP_ALIVE_TIMEOUT
    const stash = this.#stash
    return new H2Agent({
      h1: new Agent({ ...pool, allowH2: false, connect: this.#track(h1Connect) }),
      connect: this.#track(connect),
      // A socket whose ALPN said HTTP/1.1 serves undici's next connect to that origin.
      handOver: (origin, socket) => stash.put(origin, socket, serverName(origin), keepAliveTimeout),
      localAddress: options.localAddress,
      session: {
        peerMaxConcurrentStreams: pool.maxConcurrentStreams,
        initialWindowSize: options.initialWindowSize,
        connectionWindowSize: options.connectionWindowSize,
        keepAliveTimeout,
      },
      timeouts: { headers: this.headersTimeout, body: this.bodyTimeout },
    })
  }

  /** A request for `origin` was given up on before undici started it. */
  abandon(origin: string): void {
    if (!this.#tracked) return
    const abandoned = (this.#abandoned.get(origin) ?? 0) + 1
    this.#abandoned.set(origin, abandoned)
    const sockets = this.#connecting.get(origin)
    if (!sockets) return
    // undici's `pending` counts every request of the origin not yet started, ours and anyone's.
    const pending = ((this.agent as Agent).stats[origin] as { pending?: number } | undefined)?.pending ?? Number.POSITIVE_INFINITY
    if (pending <= abandoned) for (const socket of sockets) socket.destroy(new ConnectAbandoned())
  }

  /** undici let go of a request given up on earlier (started it, or failed it). */
  release(origin: string): void {
    if (!this.#tracked) return
    const abandoned = (this.#abandoned.get(origin) ?? 1) - 1
    if (abandoned > 0) this.#abandoned.set(origin, abandoned)
    else this.#abandoned.delete(origin)
  }

  /** Ends every connect in progress and closes warmed sockets: for `close()`, once no call of the client is in flight. */
  abandonAll(): void {
    this.#stash.close()
    for (const sockets of this.#connecting.values()) for (const socket of sockets) socket.destroy(new ConnectAbandoned())
  }

  /**
   * Opens connections to `origin` for undici's next connects (see src/node/warmup.ts), up to
   * `options.connections` counting those already open, capped at `pool.connections`.
   */
  async warmup(origin: string, options: CheckedWarmup): Promise<WarmupReport> {
    const started = performance.now()
    const pool = this.#pool as Agent.Options & { localAddress?: string }
    if (!this.#connect) return { opened: 0, reused: 0, failed: 0, elapsedMs: 0, skipped: 'pool.connect is not a connector function' }
    const limit = pool.connections || Number.POSITIVE_INFINITY
    const requested = options.connections ?? (Number.isFinite(limit) ? limit : 1)
    const want = Math.min(requested, limit)
    const connected = ((this.agent as Agent).stats[origin] as { connected?: number } | undefined)?.connected ?? 0
    const reused = Math.min(connected + this.#stash.count(origin), want)
    const warmed = await warmOrigin(this.#stash, this.#connect, {
      origin,
      count: want - reused,
      probeH2: pool.allowH2 === true && reused === 0,
      ttl: options.ttl ?? pool.keepAliveTimeout ?? 4_000,
      timeout: options.timeout ?? connectOptions(pool).timeout ?? 10_000,
      signal: options.signal,
      localAddress: pool.localAddress,
    })
    const report: WarmupReport = { opened: warmed.opened, reused, failed: warmed.failed, elapsedMs: elapsedSince(started) }
    if (warmed.h2 && requested > 1) report.capped = { requested, limit: 1, reason: 'h2' }
    else if (requested > want) report.capped = { requested, limit: want, reason: 'pool.connections' }
    if (warmed.errors.length > 0) report.errors = warmed.errors
    return report
  }

  #track(connect: buildConnector.connector): buildConnector.connector {
    const connecting = this.#connecting
    const stash = this.#stash
    return function trackedConnect(options, callback) {
      const origin = `${options.protocol}//${options.host}`
      // A socket warmup() opened: TCP, TLS and ALPN are done. One comparison when none waits.
      const warm = stash.size > 0 ? stash.take(origin, options.servername) : undefined
      if (warm) {
        keepTLSAlert(warm)
        // Not at once: undici's Client calls its connector from inside its resume loop, which
        // ignores a nested resume, so a request would wait for some later event to be sent.
        queueMicrotask(() => callback(null, warm))
        return warm
      }
      let socket: Socket | undefined
      // A connector may call back at once (a sync error, a socket it had): track only after.
      let settled = false
      const returned = connect(options, (...args) => {
        settled = true
        const sockets = connecting.get(origin)
        if (socket && sockets?.delete(socket) && sockets.size === 0) connecting.delete(origin)
        if (args[1]) keepTLSAlert(args[1] as Socket)
        callback(...args)
      }) as unknown
      if (!settled && isSocket(returned)) {
        socket = returned
        const sockets = connecting.get(origin) ?? new Set()
        sockets.add(socket)
        connecting.set(origin, sockets)
      }
      return returned as ReturnType<buildConnector.connector>
    }
  }
}

// undici's default for an option the HTTP/2 agent reads itself.
const KEEP_ALIVE_TIMEOUT = 4_000

/**
 * Whether `allowH2` goes through the HTTP/2 agent: not with `useH2c` (HTTP/2 without TLS, which
 * undici speaks by prior knowledge) nor with a `factory` of the caller's, which undici calls for
 * every origin.
 */
function sendsH2Itself(pool: Agent.Options): boolean {
  const { allowH2, useH2c, factory } = pool as Agent.Options & { useH2c?: boolean }
  return allowH2 === true && useH2c !== true && factory === undefined
}

function elapsedSince(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10
}

/**
 * The connector undici itself would build from these options (as its `Client` does), or the
 * caller's own `connect` function: wrapping it keeps every connect option working.
 */
function connectorOf(pool: Agent.Options | undefined): buildConnector.connector | undefined {
  const connect = pool?.connect
  if (typeof connect === 'function') return connect as buildConnector.connector
  if (connect != null && typeof connect !== 'object') return undefined
  return buildConnector(connectOptions(pool))
}

/**
 * The options undici's `Client` would build its connector from (TLS, session cache, ALPN, connect
 * timeout, `connect: {…}` last): also what a proxy agent's tunnels to the origin use (`requestTls`).
 *
 * @example
 * connectOptions({ connectTimeout: 5_000, connect: { ca } }) // { timeout: 5000, ca, … }
 */
export function connectOptions(pool: Agent.Options | undefined): buildConnector.BuildOptions {
  const options = (pool ?? {}) as Agent.Options & Record<string, unknown>
  const { connect, tls, maxCachedSessions, allowH2, useH2c, socketPath, connectTimeout, autoSelectFamily, autoSelectFamilyAttemptTimeout } =
    options
  return {
    ...(tls as object | undefined),
    maxCachedSessions,
    allowH2,
    useH2c,
    socketPath,
    timeout: connectTimeout,
    ...(typeof autoSelectFamily === 'boolean' ? { autoSelectFamily, autoSelectFamilyAttemptTimeout } : undefined),
    ...(connect as object | undefined),
  } as unknown as buildConnector.BuildOptions
}

/** Checks `pool` at client creation: an object of undici Agent options, with no unknown key. */
export function checkPool(pool: unknown): void {
  if (pool !== undefined && (typeof pool !== 'object' || pool === null)) {
    throw new TypeError(`pool must be an object of undici Agent options such as { connections: 10 }, got ${describe(pool)}`)
  }
  checkKeys('pool', pool, POOL_KEYS)
}

// undici 7's Agent, Pool and Client options (types/agent.d.ts, pool.d.ts, client.d.ts, and what
// lib/dispatcher/client.js reads), the deprecated ones included: undici itself then says what
// replaces them, where a typo would otherwise be dropped without a word.
const POOL_KEYS = [
  ...['factory', 'maxOrigins', 'interceptors', 'connections', 'clientTtl'],
  ...['connect', 'connectTimeout', 'headersTimeout', 'bodyTimeout', 'keepAliveTimeout', 'keepAliveMaxTimeout'],
  ...['keepAliveTimeoutThreshold', 'maxHeaderSize', 'maxResponseSize', 'pipelining', 'strictContentLength'],
  ...['maxCachedSessions', 'maxRequestsPerClient', 'localAddress', 'socketPath', 'autoSelectFamily'],
  ...['autoSelectFamilyAttemptTimeout', 'allowH2', 'useH2c', 'maxConcurrentStreams', 'initialWindowSize'],
  ...['connectionWindowSize', 'pingInterval', 'webSocket', 'eventSource'],
  ...['tls', 'socketTimeout', 'requestTimeout', 'idleTimeout', 'keepAlive', 'maxKeepAliveTimeout'],
]
