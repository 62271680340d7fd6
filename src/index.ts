export { type Client, type ClientOptions, createClient } from './client.js'
export type { FetchFunction } from './cores/fetch.js'
export {
  ClientClosedError,
  ClientError,
  type ErrorCode,
  HTTPError,
  isClientClosedError,
  isClientError,
  isHTTPError,
  isNetworkError,
  isTimeoutError,
  NetworkError,
  ParseError,
  type RequestSummary,
  TimeoutError,
  type TimeoutLimit,
} from './errors.js'
export type { HealthOptions, HealthReport } from './health.js'
export { isSecretHeader, isSecretQueryParam, REDACTED, type RedactionRules, redactHeaders, redactURL } from './redact.js'
export { type Closable, createRegistry, type Registry } from './registry.js'
export type {
  ClientRequest,
  ClientResponse,
  Core,
  HeadersInput,
  HttpMethod,
  Middleware,
  Next,
  Query,
  QueryValue,
  RawBody,
  RequestBody,
  RequestOptions,
  ResponseType,
} from './types.js'
