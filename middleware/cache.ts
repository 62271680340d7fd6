import { Headers } from '../src/core/headers.js'
import { checkKeys, checkMs } from '../src/core/options.js'
import type { ClientRequest, ClientResponse, Middleware, Next } from '../src/core/types.js'
import { createHasher, credentials, splitURL } from '../src/features/cache-key.js'
import { isStorable, judge, parseCacheControl, retention, SAFE_METHODS, type Verdict } from '../src/features/cache-policy.js'
import type { CacheEntry, CacheStore } from '../src/features/cache-store.js'
import { sleep } from '../src/request/signal.js'
import { answer, refreshed, storableHeaders, storedHeaders, varyMatches, varyOf } from './cache-answer.js'
import { isStaleIfError, storeOf } from './cache-options.js'

export { createMemoryCacheStore, type MemoryCacheStore, type MemoryCacheStoreOptions } from '../src/features/cache-memory.js'
export type { CacheEntry, CacheStore } from '../src/features/cache-store.js'

/**
 * Options of {@link cache}.
 *
 * @example
 * cache({ store: createRedisCacheStore({ redis }), key: process.env.CACHE_KEY, defaultTtl: { '/rate_limit': 0, '/meta': 60_000 } })
 */
export type CacheOptions = {
  /** Where answers are kept. @default createMemoryCacheStore() (32 MiB, 10,000 variants) */
  store?: CacheStore
  /**
   * The deployment's secret for the keyed hashes (HMAC-SHA-256) that name resources and
   * credential identities in the store. Required with a shared store (Redis), the same in every
   * process; a random one per `cache()` for the memory store.
   */
  key?: string | Uint8Array
  /**
   * Who is calling, when the credential alone does not say it: a tenant id, a merchant id. By
   * default the identity is every secret header value (`Authorization`, cookies, API keys, as the
   * client's redaction rules say) and secret query value (`access_token`, …) of the request.
   */
  identity?: (request: ClientRequest) => string | undefined
  /**
   * Freshness, in ms, for answers that carry none (no `max-age`, no `Expires`): one for all, one
   * per route (`request.route`, else the path), or a function. Opt-in: without it the RFC's
   * heuristic applies (10% of the time since `Last-Modified`). `no-store`, `no-cache` still rule.
   */
  defaultTtl?: number | Readonly<Record<string, number>> | ((request: ClientRequest) => number | undefined)
  /** How long a stale answer with an `ETag` or `Last-Modified` is kept to revalidate with (304s). @default 3_600_000 */
  keepStale?: number
  /** How long one caller may hold a resource's fetch (fleet-wide with a shared store). @default 5_000 */
  lockTtl?: number
  /** How often a caller that waits for another's fetch looks at the store. @default 25 */
  pollInterval?: number
}

const KNOWN = ['store', 'key', 'identity', 'defaultTtl', 'keepStale', 'lockTtl', 'pollInterval']
/** Request headers that make a call the caller's own business: it passes through unchanged. */
const OWN = ['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range', 'range']
const EMPTY = new Uint8Array(0)

/**
 * An HTTP cache for a service client (RFC 9111, a private cache: one credential identity's
 * answers, shared by every process of the fleet with a Redis store). A fresh answer is served
 * without a request (`response.cache === 'hit'`); a stale one with a validator is revalidated
 * (`If-None-Match`, `If-Modified-Since`) and a 304 comes back as the stored body and status,
 * headers refreshed (`'revalidated'`); `stale-while-revalidate` and `stale-if-error` (5xx and
 * connection failures) serve it `'stale'`. Concurrent misses of one resource by one identity make
 * one request (fleet-wide with a shared store). Unsafe methods that succeed drop every identity's
 * copy of their URL, `Location` and `Content-Location`. Nothing stored is a secret: keys and
 * identities are keyed hashes, secret headers are not stored. Only GET is cached; a call with a
 * body, `responseType: 'stream'`, or its own conditional or `Range` headers passes through. Put
 * it last, inside `trace()` and `log()`, so that their span and line say what it did.
 *
 * @example
 * const github = createClient({ baseURL: 'https://api.github.com', headers: { authorization: `Bearer ${token}` },
 *   middleware: [...recommended(), cache()] })
 * const { data, cache: how } = await github.get('/repos/{owner}/{repo}', { params: { owner, repo } }) // how: 'hit' | …
 */
