// client.warmup(): its options, its report, and the checks every runtime makes on them. What it
// does lives in the transport edges (src/node/warmup.ts opens sockets; src/web says it cannot).
import { checkKeys, checkMs, describe } from './options.js'

/**
 * Options of `client.warmup()`.
 *
 * @example
 * await client.warmup({ connections: 16, timeout: 2_000 })
 */
export type WarmupOptions = {
  /**
   * Connections to have open to the baseURL's origin, counting those already open; capped at
   * `pool.connections` (and at 1 when HTTP/2 is negotiated: one connection serves every request).
   * @default pool.connections, or 1 when the pool has no limit
   */
  connections?: number
  /**
   * How long (ms) an opened connection waits for its first request before it is closed, so
   * nothing leaks when traffic never comes.
   * @default pool.keepAliveTimeout (undici's default: 4000)
   */
  ttl?: number
  /**
   * Bound (ms) on the whole warm-up: connects still running then end and count as failed.
   * @default the pool's connect timeout (undici's default: 10000)
   */
  timeout?: number
  /** Aborting ends the connects still running and rejects with the signal's reason. */
  signal?: AbortSignal
}

/** One kind of connect failure, redacted: the origin, the error's code and message, how often. */
export type WarmupFailure = { origin: string; code?: string; message: string; count: number }

/**
 * What `client.warmup()` did. It never rejects for a connect failure: a vendor down at start-up
 * shows here as `failed`, and the service starts anyway.
 *
 * @example
 * const report = await client.warmup({ connections: 8 })
 * if (report.failed) log.warn({ warmup: report }, 'vendor not reachable at start-up')
 */
export type WarmupReport = {
  /** Connections opened now, waiting for the first requests. */
  opened: number
  /** Connections already open (in the pool, or from an earlier warm-up), counted toward `connections`. */
  reused: number
  /** Connects that failed or did not finish within `timeout`. */
  failed: number
  /** How long the warm-up took, in ms. */
  elapsedMs: number
  /** Set when fewer connections were opened than asked: `pool.connections`, or HTTP/2's one. */
  capped?: { requested: number; limit: number; reason: 'pool.connections' | 'h2' }
  /** Why the connects failed (no URL path, query or credentials; only the origin). */
  errors?: WarmupFailure[]
  /** Set when there is nothing fetchline can open, with why: a caller's dispatcher, a proxy, a custom fetch, or the platform's fetch. */
  skipped?: string
}

/** Warm-up options once checked. */
export type CheckedWarmup = {
  connections: number | undefined
  ttl: number | undefined
  timeout: number | undefined
  signal: AbortSignal | undefined
}

const KNOWN = ['connections', 'ttl', 'timeout', 'signal']

/**
 * Checks `client.warmup()`'s options: a TypeError (or RangeError for a time a timer cannot hold)
 * that says what to fix.
 *
 * @example
 * checkWarmup({ connections: 0 }) // TypeError: client.warmup: connections must be a positive integer …
 */
export function checkWarmup(options: WarmupOptions | undefined): CheckedWarmup {
  checkKeys('client.warmup', options, KNOWN)
  const { connections, ttl, timeout, signal } = options ?? {}
  if (connections !== undefined && !(Number.isInteger(connections) && connections > 0)) {
    throw new TypeError(`client.warmup: connections must be a positive integer such as 16, got ${describe(connections)}`)
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new TypeError(`client.warmup: signal must be an AbortSignal, got ${describe(signal)}`)
  }
  return {
    connections,
    ttl: ttl === undefined ? undefined : checkMs('client.warmup: ttl', ttl, false),
    timeout: timeout === undefined ? undefined : checkMs('client.warmup: timeout', timeout, false),
    signal,
  }
}

/** The report of a warm-up that opens nothing, and why. */
export function skippedWarmup(why: string): WarmupReport {
  return { opened: 0, reused: 0, failed: 0, elapsedMs: 0, skipped: why }
}
