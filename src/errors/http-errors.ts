// What an answer turns into: a status >= 400, a body that is not JSON or not the schema's, too many
// redirects, a body over maxResponseSize.
import type { StandardSchemaV1 } from '@standard-schema/spec'
import { bytes } from '../core/options.js'
import { STATUS_TEXT } from '../core/status.js'
import type { ClientRequest, ClientResponse } from '../core/types.js'
import { redactURL, scrubText } from '../redact/redact.js'
import { ClientError, hide, KIND, where } from './client-error.js'
import { certificateRefusal, type TLSFailureKind } from './tls-errors.js'

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