export function cache(options: CacheOptions = {}): Middleware {
  checkKeys('cache', options, KNOWN)
  const store = storeOf(options.store)
  if (store.shared && options.key === undefined) {
    throw new TypeError(
      'cache: a shared store needs options.key, a secret of the deployment (the same in every process, e.g. process.env.FETCHLINE_CACHE_KEY): keys and identities are hashed with it',
    )
  }
  if (options.key !== undefined && !(typeof options.key === 'string' ? options.key.length >= 16 : options.key?.byteLength >= 16)) {
    throw new TypeError('cache: options.key must be a string or bytes of at least 16, a secret of the deployment')
  }
  if (options.identity !== undefined && typeof options.identity !== 'function')
    throw new TypeError('cache: options.identity must be a function')
  const hash = createHasher(options.key)
  const ttlOf = fallbackTtl(options.defaultTtl)
  const keep = checkMs('cache: keepStale', options.keepStale ?? 3_600_000)
  const lockTtl = checkMs('cache: lockTtl', options.lockTtl ?? 5_000, false)
  const poll = checkMs('cache: pollInterval', options.pollInterval ?? 25, false)
  const inflight = new Map<string, Promise<unknown>>()
  const quietly = <T>(work: Promise<T>, fallback: T): Promise<T> => work.catch(() => fallback)

  async function invalidating(request: ClientRequest, next: Next): Promise<ClientResponse> {
    const response = await next(request)
    if (response.status >= 200 && response.status < 400) {
      const targets = [request.url.href, response.headers.get('location'), response.headers.get('content-location')]
      for (const target of targets) {
        if (!target) continue
        const url = URL.parse(target, request.url)
        if (url?.origin !== request.url.origin) continue
        await quietly(store.invalidate(await hash(`GET ${splitURL({ ...request, url }).resource}`)), undefined)
      }
    }
    return response
  }

  return async function cache(request, next) {
    if (!SAFE_METHODS.has(request.method)) return invalidating(request, next)
    if (request.method !== 'GET' || request.body !== undefined || request.responseType === 'stream') return next(request)
    for (const name of OWN) if (request.headers.has(name)) return next(request)
    const { resource, secrets } = splitURL(request)
    const key = await hash(`GET ${resource}`)
    const field = await hash(`identity\n${options.identity?.(request) ?? credentials(request, secrets)}`)
    const asked = parseCacheControl(request.headers.get('cache-control'))
    if (asked.has('no-store')) return next(request) // §5.2.1.5: nothing of this exchange is stored or reused
    const pragma = /no-cache/i.test(request.headers.get('pragma') ?? '')
    const ttl = ttlOf(request)
    const id = `${key}:${field}`

    /** This identity's variants, and the one that fits this request with its verdict. */
    async function lookup(): Promise<{ all: readonly CacheEntry[]; entry?: CacheEntry; verdict?: Verdict }> {
      const all = (await quietly(store.get(key, field), undefined)) ?? []
      for (const entry of all) {
        if (await varyMatches(entry, request, hash)) return { all, entry, verdict: judge(entry, asked, pragma, ttl, Date.now()) }
      }
      return { all }
    }

    const serve = (entry: CacheEntry, verdict: Verdict, how: 'hit' | 'stale') =>
      answer(request, entry.status, storedHeaders(entry, verdict.age), request.url.href, entry.body, how)

    /** Asks the origin (conditionally when there is an entry), stores what it may, answers. */
    async function fetchFromOrigin(sent: ClientRequest, found: Awaited<ReturnType<typeof lookup>>): Promise<ClientResponse> {
      const { entry, verdict } = found
      let inner: ClientRequest = { ...sent, responseType: 'arrayBuffer', throwHttpErrors: false }
      if (entry) {
        const headers = new Headers(sent.headers)
        const etag = entry.headers.find(([name]) => name === 'etag')?.[1]
        const modified = entry.headers.find(([name]) => name === 'last-modified')?.[1]
        if (etag) headers.set('if-none-match', etag)
        if (modified) headers.set('if-modified-since', modified)
        if (etag || modified) inner = { ...inner, headers }
      }
      const requestTime = Date.now()
      let response: ClientResponse
      try {
        response = await next(inner)
      } catch (error) {
        if (entry && verdict && isStaleIfError(error, sent, verdict)) return serve(entry, verdict, 'stale')
        throw error
      }
      const responseTime = Date.now()
      // A 304 to our conditional is about the entry we named (we send one validator): refresh it,
      // its ETag too when the 304 brings a new one (cache-tests 304-etag-update-response-ETag).
      if (response.status === 304 && entry && inner.headers !== sent.headers) {
        const updated = refreshed(entry, response.headers, request, requestTime, responseTime)
        await save(found.all, entry, updated)
        return answer(request, updated.status, storedHeaders(updated, 0), request.url.href, updated.body, 'revalidated')
      }
      if (entry && verdict && [500, 502, 503, 504].includes(response.status) && isStaleIfError(response, sent, verdict)) {
        return serve(entry, verdict, 'stale')
      }
      const body = response.data instanceof ArrayBuffer ? new Uint8Array(response.data) : EMPTY
      const cc = parseCacheControl(response.headers.get('cache-control'))
      if (isStorable(response.status, response.headers, asked, ttl)) {
        const stored: CacheEntry = {
          status: response.status,
          headers: storableHeaders(response.headers, request),
          body,
          requestTime,
          responseTime,
          vary: await varyOf(request, response.headers, hash),
        }
        await save(found.all, entry, stored)
      } else if (entry && (cc.has('no-store') || response.status === 200)) {
        await save(found.all, entry, undefined)
      }
      return answer(request, response.status, response.headers, response.url, body, 'miss')
    }

    /** Replaces `old` (or the variant with the same Vary values) by `fresh` among this identity's variants. */
    async function save(all: readonly CacheEntry[], old: CacheEntry | undefined, fresh: CacheEntry | undefined): Promise<void> {
      const others = all.filter((e) => e !== old && (!fresh || JSON.stringify(e.vary) !== JSON.stringify(fresh.vary))).slice(-7)
      const kept = fresh ? [...others, fresh] : others
      const life = Math.max(0, ...kept.map((e) => retention(e, ttl, keep) - (Date.now() - e.responseTime)))
      if (kept.length === 0 || life <= 0) return quietly(store.set(key, field, [], 0), undefined)
      return quietly(store.set(key, field, kept, Math.ceil(life)), undefined)
    }

    /** A fresh entry someone else just stored, served as a hit. */
    async function again(): Promise<ClientResponse | undefined> {
      const found = await lookup()
      if (found.entry && found.verdict && found.verdict.use !== 'revalidate') return serve(found.entry, found.verdict, 'hit')
      return undefined
    }

    /** One fetch per resource and identity: in this process through a promise, in the fleet through the store's lock. */
    async function single(work: () => Promise<ClientResponse>): Promise<ClientResponse> {
      const running = inflight.get(id)
      if (running) {
        await running.catch(() => undefined)
        return (await again()) ?? work()
      }
      const shared = (async () => {
        if (!store.shared) return work()
        const deadline = Date.now() + lockTtl
        for (;;) {
          const release = await quietly(store.lock(`${id}`, lockTtl), undefined)
          if (release) {
            try {
              return (await again()) ?? (await work())
            } finally {
              await quietly(release(), undefined)
            }
          }
          if (Date.now() >= deadline) return work()
          await sleep(poll, request.signal)
          const found = await again()
          if (found) return found
        }
      })()
      inflight.set(id, shared)
      try {
        return await shared
      } finally {
        if (inflight.get(id) === shared) inflight.delete(id)
      }
    }

    const found = await lookup()
    const { entry, verdict } = found
    if (entry && verdict) {
      if (verdict.use === 'fresh') return serve(entry, verdict, 'hit')
      if (verdict.use === 'stale-ok') return serve(entry, verdict, 'stale')
      if (verdict.whileRevalidate) {
        if (!inflight.has(id)) {
          const background = { ...request, signal: undefined }
          void single(() => fetchFromOrigin(background, found)).catch(() => undefined)
        }
        return serve(entry, verdict, 'stale')
      }
    }
    if (asked.has('only-if-cached')) return answer(request, 504, new Headers(), request.url.href, EMPTY, 'miss')
    return single(async () => fetchFromOrigin(request, await lookup()))
  }
}

/** The caller's TTL for answers that say nothing, per route. */
function fallbackTtl(option: CacheOptions['defaultTtl']): (request: ClientRequest) => number | undefined {
  if (option === undefined) return () => undefined
  if (typeof option === 'number') {
    const ms = checkMs('cache: defaultTtl', option)
    return () => ms
  }
  if (typeof option === 'function') return (request) => option(request)
  if (typeof option !== 'object' || option === null) throw new TypeError('cache: defaultTtl must be ms, { [route]: ms } or a function')
  for (const [route, ms] of Object.entries(option)) checkMs(`cache: defaultTtl['${route}']`, ms)
  return (request) => option[request.route ?? request.url.pathname]
}
