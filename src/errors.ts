import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { HttpVerb, OperationError, OperationOf, PathsWith, WithPaths } from './openapi.js'
import { redactURL, scrubText } from './redact.js'
import { scrubError } from './render.js'
import { baseOf, joinPath } from './request.js'
import { bytes } from './response-size.js'
import { STATUS_TEXT } from './status.js'
import { causes, certificateRefusal, findTLSFailure, isRefusedStream, type TLSFailureKind } from './tls-errors.js'
import type { ClientRequest, ClientResponse } from './types.js'

// Guards compare this registered symbol, not classes, so they work across two installed copies.
const KIND = Symbol.for('fetchline.error.kind')

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

function where(request: ClientRequest): string {
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

// Errors that prove the request never left this process: no connection was made.
const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NODATA',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
])

/**
 * The request failed below HTTP: refused, reset, DNS, TLS, a socket closed mid-answer.
 *
 * @example
 * catch (error) {
 *   if (isNetworkError(error) && error.neverSent) // safe to send again, even a POST
 * }
 */
export class NetworkError extends ClientError {
  override name = 'NetworkError'
  static override readonly [KIND]: string = 'NetworkError'
  /** The system or undici code: `ECONNREFUSED`, `ECONNRESET`, `ENOTFOUND`, `UND_ERR_SOCKET`, … */
  readonly systemCode: string | undefined
  /**
   * `true` when the failure proves the request never reached the server (refused, DNS, connect
   * timeout, TLS, an HTTP/2 stream the server refused before processing it): sending it again is
   * safe for every method.
   */
  readonly neverSent: boolean
  /**
   * Set when TLS failed over a certificate: `'certificate'`, this side did not accept the
   * server's (untrusted CA, expired, wrong host); `'refused'`, the server refused the handshake
   * over ours (none sent, or one it does not trust). Retrying does not heal either, so `retry()`
   * does not retry them.
   */
  readonly tlsFailure: TLSFailureKind | undefined
  /**
   * The status a forward proxy refused the CONNECT (or the request) with, e.g. 407 when its
   * credentials are wrong: `retry()` does not retry a 407, which only repeats the refusal.
   */
  readonly proxyStatus: number | undefined

