// The error catalogue: every error fetchline throws, by one import. The base class is
// client-error.ts, what an answer turns into is http-errors.ts; here are the errors a client's own
// policy raises (time limits, closing, the breaker, the rate limit, pagination, OAuth2).
import type { ClientRequest } from '../core/types.js'
import { scrubText } from '../redact/redact.js'
import { ClientError, KIND, where } from './client-error.js'

export { ClientError, type ErrorCode, KIND, type RequestSummary, where } from './client-error.js'
export { HTTPError, MaxRedirectsError, MaxResponseSizeError, ParseError, ValidationError } from './http-errors.js'

/**
 * Which limit fired: one attempt's, the deadline across all attempts, or one of the pool's (the
 * client's undici Agent, on HTTP/1.1 and HTTP/2 alike, 300 s each by default): `'headers'`, its
 * `headersTimeout` (the wait for the answer's headers once the request is sent), or `'body'`, its
 * `bodyTimeout` (the wait between two chunks of a body), which is what bounds a streamed body
 * once the attempt's timeout has stopped at the headers.
 */
export type TimeoutLimit = 'attempt' | 'deadline' | 'headers' | 'body'

const LIMITS: Record<TimeoutLimit, string> = {
  attempt: 'the per-attempt timeout',
  deadline: 'the deadline',
  headers: "the pool's headersTimeout, waiting for the answer's headers",
  body: "the pool's bodyTimeout, between two chunks of the body",
}

/**
 * A time limit ran out before the answer was complete.
 *
 * @example
 * await client.get('/slow', { timeout: 2_000 }).catch((error) => {
 *   if (isTimeoutError(error)) console.warn(`gave up after ${error.timeout} ms (${error.limit})`)
 * })
 */
export class TimeoutError extends ClientError {
  override name = 'TimeoutError'
  static override readonly [KIND]: string = 'TimeoutError'
  /** The limit in milliseconds. */
  readonly timeout: number
  readonly limit: TimeoutLimit

  constructor(request: ClientRequest, timeout: number, limit: TimeoutLimit = 'attempt') {
    super(`${where(request)} timed out after ${timeout} ms (${LIMITS[limit]})`, { code: 'FL_ERR_TIMEOUT', request })
    this.timeout = timeout
    this.limit = limit
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), timeout: this.timeout, limit: this.limit }
  }
}

/**
 * The client was closed; requests after `close()` reject with this.
 *
 * @example
 * await client.close()
 * await client.get('/').catch((error) => isClientClosedError(error)) // true
 */
export class ClientClosedError extends ClientError {
  override name = 'ClientClosedError'
  static override readonly [KIND]: string = 'ClientClosedError'
  constructor(request?: ClientRequest) {
    const suffix = request ? ` (${where(request)})` : ''
    super(`The client is closed; create a new client to send more requests${suffix}`, {
      code: 'FL_ERR_CLOSED',
      request,
    })
  }
}

/**
 * The circuit breaker is open: the service failed too often, so the call was refused at once,
 * without touching the network. `retryAfter` says when a trial call will be let through.
 *
 * @example
 * catch (error) {
 *   if (isCircuitOpenError(error)) return cached ?? fallback
 * }
 */
export class CircuitOpenError extends ClientError {
  override name = 'CircuitOpenError'
  static override readonly [KIND]: string = 'CircuitOpenError'
  /**
   * Milliseconds to wait before calling again. While `open`: the time left until the breaker lets
   * a trial call through. While `half-open` with every trial slot taken: the cooldown — how long
   * the breaker stays open should the trial in flight fail (it closes sooner if the trial succeeds).
   */
  readonly retryAfter: number
  /** `open`: cooling down; `half-open`: trial calls are in flight and every slot is taken. */
  readonly state: 'open' | 'half-open'

