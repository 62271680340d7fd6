export { createClient } from './client/client.js'
export type { Call, Client, ClientOptions, OperationClient, SchemaOptions } from './client/client-types.js'
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
  isSignatureError,
  isTimeoutError,
  isValidationError,
} from './client/error-guards.js'
export { type BreakerReport, HEALTH_REPORT, type HealthCheckOptions, type HealthReport } from './client/health.js'
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
} from './client/openapi.js'
export { type Closable, createRegistry, type Registry } from './client/registry.js'
export type {
  CacheResult,
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
} from './core/types.js'
export type { WarmupFailure, WarmupOptions, WarmupReport } from './core/warmup.js'
export type { FetchFunction } from './cores/fetch.js'
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
} from './errors/errors.js'
export { NetworkError } from './errors/network-error.js'
export { SignatureError, type SignatureFailure } from './errors/signature-error.js'
export { type NextPage, type Pageable, type PageContext, type PaginateOptions, paginate } from './features/paginate.js'
export { type BreakerStore, createMemoryRateLimitStore, type RateLimitStore, type RatePlan, type Reservation } from './features/stores.js'
export {
  createMemoryTokenStore,
  createTokenCache,
  type IssuedToken,
  type TokenCache,
  type TokenCacheOptions,
  type TokenStore,
} from './features/token-cache.js'
export {
  createWebhookVerifier,
  type RawWebhookBody,
  signWebhook,
  type VerifiedWebhook,
  verifyWebhook,
  type WebhookVerifier,
  type WebhookVerifierOptions,
} from './features/webhook.js'
export { isSecretHeader, isSecretQueryParam, REDACTED, type RedactionRules, redactHeaders, redactURL } from './redact/redact.js'
export type { ParamScalar, ParamValue } from './request/params.js'
