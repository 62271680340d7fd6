// The caches under test, each as the fetch function the suite's runner calls (it calls the global
// `fetch`; worker.ts installs one of these). Every test gets a cache of its own, made on its first
// request (the runner sends a `Test-ID` header); the runner's own calls (PUT /config, GET /state)
// carry none and go straight to the server through undici's plain fetch.
import { Agent, cacheStores, type Dispatcher, interceptors, fetch as undiciFetch } from 'undici'
import type { ClientResponse } from '../../src/index.js'

export const TARGETS = ['undici', 'fetchline-fetch', 'fetchline-undici'] as const
export type Target = (typeof TARGETS)[number]

/** What the runner passes: a WHATWG init whose headers are `[name, value]` pairs. */
export type SuiteInit = RequestInit & { dispatcher?: Dispatcher }
export type SuiteFetch = (input: string | URL, init?: SuiteInit) => Promise<Response>
export type Installed = { readonly fetch: SuiteFetch; close(): Promise<void> }

const plain: SuiteFetch = (input, init) => undiciFetch(input, init as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>

/** One cache per test id, made by `make`, closed by `close` at the end. */
function perTest<C>(
  make: () => C,
  send: (cache: C, input: string | URL, init: SuiteInit) => Promise<Response>,
  close: (cache: C) => unknown,
) {
  const caches = new Map<string, C>()
  const fetch: SuiteFetch = (input, init = {}) => {
    const id = new Headers(init.headers).get('test-id')
    if (id === null) return plain(input, init)
    let cache = caches.get(id)
    if (cache === undefined) caches.set(id, (cache = make()))
    return send(cache, input, init)
  }
  return { fetch, close: async () => void (await Promise.allSettled([...caches.values()].map(close))) }
}

/**
 * undici 7's cache interceptor, as undici runs this suite (test/cache-interceptor/cache-tests*.mjs):
 * its fetch over an Agent composed with `interceptors.cache`, a private cache in memory, caching
 * GET and HEAD (undici's own run of the suite sets those methods; its default is GET only).
 */
function undiciTarget(): Installed {
  return perTest(
    () => {
      const agent = new Agent()
      const store = new cacheStores.MemoryCacheStore()
      return { agent, cached: agent.compose(interceptors.cache({ store, type: 'private', methods: ['GET', 'HEAD'] })) }
    },
    // A runner-set dispatcher (only for interim responses, not applicable here) would bypass the cache.
    (cache, input, init) => plain(input, { ...init, dispatcher: init.dispatcher ?? cache.cached }),
    (cache) => cache.agent.close(),
  )
}

type Cached = ClientResponse & { readonly cache?: 'hit' | 'miss' | 'revalidated' | 'stale' }

/** fetchline's `cache()` on one core. Loaded lazily: worker.ts first points `#transport` at src/. */
async function fetchlineTarget(core: 'fetch' | 'undici', origin: string): Promise<Installed> {
  const { createClient } = await import('../../src/index.js')
  const { cache } = await import('../../middleware/cache.js')
  return perTest(
    () => createClient({ baseURL: origin, core, middleware: [cache()], throwHttpErrors: false }),
    async (client, input, init) => {
      const method = init.method ?? 'GET'
      const options: Parameters<typeof client.request>[2] = { headers: requestHeaders(init), responseType: 'text' }
      if (typeof init.body === 'string') options.body = init.body
      if (init.signal) options.signal = init.signal
      try {
        return toResponse((await client.request(method, String(input), options)) as Cached, method)
      } catch (error) {
        throw new TypeError('fetch failed', { cause: error }) // as fetch rejects, for the runner's message
      }
    },
    (client) => client.close(),
  )
}

/**
 * The request's headers, plus what fetch adds for a `cache` mode (Fetch §4.5 "HTTP-network-or-cache
 * fetch", steps the undici target's fetch takes too): the suite sets `cache: 'no-cache'` in two tests.
 */
function requestHeaders(init: SuiteInit): Headers {
  const headers = new Headers(init.headers)
  if (init.cache === 'no-cache' && !headers.has('cache-control')) headers.set('cache-control', 'max-age=0')
  if (init.cache === 'no-store' || init.cache === 'reload') {
    if (!headers.has('pragma')) headers.set('pragma', 'no-cache')
    if (!headers.has('cache-control')) headers.set('cache-control', 'no-cache')
  }
  return headers
}

const NULL_BODY = new Set([101, 103, 204, 205, 304])
const encoder = new TextEncoder()

/**
 * fetchline's answer as the WHATWG Response the suite checks: status, headers, body text. The
 * suite's server answers 999 when it expected a conditional request; Response refuses statuses
 * outside 200–599, so such a status is set on the object after construction.
 */
function toResponse(res: Cached, method: string): Response {
  const text = typeof res.data === 'string' && method !== 'HEAD' && !NULL_BODY.has(res.status) ? res.data : null
  const fits = res.status >= 200 && res.status <= 599
  const response = new Response(text === null ? null : encoder.encode(text), { status: fits ? res.status : 200, headers: res.headers })
  if (!fits) Object.defineProperty(response, 'status', { value: res.status })
  Object.defineProperty(response, 'url', { value: res.url })
  return response
}

/** The fetch function for `target`, against the suite's server at `origin`. */
export function install(target: Target, origin: string): Promise<Installed> | Installed {
  if (target === 'undici') return undiciTarget()
  return fetchlineTarget(target === 'fetchline-fetch' ? 'fetch' : 'undici', origin)
}
