// The `#transport` edge on Node (and Deno, whose npm resolution takes the `node` condition): each
// client owns an undici Agent (or a proxy agent, with `proxy`), or sends on the caller's
// `dispatcher`, under either core. package.json "imports" points every other runtime at
// src/web/transport.ts, so this file (and undici) is never loaded there.
import { fetch as undiciFetch } from 'undici'
import { describe } from '../core/options.js'
import { skippedWarmup } from '../core/warmup.js'
import { createFetchCore, type FetchFunction } from '../cores/fetch.js'
import type { BuiltInTransport, TransportOptions } from '../cores/transport.js'
import { checkMaxRedirects } from '../request/redirect-policy.js'
import { checkMaxResponseSize, MAX_RESPONSE_SIZE } from '../request/response-size.js'
import { checkPool, Transport } from './connect.js'
import { underFetch } from './cores/deadline.js'
import { watchStaleConnections } from './cores/stale.js'
import { createUndiciCore } from './cores/undici.js'
import { refuseIntercepted, throughInterceptor } from './intercept.js'
import { checkProxy, openProxy } from './proxy.js'

/**
 * Checks, at client creation, what only the built-in transport reads: `pool`, `dispatcher` and
 * `proxy`.
 *
 * @example
 * checkTransport({ baseURL, pool: { connections: 10 } })
 */
export function checkTransport(options: TransportOptions): void {
  checkPool(options.pool)
  const { dispatcher } = options
  if (dispatcher !== undefined && typeof (dispatcher as { dispatch?: unknown } | null)?.dispatch !== 'function') {
    throw new TypeError(
      `dispatcher must be an undici Dispatcher (an object with a dispatch function), such as new ProxyAgent('http://proxy.internal:3128') or new Agent().compose(…), got ${describe(dispatcher)}`,
    )
  }
  checkProxy(options.proxy, options.pool)
}

/**
 * The dispatcher requests go through — the client's own undici Agent, the proxy agent it made for
 * `proxy`, or the caller's `dispatcher` — and the core that sends on it: `Dispatcher.dispatch`
 * for `core: 'undici'`, else undici's own fetch (so that dispatcher, not Node's bundled undici,
 * carries the requests) — or, while msw listens, the global fetch it patched.
 *
 * @example
 * const { core, close } = openTransport({ baseURL, core: 'undici', pool: { connections: 50 } })
 */
export function openTransport(options: TransportOptions): BuiltInTransport {
  const { dispatcher, proxy, pool } = options
  const transport = dispatcher
    ? new Transport(undefined, dispatcher)
    : proxy !== undefined
      ? new Transport(pool, openProxy(proxy, pool))
      : new Transport(pool)
  const maxRedirects = checkMaxRedirects(options.maxRedirects)
  const maxResponseSize = checkMaxResponseSize('maxResponseSize', options.maxResponseSize, MAX_RESPONSE_SIZE)
  // Both cores send again a call that met a closed keep-alive connection (src/request/resend-policy.ts).
  watchStaleConnections()
  const core =
    options.core === 'undici'
      ? refuseIntercepted(createUndiciCore(transport.agent, transport, maxRedirects, maxResponseSize))
      : throughInterceptor(
          createFetchCore(
            undiciFetch as unknown as FetchFunction,
            underFetch(transport.agent, transport),
            { maxRedirects },
            maxResponseSize,
          ),
          maxRedirects,
          maxResponseSize,
        )
  return {
    core,
    warmup(origin, warmupOptions) {
      // Those dispatchers build their connectors themselves, out of reach of the stash.
      if (dispatcher) return Promise.resolve(skippedWarmup(SKIP_DISPATCHER))
      if (proxy !== undefined) return Promise.resolve(skippedWarmup(SKIP_PROXY))
      return transport.warmup(origin, warmupOptions)
    },
    async close() {
      // The caller's dispatcher is the caller's to close: other clients may be sending on it.
      if (dispatcher) return
      // No call waits any more: a connect still running serves nobody, and undici's close()
      // would wait for it to time out.
      transport.abandonAll()
      await transport.agent.close()
    },
  }
}

const SKIP_DISPATCHER =
  "dispatcher: the caller's dispatcher opens its own connections, and fetchline cannot reach its connector; send a few requests through it to warm it"
const SKIP_PROXY =
  'proxy: connections go through the proxy agent, which opens its tunnels itself and fetchline cannot reach; send a few requests to warm it'
