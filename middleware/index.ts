export { type BearerOptions, bearer, type OAuth2Options, oauth2, type TokenHint } from './auth.js'
export {
  type CacheEntry,
  type CacheOptions,
  type CacheStore,
  cache,
  createMemoryCacheStore,
  type MemoryCacheStore,
  type MemoryCacheStoreOptions,
} from './cache.js'
export { type BreakerEvent, type HealthOptions, health } from './health.js'
export { type IdempotencyOptions, idempotency } from './idempotency.js'
export { defaultFailureLevel, isHandled, type LoggedFailure, type LogOptions, log } from './log.js'
export { type RateLimitOptions, rateLimit } from './rate-limit.js'
export { type RecommendedOptions, recommended } from './recommended.js'
export { type RedactOptions, redact } from './redact.js'
export { type RetryEvent, type RetryOptions, retry } from './retry.js'
export { createRetryBudget, type RetryBudget, type RetryBudgetOptions } from './retry-budget.js'
export { canRetry, delayFor, hasIdempotencyKey, type Outcome, parseRetryAfter, type RetryContext, shouldRetry } from './retry-policy.js'
export { type AwsCredentials, type SigV4Options, sigv4 } from './sign.js'
export { type TimeoutOptions, timeout } from './timeout.js'
export { DEFAULT_KNOWN_METHODS, errorType, type TraceOptions, trace } from './trace.js'
