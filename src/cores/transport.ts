// The contract of a runtime's `#transport` edge (src/node/transport.ts, src/web/transport.ts): what
// it hands a client given no `fetch`. Types only; it lives beside the fetch core so that the edges,
// which the client imports, never import the client back.

import type { Agent, Dispatcher } from 'undici'
import type { Core } from '../core/types.js'
import type { CheckedWarmup, WarmupReport } from '../core/warmup.js'

/**
 * What a runtime's `#transport` edge builds for a client given no `fetch`: the core requests go
 * through, and how to let go of it. package.json "imports" picks the edge — src/node/transport.ts
 * (undici Agent, both cores) on Node and Deno, src/web/transport.ts (the platform's fetch) on
 * Cloudflare Workers, Bun and browsers — so this file never loads undici itself.
 */
export type BuiltInTransport = {
  readonly core: Core
  /** Opens connections to `origin` before traffic, or says why it cannot (`skipped`). */
  warmup(origin: string, options: CheckedWarmup): Promise<WarmupReport>
  close(): Promise<void>
}

/**
 * What a transport reads of `ClientOptions` (documented there; the client passes its options
 * whole, and the compiler holds the two together).
 */
export type TransportOptions = {
  readonly pool?: Agent.Options
  readonly dispatcher?: Dispatcher
  readonly proxy?: 'env' | (string & {}) | URL
  readonly core?: 'fetch' | 'undici'
  readonly maxRedirects?: number
  readonly maxResponseSize?: number
  /** The rest of `ClientOptions` passes through unread. */
  readonly [option: string]: unknown
}
