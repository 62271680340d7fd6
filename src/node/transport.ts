// The `#transport` edge on Node (and Deno, whose npm resolution takes the `node` condition): each
// client owns an undici Agent, under either core. package.json "imports" points every other
// runtime at src/web/transport.ts, so this file (and undici) is never loaded there.
import { fetch as undiciFetch } from 'undici'
import type { BuiltInTransport, ClientOptions } from '../client.js'
import { createFetchCore, type FetchFunction } from '../cores/fetch.js'
import { checkPool, Transport } from './connect.js'
import { underFetch } from './cores/deadline.js'
import { createUndiciCore } from './cores/undici.js'
import { refuseIntercepted, throughInterceptor } from './intercept.js'

/**
 * Checks, at client creation, what only the built-in transport reads: `pool`.
 *
 * @example
 * checkTransport({ baseURL, pool: { connections: 10 } })
 */
export function checkTransport(options: ClientOptions): void {
  checkPool(options.pool)
}

/**
 * The client's own undici Agent and the core that sends on it: `Dispatcher.dispatch` for
 * `core: 'undici'`, else undici's own fetch (so the client's Agent, not Node's bundled undici,
 * carries the requests) — or, while msw listens, the global fetch it patched.
 *
 * @example
 * const { core, close } = openTransport({ baseURL, core: 'undici', pool: { connections: 50 } })
 */
export function openTransport(options: ClientOptions): BuiltInTransport {
  const transport = new Transport(options.pool)
  const core =
    options.core === 'undici'
      ? refuseIntercepted(createUndiciCore(transport.agent, transport))
      : throughInterceptor(createFetchCore(undiciFetch as unknown as FetchFunction, underFetch(transport.agent, transport)))
  return {
    core,
    async close() {
      // No call waits any more: a connect still running serves nobody, and undici's close()
      // would wait for it to time out.
      transport.abandonAll()
      await transport.agent.close()
    },
  }
}
