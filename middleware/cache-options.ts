// cache()'s checks of what it is given: the store, and whether a failure may be answered stale.
import { isNetworkError, isTimeoutError } from '../src/client/error-guards.js'
import type { ClientRequest, ClientResponse } from '../src/core/types.js'
import { createMemoryCacheStore } from '../src/features/cache-memory.js'
import type { Verdict } from '../src/features/cache-policy.js'
import type { CacheStore } from '../src/features/cache-store.js'

const METHODS = ['get', 'set', 'invalidate', 'lock'] as const

/** The store given, checked, or the default memory store. */
export function storeOf(store: CacheStore | undefined): CacheStore {
  if (store === undefined) return createMemoryCacheStore()
  const missing = METHODS.filter((name) => typeof (store as Partial<CacheStore> | null)?.[name] !== 'function')
  if (missing.length > 0 || typeof store.shared !== 'boolean') {
    throw new TypeError(
      `cache: options.store must be a CacheStore (createMemoryCacheStore(), createRedisCacheStore({ redis })); it lacks ${missing.length ? missing.join(', ') : 'shared'}`,
    )
  }
  return store
}

/**
 * Whether a failure of the origin may be answered with the stale entry (RFC 5861 `stale-if-error`,
 * in the response or the request, within its window): a 5xx answer, or no answer at all — a
 * network failure or a timeout. Never the caller's own abort, never past `must-revalidate`.
 */
export function isStaleIfError(failure: unknown, request: ClientRequest, verdict: Verdict): boolean {
  if (verdict.ifError < 0 || verdict.staleness > verdict.ifError || request.signal?.aborted) return false
  if (typeof failure === 'object' && failure !== null && 'status' in failure && 'request' in failure && 'ok' in failure) {
    return (failure as ClientResponse).status >= 500
  }
  return isNetworkError(failure) || isTimeoutError(failure)
}
