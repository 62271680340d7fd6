// The `#transport` edge where undici is missing or only partly there: Cloudflare Workers, Bun
// (whose undici is a shim with no Agent.dispatch or close) and browsers. Requests go through the
// platform's own fetch, which keeps its own connections; nothing here needs Node.

import { skippedWarmup } from '../core/warmup.js'
import { createFetchCore, type FetchFunction } from '../cores/fetch.js'
import type { BuiltInTransport, TransportOptions } from '../cores/transport.js'
import { checkMaxRedirects } from '../request/redirect-policy.js'
import { checkMaxResponseSize, MAX_RESPONSE_SIZE } from '../request/response-size.js'

/**
 * Refuses, at client creation, what needs undici — `core: 'undici'`, `pool`, `dispatcher` and
 * `proxy` — with
 * the runtime's name and what to do instead, rather than failing on the first request.
 *
 * @example
 * checkTransport({ baseURL, pool: { connections: 10 } }) // TypeError on Workers, Bun, browsers
 */
export function checkTransport(options: TransportOptions): void {
  const name = runtimeName()
  if (options.core === 'undici') {
    throw new TypeError(
      `core: 'undici' needs an undici Agent, and ${name} has no working one (fetchline sends through the platform's fetch there): leave core unset to use the fetch core`,
    )
  }
  if (options.pool !== undefined) {
    throw new TypeError(
      `pool configures an undici Agent, and ${name} has no working one (fetchline sends through the platform's fetch there, which keeps its own connections): leave pool out`,
    )
  }
  if (options.dispatcher !== undefined) {
    throw new TypeError(
      `dispatcher needs undici, and ${name} has no working one (fetchline sends through the platform's fetch there): leave dispatcher out, or pass fetch to send through your own`,
    )
  }
  if (options.proxy !== undefined) {
    throw new TypeError(
      `proxy needs undici's proxy agents, and ${name} has none (fetchline sends through the platform's fetch there): leave proxy out and configure the runtime's egress instead, or pass a fetch that goes through your proxy`,
    )
  }
}

/**
 * The fetch core over the platform's fetch, looked up on every call: a fetch patched after the
 * client was made (msw's `listen()` at test start) is the one used. `close()` has no pool to end, `warmup()` none to open.
 *
 * @example
 * const { core } = openTransport({ baseURL })
 */
export function openTransport(options: TransportOptions): BuiltInTransport {
  const skipped = `${runtimeName()}: requests go through the platform's fetch, which keeps its own connections out of reach`
  // A browser's fetch hides redirects from code (an opaque redirect): the browser follows them.
  const redirects = { maxRedirects: checkMaxRedirects(options.maxRedirects), byPlatform: runtimeName() === 'the browser' }
  const maxResponseSize = checkMaxResponseSize('maxResponseSize', options.maxResponseSize, MAX_RESPONSE_SIZE)
  return {
    core: createFetchCore(platformFetch, undefined, redirects, maxResponseSize),
    warmup: async () => skippedWarmup(skipped),
    close: async () => {},
  }
}

const platformFetch: FetchFunction = function platformFetch(input, init) {
  return globalThis.fetch(input, init)
}

/** The runtime's name, for messages. */
export function runtimeName(): string {
  const scope = globalThis as { Bun?: unknown; Deno?: unknown; navigator?: { userAgent?: string }; document?: unknown }
  if (scope.Bun !== undefined) return 'Bun'
  if (scope.Deno !== undefined) return 'Deno'
  if (scope.navigator?.userAgent === 'Cloudflare-Workers') return 'Cloudflare Workers'
  if (scope.document !== undefined) return 'the browser'
  return 'this runtime'
}
