// When a call that met a closed keep-alive connection is sent again by the core itself, below
// retry(): the pure part, shared by both cores. Pure: no Node import (the fetch core runs everywhere).

import type { ClientRequest } from '../core/types.js'
import { STALE_CONNECTION } from '../errors/tls-errors.js'

/** Header names that make a POST or PATCH safe to send again (RFC draft-ietf-httpapi-idempotency-key-header). */
const IDEMPOTENCY_HEADERS = ['idempotency-key', 'x-idempotency-key']

/**
 * Whether the request carries an idempotency key, from the caller or an `idempotency()` middleware.
 *
 * @example
 * hasIdempotencyKey(request) // true after idempotency() ran, or with an Idempotency-Key header
 */
export function hasIdempotencyKey(request: ClientRequest): boolean {
  return request.context.idempotencyKey !== undefined || IDEMPOTENCY_HEADERS.some((name) => request.headers.has(name))
}

// RFC 9110 §9.2.2's idempotent methods: what Go's net/http (`isReplayable`) and browsers resend.
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'])

/**
 * How many times one exchange is sent again after meeting a closed reused connection. Each time
 * the closed connection is gone from the pool, so the next one goes out on another (a new one
 * when no idle one is left); Go's transport resends for as long as the failure is on a reused
 * connection, bounded only by its idle pool. Two covers an idle pool that died all at once.
 */
export const MAX_RESENDS = 2

/**
 * Whether an exchange that met a closed reused connection (the server had let go of it while it
 * was idle, and no byte of the answer came back) may be sent again on another connection, without
 * `retry()` and without counting as an attempt: an idempotent method, or one carrying an
 * idempotency key, with a body that can be sent twice (not a stream), `resends` times before.
 * This follows Go's `persistConn.shouldRetryRequest` and `Request.isReplayable`
 * (https://github.com/golang/go/blob/master/src/net/http/transport.go); a POST without a key is
 * never sent twice: once written, nothing proves the server did not read it.
 *
 * @example
 * mayResend(request, 'GET', undefined, 0) // true: the core sends it again on another connection
 */
export function mayResend(request: ClientRequest, method: string, body: unknown, resends: number): boolean {
  if (resends >= MAX_RESENDS || body instanceof ReadableStream) return false
  return IDEMPOTENT.has(method) || hasIdempotencyKey(request)
}

/**
 * Marks a transport error as having met a closed reused connection (see `isStaleConnection()`),
 * so health() does not count it against the server. `error` is the transport's own error object.
 *
 * @example
 * markStale(socketError) // isStaleConnection(new NetworkError(request, socketError)) === true
 */
export function markStale(error: unknown): void {
  if (typeof error === 'object' && error !== null) (error as Record<symbol, unknown>)[STALE_CONNECTION] = true
}