  constructor(request: ClientRequest, cause: unknown) {
    const tls = findTLSFailure(cause)
    const systemCode = tls?.code ?? findSystemCode(cause)
    const refused = proxyRefusal(cause)
    const reason = tls ? scrubText(tls.reason, request.redaction) : (refused?.reason ?? findMessage(cause, request))
    super(`${where(request)} failed: ${reason}${systemCode ? ` (${systemCode})` : ''}`, {
      code: 'FL_ERR_NETWORK',
      request,
      // The cause chain is handed out too: a custom fetch's error may name the raw URL.
      cause: scrubError(cause, request.redaction),
    })
    this.systemCode = systemCode
    this.tlsFailure = tls?.kind
    this.proxyStatus = refused?.status
    // A proxy that refused the CONNECT (or the request) never passed it on to the origin.
    this.neverSent =
      tls !== undefined || refused !== undefined || (systemCode !== undefined && NEVER_SENT.has(systemCode)) || isRefusedStream(cause)
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      systemCode: this.systemCode,
      neverSent: this.neverSent,
      tlsFailure: this.tlsFailure,
      proxyStatus: this.proxyStatus,
    }
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
 * Also a call's own `params` value refused before anything was sent (`.`, `..`, a `../` segment,
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

function findSystemCode(error: unknown): string | undefined {
  for (const e of causes(error)) if (typeof e.code === 'string') return e.code
  return undefined
}

// What undici's proxy agents fail with when the proxy refuses: the CONNECT of a tunnel
// (lib/dispatcher/proxy-agent.js), or a plain-HTTP request sent to it in absolute form.
const TUNNEL_REFUSED = /^Proxy response \((\d{3})\) !== 200 when HTTP Tunneling$/
const REQUEST_REFUSED = /^Proxy Authentication Required \((407)\)$/

/** The refusal of a forward proxy, said plainly (undici's words name neither side), or `undefined`. */
function proxyRefusal(error: unknown): { reason: string; status: number } | undefined {
  for (const e of causes(error)) {
    const message = e.message
    if (typeof message !== 'string') continue
    const match = TUNNEL_REFUSED.exec(message) ?? REQUEST_REFUSED.exec(message)
    if (!match) continue
    const status = Number(match[1])
    const what = match.input.startsWith('Proxy response') ? 'the CONNECT' : 'the request'
    const hint = status === 407 ? ': check the proxy credentials (user:password in the proxy URL)' : ''
    return { reason: `the proxy refused ${what} with ${status} ${STATUS_TEXT[status] ?? 'Unknown Status'}${hint}`, status }
  }
  return undefined
}

function findMessage(error: unknown, request: ClientRequest): string {
  // fetch wraps the real reason: TypeError('fetch failed', { cause }). Show the innermost one.
  let e = error as { message?: unknown; cause?: unknown } | undefined
  while (e?.cause && typeof e.cause === 'object') e = e.cause as typeof e
  const text = typeof e?.message === 'string' && e.message ? e.message : String(error)
  // A custom fetch may name the URL in its message: never let its secrets through.
  return scrubText(text, request.redaction)
}

function hasBrand(error: unknown, kind: string): boolean {
  if (typeof error !== 'object' || error === null) return false
  for (let proto = Object.getPrototypeOf(error); proto; proto = Object.getPrototypeOf(proto)) {
    if ((proto.constructor as { [KIND]?: unknown } | undefined)?.[KIND] === kind) return true
  }
  return false
}

/**
 * Whether `error` is a fetchline error, also from another installed copy of fetchline.
 *
 * @example
 * if (isClientError(error)) console.warn(error.code, error.request?.url)
 */
export const isClientError = (error: unknown): error is ClientError => hasBrand(error, 'ClientError')
/**
 * Whether `error` is an {@link HTTPError}, also from another installed copy of fetchline.
 *
 * @example
 * if (isHTTPError(error)) console.warn(error.code, error.request?.url)
 */
export function isHTTPError(error: unknown): error is HTTPError
/**
 * Whether `error` is an {@link HTTPError} answering a call to `path` with `method` (checked at run
 * time: the method, and the path template the call was made with), typed as the OpenAPI document
 * of `client` declares that operation's error answers: `status` and `data` narrow together.
 *
 * @example
 * try {
 *   await github.post('/repos/{owner}/{repo}/issues', { params, json: { title } })
 * } catch (error) {
 *   if (isHTTPError(error, github, 'post', '/repos/{owner}/{repo}/issues') && error.status === 422) console.warn(error.data.errors)
 *   else throw error
 * }
 */
export function isHTTPError<Paths, M extends HttpVerb, P extends PathsWith<Paths, M>>(
  error: unknown,
  client: WithPaths<Paths>,
  method: M,
  path: P,
): error is OperationError<OperationOf<Paths, P, M>>
export function isHTTPError(error: unknown, client?: unknown, method?: string, path?: unknown): boolean {
  if (!hasBrand(error, 'HTTPError')) return false
  if (method === undefined) return true
  const request = (error as HTTPError).response?.request
  if (request === undefined || typeof method !== 'string' || request.method !== method.toUpperCase() || typeof path !== 'string') {
    return false
  }
  // A call with `params` keeps its template as `route`; one without has the path itself in its URL.
  // A template never matches a URL without a route: `/pet/findByStatus` is not `/pet/{petId}`.
  return request.route !== undefined ? request.route === path : !path.includes('{') && answersPath(request.url, path, client)
}

/**
 * Whether `url` is `path` under the client's baseURL, joined as the client joins them. An
 * operation's client has no baseURL: then the URL's path ends with `path`.
 */
function answersPath(url: URL, path: string, client: unknown): boolean {
  const baseURL = (client as { baseURL?: unknown } | null | undefined)?.baseURL
  if (!(baseURL instanceof URL)) return url.pathname.endsWith(path)
  try {
    return new URL(joinPath(baseOf(baseURL), path)).pathname === url.pathname
  } catch {
    return false
  }
}
/**
 * Whether `error` is a {@link TimeoutError}, also from another installed copy of fetchline.
 *
 * @example
 * if (isTimeoutError(error)) console.warn(error.code, error.request?.url)
 */
export const isTimeoutError = (error: unknown): error is TimeoutError => hasBrand(error, 'TimeoutError')
/**
 * Whether `error` is a {@link NetworkError}, also from another installed copy of fetchline.
 *
 * @example
 * if (isNetworkError(error)) console.warn(error.code, error.request?.url)
 */
export const isNetworkError = (error: unknown): error is NetworkError => hasBrand(error, 'NetworkError')
/**
 * Whether `error` is a {@link ClientClosedError}, also from another installed copy.
 *
 * @example
 * if (isClientClosedError(error)) console.warn(error.code, error.request?.url)
 */
export const isClientClosedError = (error: unknown): error is ClientClosedError => hasBrand(error, 'ClientClosedError')
/**
 * Whether `error` is a {@link CircuitOpenError}, also from another installed copy.
 *
 * @example
 * if (isCircuitOpenError(error)) console.warn(error.code, error.request?.url)
 */
export const isCircuitOpenError = (error: unknown): error is CircuitOpenError => hasBrand(error, 'CircuitOpenError')
/**
 * Whether `error` is a {@link RateLimitError}, also from another installed copy.
 *
 * @example
 * if (isRateLimitError(error)) console.warn(`over the limit; retry in ${error.retryAfter} ms`)
 */
export const isRateLimitError = (error: unknown): error is RateLimitError => hasBrand(error, 'RateLimitError')
/**
 * Whether `error` is a {@link ParseError}, also from another installed copy.
 *
 * @example
 * if (isParseError(error)) console.warn(error.code, error.request?.url)
 */
export const isParseError = (error: unknown): error is ParseError => hasBrand(error, 'ParseError')
/**
 * Whether `error` is a {@link ValidationError}, also from another installed copy.
 *
 * @example
 * if (isValidationError(error)) console.warn(error.code, error.request?.url)
 */
export const isValidationError = (error: unknown): error is ValidationError => hasBrand(error, 'ValidationError')
/**
 * Whether `error` is a {@link PaginationError}, also from another installed copy.
 *
 * @example
 * if (isPaginationError(error)) console.warn(error.reason, error.request?.url)
 */
export const isPaginationError = (error: unknown): error is PaginationError => hasBrand(error, 'PaginationError')
/**
 * Whether `error` is a {@link MaxRedirectsError}, also from another installed copy.
 *
 * @example
 * if (isMaxRedirectsError(error)) console.warn(`stopped after ${error.limit} redirects, at ${error.location}`)
 */
export const isMaxRedirectsError = (error: unknown): error is MaxRedirectsError => hasBrand(error, 'MaxRedirectsError')
/**
 * Whether `error` is a {@link MaxResponseSizeError}, also from another installed copy.
 *
 * @example
 * if (isMaxResponseSizeError(error)) console.warn(`answer over ${error.limit} bytes, from ${error.request?.url}`)
 */
export const isMaxResponseSizeError = (error: unknown): error is MaxResponseSizeError => hasBrand(error, 'MaxResponseSizeError')
/**
 * Whether `error` is an {@link OAuth2Error}, also from another installed copy.
 *
 * @example
 * if (isOAuth2Error(error) && error.error === 'invalid_client') console.error('check the client id and secret')
 */
export const isOAuth2Error = (error: unknown): error is OAuth2Error => hasBrand(error, 'OAuth2Error')
