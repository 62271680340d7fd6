import type { StandardSchemaV1 } from '@standard-schema/spec'
import { bytes } from '../core/options.js'
import { STATUS_TEXT } from '../core/status.js'
import type { ClientRequest, ClientResponse } from '../core/types.js'
import { redactURL, scrubText } from '../redact/redact.js'
import { certificateRefusal, type TLSFailureKind } from './tls-errors.js'

// Guards compare this registered symbol, not classes, so they work across two installed copies.
export const KIND = Symbol.for('fetchline.error.kind')

/** The request as an error shows it: method and a redacted URL, never headers or body. */
export type RequestSummary = { readonly method: string; readonly url: string }

/** Stable error codes, in undici's `UND_ERR_*` style. */
export type ErrorCode =
  | 'FL_ERR_HTTP'
  | 'FL_ERR_TIMEOUT'
  | 'FL_ERR_NETWORK'
  | 'FL_ERR_CLOSED'
  | 'FL_ERR_PARSE'
  | 'FL_ERR_VALIDATION'
  | 'FL_ERR_CIRCUIT_OPEN'
  | 'FL_ERR_RATE_LIMITED'
  | 'FL_ERR_PAGINATION'
  | 'FL_ERR_MAX_REDIRECTS'
  | 'FL_ERR_MAX_RESPONSE_SIZE'
  | 'FL_ERR_OAUTH2'
  | (string & {})

type ErrorInit = { code: ErrorCode; request?: ClientRequest | undefined; cause?: unknown }

function summarize(request: ClientRequest | undefined): RequestSummary | undefined {
  return request && { method: request.method, url: redactURL(request.url, request.redaction) }
}

function hide(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: false, writable: false, configurable: true })
}

/**
 * The base of every failure fetchline reports. Carries a stable `code`, the original `cause`, and
 * a redacted view of the request: no message, stack, `toJSON` or `util.inspect` of a fetchline
 * error shows a secret header or query value.
 *
 * @example
 * try { await client.get('/users/1') } catch (error) {
 *   if (isClientError(error)) console.error(error.code, error.request?.url)
 * }
 */
export class ClientError extends Error {
  override name = 'ClientError'
  /** A stable, machine-readable code such as `FL_ERR_HTTP`. */
  readonly code: ErrorCode
  /** Method and redacted URL of the failed request. */
  readonly request: RequestSummary | undefined

  constructor(message: string, init: ErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause })
    this.code = init.code
    this.request = summarize(init.request)
  }

  static readonly [KIND]: string = 'ClientError'

  /** A plain, redacted view for JSON logs. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, request: this.request }
  }
}

/** `METHOD url` of `request`, its secrets redacted: how every error message names the call. */
export function where(request: ClientRequest): string {
  return `${request.method} ${redactURL(request.url, request.redaction)}`
}

/**
 * The server answered with a status >= 400 (and `throwHttpErrors` was not turned off).
 *
 * @example
 * try { await client.get('/users/1') } catch (error) {
 *   if (isHTTPError(error) && error.status === 404) return undefined
 *   throw error
 * }
 */
export class HTTPError<T = unknown> extends ClientError {
  override name = 'HTTPError'
  static override readonly [KIND]: string = 'HTTPError'
  readonly status: number
  /** The whole response, body parsed. Not enumerable, so logging the error does not dump it. */
  declare readonly response: ClientResponse<T>

  /**
   * `'refused'` when the answer is a server refusing this client's TLS certificate after the
   * handshake (nginx's 400 "No required SSL certificate was sent" and "The SSL certificate
   * error", or statuses 495/496); the message then names the fix. `retry()` does not retry it.
   */
  readonly tlsFailure: TLSFailureKind | undefined

  constructor(response: ClientResponse<T>) {
    const text = STATUS_TEXT[response.status] ?? 'Unknown Status'
    const refusal = response.status < 500 ? certificateRefusal(response.status, response.data) : undefined
    super(`${where(response.request)} answered ${response.status} ${text}${refusal ? `: ${refusal.reason}` : ''}`, {
      code: 'FL_ERR_HTTP',
      request: response.request,
    })
    this.status = response.status
    this.tlsFailure = refusal?.kind
    hide(this, 'response', response)
  }

  /** The parsed body of the error response. */
  get data(): T {
    return this.response.data
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status, ...(this.tlsFailure ? { tlsFailure: this.tlsFailure } : undefined) }
  }
}

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
 * The body could not be read as asked: invalid JSON, most often an HTML error page. The body text
 * is kept on `body` (not enumerable, never in the message: it may hold a secret).
 *
 * @example
 * await client.get('/html-error-page').catch((error) => isParseError(error) && console.warn(error.status, error.contentType))
 */
export class ParseError extends ClientError {
  override name = 'ParseError'
  static override readonly [KIND]: string = 'ParseError'
  readonly status: number
  readonly contentType: string
  declare readonly body: string

