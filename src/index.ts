export { createClient } from './client.js'
export type { Call, Client, ClientOptions, OperationClient, SchemaOptions } from './client-types.js'
export type { FetchFunction } from './cores/fetch.js'
export {
  isCircuitOpenError,
  isClientClosedError,
  isClientError,
  isHTTPError,
  isMaxRedirectsError,
  isMaxResponseSizeError,
  isNetworkError,
  isOAuth2Error,
  isPaginationError,
  isParseError,
  isRateLimitError,
  isTimeoutError,
  isValidationError,
} from './error-guards.js'
export {
  CircuitOpenError,
  ClientClosedError,
  ClientError,
  type ErrorCode,
  HTTPError,
  MaxRedirectsError,
  MaxResponseSizeError,
  OAuth2Error,
  PaginationError,
  type PaginationReason,
  ParseError,
  RateLimitError,
  type RequestSummary,
  TimeoutError,
  type TimeoutLimit,
  ValidationError,
} from './errors.js'
export { type BreakerReport, HEALTH_REPORT, type HealthCheckOptions, type HealthReport } from './health.js'
export { NetworkError } from './network-error.js'
export type {
  ErrorData,
  ErrorOf,
  HttpVerb,
  OpenAPIClient,
  OpenAPIOperationClient,
  OperationError,
  OperationInput,
  OperationOf,
  PathsWith,
  RequestOptionsOf,
  ResponseData,
  SuccessData,
  TypedCall,
  TypedCallBase,
  TypedOptions,
  WithoutPaths,
  WithPaths,
} from './openapi.js'
export { type NextPage, type Pageable, type PageContext, type PaginateOptions, paginate } from './paginate.js'
export type { ParamScalar, ParamValue } from './params.js'
export { isSecretHeader, isSecretQueryParam, REDACTED, type RedactionRules, redactHeaders, redactURL } from './redact.js'
export { type Closable, createRegistry, type Registry } from './registry.js'
export { type BreakerStore, createMemoryRateLimitStore, type RateLimitStore, type RatePlan, type Reservation } from './stores.js'
export {
  createMemoryTokenStore,
  createTokenCache,
  type IssuedToken,
  type TokenCache,
  type TokenCacheOptions,
  type TokenStore,
} from './token-cache.js'
export type {
  ClientRequest,
  ClientResponse,
  Core,
  FormFields,
  HeadersInput,
  HttpMethod,
  Middleware,
  Next,
  Query,
  QueryFormat,
  QueryParam,
  QueryValue,
  RawBody,
  RequestBody,
  RequestOptions,
  ResponseType,
} from './types.js'
export type { WarmupFailure, WarmupOptions, WarmupReport } from './warmup.js'