  constructor(request: ClientRequest, retryAfter: number, state: 'open' | 'half-open' = 'open') {
    const why =
      state === 'open'
        ? `the circuit breaker is open after repeated failures; next trial in ${Math.ceil(retryAfter)} ms`
        : `the circuit breaker is half-open and its trial calls are in flight; should they fail, it stays open for ${Math.ceil(retryAfter)} ms`
    super(`${where(request)} refused: ${why}`, { code: 'FL_ERR_CIRCUIT_OPEN', request })
    this.retryAfter = retryAfter
    this.state = state
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), retryAfter: this.retryAfter, state: this.state }
  }
}

/**
 * A `rateLimit()` middleware refused the call: sending it now would go over the limit, and the
 * wait for a free slot would be longer than the call may wait (`maxWait`). Nothing was sent.
 *
 * @example
 * try { await sms.send(message) } catch (error) {
 *   if (isRateLimitError(error)) queue.later(message, error.retryAfter)
 * }
 */
export class RateLimitError extends ClientError {
  override name = 'RateLimitError'
  static override readonly [KIND]: string = 'RateLimitError'
  /** Milliseconds until a slot frees up. */
  readonly retryAfter: number
  /** The limit that refused it: `limit` calls per `interval` ms. */
  readonly limit: number
  readonly interval: number

  constructor(request: ClientRequest, retryAfter: number, limit: number, interval: number) {
    super(
      `${where(request)} not sent: over the rate limit of ${limit} per ${interval} ms; a slot frees in ${Math.ceil(retryAfter)} ms, longer than maxWait`,
      { code: 'FL_ERR_RATE_LIMITED', request },
    )
    this.retryAfter = retryAfter
    this.limit = limit
    this.interval = interval
  }
}

/**
 * Why {@link paginate} stopped with an error: a next page that was fetched already (`loop`), more
 * pages than `maxRequests` allows (`max-requests`), a page whose data is not a list and no `items`
 * to pick one (`not-a-list`), or a next page on another origin than the client's (`origin`).
 */
export type PaginationReason = 'loop' | 'max-requests' | 'not-a-list' | 'origin'

/**
 * `paginate()` stopped: the listing loops, runs past `maxRequests`, answers something that is not
 * a list, or points to another origin. `request` is the page that led there; every URL in the
 * message is redacted.
 *
 * @example
 * catch (error) {
 *   if (isPaginationError(error) && error.reason === 'loop') console.warn(error.message)
 * }
 */
export class PaginationError extends ClientError {
  override name = 'PaginationError'
  static override readonly [KIND]: string = 'PaginationError'
  readonly reason: PaginationReason

  constructor(request: ClientRequest, reason: PaginationReason, why: string) {
    super(`${where(request)}: ${scrubText(why, request.redaction)}`, { code: 'FL_ERR_PAGINATION', request })
    this.reason = reason
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason }
  }
}

/**
 * A token endpoint refused the client-credentials grant (RFC 6749 §5.2: `invalid_client`,
 * `invalid_grant`, `invalid_scope`, `unauthorized_client`, …), or answered something that is no
 * usable token (`invalid_token_response`, `unsupported_token_type`). Not retried: asking again
 * with the same credentials gets the same answer. Neither the message nor any property holds the
 * client secret or a token; the endpoint's own `error_description` is shown with the secret cut out.
 *
 * @example
 * catch (error) {
 *   if (isOAuth2Error(error) && error.error === 'invalid_client') alert('rotate the client secret')
 * }
 */
export class OAuth2Error extends ClientError {
  override name = 'OAuth2Error'
  static override readonly [KIND]: string = 'OAuth2Error'
  /** The RFC 6749 §5.2 error code (`invalid_client`, …), or ours for an unusable answer. */
  readonly error: string
  /** The endpoint's `error_description`, if any (secrets cut out). */
  readonly description: string | undefined
  /** The token endpoint's HTTP status. */
  readonly status: number

  constructor(request: ClientRequest, status: number, error: string, description?: string) {
    const why = description ? `${error} (${description})` : error
    super(scrubText(`${where(request)} answered ${status}: the token request failed: ${why}`, request.redaction), {
      code: 'FL_ERR_OAUTH2',
      request,
    })
    this.error = error
    this.description = description
    this.status = status
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), error: this.error, description: this.description, status: this.status }
  }
}
