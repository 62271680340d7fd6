// The `is*` guards: whether a value is one of fetchline's errors, also one thrown by another
// installed copy of fetchline (they compare a registered symbol, not classes), and for HTTPError,
// whether it answers one operation of a typed client.
import type {
  CircuitOpenError,
  ClientClosedError,
  ClientError,
  HTTPError,
  MaxRedirectsError,
  MaxResponseSizeError,
  OAuth2Error,
  PaginationError,
  ParseError,
  RateLimitError,
  TimeoutError,
  ValidationError,
} from '../errors/errors.js'
import { KIND } from '../errors/errors.js'
import type { NetworkError } from '../errors/network-error.js'
import type { SignatureError } from '../errors/signature-error.js'
import { baseOf, joinPath } from '../request/request.js'
import type { HttpVerb, OperationError, OperationOf, PathsWith, WithPaths } from './openapi.js'

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
/**
 * Whether `error` is a {@link SignatureError} (a signed answer or callback failed verification),
 * also from another installed copy.
 *
 * @example
 * if (isSignatureError(error)) console.error(error.reason, error.serial)
 */
export const isSignatureError = (error: unknown): error is SignatureError => hasBrand(error, 'SignatureError')