  constructor(request: ClientRequest, status: number, contentType: string, body: string) {
    super(
      `${where(request)} answered ${status} with content-type ${contentType || '(none)'} and a body that is not valid JSON (${body.length} chars); pass responseType: 'text' to read it as text`,
      { code: 'FL_ERR_PARSE', request },
    )
    this.status = status
    this.contentType = contentType
    hide(this, 'body', body)
  }
}

/**
 * The response body did not match the call's `schema`: a vendor changed its answer, or answered
 * something else. `issues` are the schema library's; the body is on `data` (not enumerable).
 * Also a call's own `params` value refused before anything was sent (`.`, `..`, a `../../` segment,
 * empty: it would have sent the call to another path): then `status` is `undefined` and the one
 * issue's `path` is `['params', name]`.
 *
 * @example
 * catch (error) {
 *   if (isValidationError(error)) console.error(error.issues.map((i) => i.message))
 * }
 */
export class ValidationError extends ClientError {
  override name = 'ValidationError'
  static override readonly [KIND]: string = 'ValidationError'
  /** The answer's status; `undefined` when the call's `params` were refused and nothing was sent. */
  readonly status: number | undefined
  readonly issues: ReadonlyArray<StandardSchemaV1.Issue>
  declare readonly data: unknown

  /** `request` is the call's `METHOD /path/{template}` when its `params` were refused (`status` undefined). */
  constructor(request: ClientRequest | string, status: number | undefined, issues: ReadonlyArray<StandardSchemaV1.Issue>, data?: unknown) {
    const shown = issues
      .slice(0, 5)
      .map(
        (issue) =>
          `${issue.path?.length ? issue.path.map((p) => (typeof p === 'object' ? String(p.key) : String(p))).join('.') : '(root)'}: ${issue.message}`,
      )
      .join('; ')
    const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : ''
    super(
      typeof request === 'string'
        ? `${request} was not sent: ${shown}${more}`
        : scrubText(`${where(request)} answered ${status} with a body that does not match the schema: ${shown}${more}`, request.redaction),
      {
        code: 'FL_ERR_VALIDATION',
        request: typeof request === 'string' ? undefined : request,
      },
    )
    this.status = status
    this.issues = issues
    hide(this, 'data', data)
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status }
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
 * The server kept redirecting: the call was redirected `limit` times (the client's `maxRedirects`,
 * 20 by default, fetch's limit) and the answer redirected once more. `location` is where it
 * pointed, redacted as every URL fetchline shows. Not retried: a loop answers the same again.
 *
 * @example
 * catch (error) {
 *   if (isMaxRedirectsError(error)) console.error(`redirect loop past ${error.limit}, last to ${error.location}`)
 * }
 */
export class MaxRedirectsError extends ClientError {
  override name = 'MaxRedirectsError'
  static override readonly [KIND]: string = 'MaxRedirectsError'
  /** How many redirects the call followed: the client's `maxRedirects`. */
  readonly limit: number
  /** The status of the redirect not followed. */
  readonly status: number
  /** Where that redirect pointed, redacted. */
  readonly location: string

  constructor(request: ClientRequest, limit: number, status: number, location: URL) {
    const shown = redactURL(location, request.redaction)
    super(`${where(request)} was redirected ${limit} times, the limit (maxRedirects), and answered ${status} again, to ${shown}`, {
      code: 'FL_ERR_MAX_REDIRECTS',
      request,
    })
    this.limit = limit
    this.status = status
    this.location = shown
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), limit: this.limit, status: this.status, location: this.location }
  }
}

/**
 * The answer's body is larger than the call may read: more than `limit` bytes once its content
 * coding is undone (the client's or the call's `maxResponseSize`, 32 MiB by default) — a vendor
 * answering far more than asked, or a small gzip that inflates to gigabytes (a decompression
 * bomb). The read stopped as soon as the limit was passed, or before it began when `Content-Length`
 * already said so, and the connection was closed, not drained. Not retried: the same call gets the
 * same answer.
 *
 * @example
 * catch (error) {
 *   if (isMaxResponseSizeError(error)) console.error(`over ${error.limit} bytes after ${error.received}: raise maxResponseSize`)
 * }
 */
export class MaxResponseSizeError extends ClientError {
  override name = 'MaxResponseSizeError'
  static override readonly [KIND]: string = 'MaxResponseSizeError'
  /** The limit in bytes: the client's or the call's `maxResponseSize`. */
  readonly limit: number
  /** Bytes of the body read (decoded) when the read stopped; 0 when `Content-Length` said it first. */
  readonly received: number
  /** The answer's status. */
  readonly status: number

  constructor(request: ClientRequest, status: number, limit: number, received: number, declared?: number) {
    const stopped =
      declared === undefined ? `stopped after ${bytes(received)} decoded` : `its Content-Length says ${bytes(declared)}, so none was read`
    super(
      `${where(request)} answered ${status} with a body larger than maxResponseSize, ${bytes(limit)}: ${stopped}; raise maxResponseSize on the client or the call (Infinity: no limit), or read it with responseType: 'stream'`,
      { code: 'FL_ERR_MAX_RESPONSE_SIZE', request },
    )
    this.limit = limit
    this.received = received
    this.status = status
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), limit: this.limit, received: this.received, status: this.status }
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
