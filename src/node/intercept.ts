// msw (and nock 14: both run on @mswjs/interceptors) patches the global fetch; the cores that do
// not go through it must notice, or requests would slip past the test's handlers to the network.

import type { Core } from '../core/types.js'
import { createFetchCore } from '../cores/fetch.js'
import { redactURL } from '../redact/redact.js'
import { MAX_REDIRECTS } from '../request/redirect-policy.js'
import { MAX_RESPONSE_SIZE } from '../request/response-size.js'

// An applied fetch interceptor marks itself with this global while it listens; disposing it
// deletes the mark.
const FETCH_INTERCEPTOR = Symbol.for('fetch-interceptor')
const intercepted = (): boolean => (globalThis as { [FETCH_INTERCEPTOR]?: unknown })[FETCH_INTERCEPTOR] !== undefined

/**
 * The fetch core on the client's pool, except while msw listens: then the global fetch it patched
 * (looked up per call: listen() comes after clients are made at module load), so its handlers and
 * onUnhandledRequest see every request. Only msw's own mark switches: an APM agent that wraps
 * fetch leaves the client on its pool.
 */
export function throughInterceptor(direct: Core, maxRedirects = MAX_REDIRECTS, maxResponseSize = MAX_RESPONSE_SIZE): Core {
  let patched: Core | undefined
  return function fetchCore(request) {
    if (!intercepted()) return direct(request)
    patched ??= createFetchCore((input, init) => globalThis.fetch(input, init), undefined, { maxRedirects }, maxResponseSize)
    return patched(request)
  }
}

/** The undici core never goes through fetch: under msw, fail loudly rather than reach the network. */
export function refuseIntercepted(core: Core): Core {
  return function undiciCore(request) {
    if (!intercepted()) return core(request)
    return Promise.reject(
      new TypeError(
        `msw is active, but core: 'undici' does not go through fetch, so msw cannot see ${request.method} ${redactURL(request.url, request.redaction)} and it would reach the real network: in tests leave core unset (the fetch core goes through msw) or pass fetch`,
      ),
    )
  }
}
