// The base of fetchline's errors: ClientError, its stable codes, and how an error names its request.
// The catalogue is errors.ts; the classes live in http-errors.ts (what an answer turns into) and
// errors.ts (what a client's own policy refuses).
import type { ClientRequest } from '../core/types.js'
import { redactURL } from '../redact/redact.js'

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
  | 'FL_ERR_SIGNATURE'
  | (string & {})

type ErrorInit = { code: ErrorCode; request?: ClientRequest | undefined; cause?: unknown }

function summarize(request: ClientRequest | undefined): RequestSummary | undefined {
  return request && { method: request.method, url: redactURL(request.url, request.redaction) }
}

export function hide(target: object, key: string, value: unknown): void {
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
