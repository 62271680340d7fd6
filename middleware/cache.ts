import { Headers } from '../src/core/headers.js'
import { checkKeys, checkMs } from '../src/core/options.js'
import type { ClientRequest, ClientResponse, Middleware, Next } from '../src/core/types.js'
import { createHasher, credentials, type HeaderFacts, headerFacts, splitURL } from '../src/features/cache-key.js'
import { type Directives, isStorable, judge, retention, SAFE_METHODS, type Verdict } from '../src/features/cache-policy.js'
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
  // Worked out once and kept: a resource's key per URL (and redaction rules), an identity per
  // read-only headers (the client's own, which every call without headers of its own carries).
  const resources = new Map<string, { rules: ClientRequest['redaction']; key: string; secrets: string[] }>()
  const identities = new WeakMap<HeaderFacts, string>()

  async function resourceOf(request: ClientRequest): Promise<{ key: string; secrets: string[] }> {
    const href = request.url.href
    const known = resources.get(href)
    if (known && known.rules === request.redaction) return known
    const { resource, secrets } = splitURL(request)
    const found = { rules: request.redaction, key: await hash(`GET ${resource}`), secrets }
    if (resources.size >= 2_048) resources.clear()
    resources.set(href, found)
    return found
  }

  async function identityOf(request: ClientRequest, facts: HeaderFacts, secrets: readonly string[]): Promise<string> {
    const named = options.identity?.(request)
    if (named !== undefined) return hash(`identity\n${named}`)
    if (secrets.length > 0) return hash(`identity\n${credentials(request, secrets)}`)
    let field = identities.get(facts)
    if (field === undefined) identities.set(facts, (field = await hash(`identity\n${facts.credentials}`)))
    return field
  }

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

  /** This identity's variants, and the one that fits the request with its verdict. */
  async function lookup(call: Call): Promise<Found> {
    const all = (await quietly(store.get(call.key, call.field), undefined)) ?? []
    for (const entry of all) {
      if (await varyMatches(entry, call.request, hash)) {
        return { all, entry, verdict: judge(entry, call.asked, call.pragma, call.ttl, Date.now()) }
      }
    }
    return { all }
  }

  const serve = (call: Call, entry: CacheEntry, verdict: Verdict, how: 'hit' | 'stale') =>
    answer(call.request, entry.status, storedHeaders(entry, verdict.age), call.request.url.href, entry.body, how)

  /** Asks the origin (conditionally when there is an entry), stores what it may, answers. */
  async function fetchFromOrigin(call: Call, sent: ClientRequest, found: Found): Promise<ClientResponse> {
    const { entry, verdict } = found
    const { request } = call
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
      response = await call.next(inner)
    } catch (error) {
      if (entry && verdict && isStaleIfError(error, sent, verdict)) return serve(call, entry, verdict, 'stale')
      throw error
    }
    const responseTime = Date.now()
    // A 304 to our conditional is about the entry we named (we send one validator): refresh it,
    // its ETag too when the 304 brings a new one (cache-tests 304-etag-update-response-ETag).
    if (response.status === 304 && entry && inner.headers !== sent.headers) {
      const updated = refreshed(entry, response.headers, request, requestTime, responseTime)
      await save(call, found.all, entry, updated)
      return answer(request, updated.status, storedHeaders(updated, 0), request.url.href, updated.body, 'revalidated')
    }
    if (entry && verdict && [500, 502, 503, 504].includes(response.status) && isStaleIfError(response, sent, verdict)) {
      return serve(call, entry, verdict, 'stale')
    }
    const body = response.data instanceof ArrayBuffer ? new Uint8Array(response.data) : EMPTY
    if (isStorable(response.status, response.headers, call.asked, call.ttl)) {
      const stored: CacheEntry = {
        status: response.status,
        headers: storableHeaders(response.headers, request),
        body,
        requestTime,
        responseTime,
        vary: await varyOf(request, response.headers, hash),
      }
      await save(call, found.all, entry, stored)
    } else if (entry && response.status < 500) {
      await save(call, found.all, entry, undefined) // what was stored is not what the origin says now
    }
    return answer(request, response.status, response.headers, response.url, body, 'miss')
  }

  /** Replaces `old` (or the variant with the same Vary values) by `fresh` among this identity's variants. */
  async function save(call: Call, all: readonly CacheEntry[], old: CacheEntry | undefined, fresh: CacheEntry | undefined): Promise<void> {
    const same = (e: CacheEntry) => fresh !== undefined && JSON.stringify(e.vary) === JSON.stringify(fresh.vary)
    const others = all.filter((e) => e !== old && !same(e)).slice(-7)
    const kept = fresh ? [...others, fresh] : others
    const now = Date.now()
    const life = Math.max(0, ...kept.map((e) => retention(e, call.ttl, keep) - (now - e.responseTime)))
    return quietly(store.set(call.key, call.field, life > 0 ? kept : [], life > 0 ? Math.ceil(life) : 0), undefined)
  }

  /** A usable entry someone else just stored, served as a hit. */
  async function again(call: Call): Promise<ClientResponse | undefined> {
    const { entry, verdict } = await lookup(call)
    if (entry && verdict && verdict.use !== 'revalidate') return serve(call, entry, verdict, 'hit')
    return undefined
  }

  /** One fetch per resource and identity: in this process through a promise, in the fleet through the store's lock. */
  async function single(call: Call, work: () => Promise<ClientResponse>): Promise<ClientResponse> {
    const id = `${call.key}:${call.field}`
    const running = inflight.get(id)
    if (running) {
      await running.catch(() => undefined)
      return (await again(call)) ?? work()
    }
    const shared = store.shared ? fleet(call, id, work) : work()
    inflight.set(id, shared)
    try {
      return await shared
    } finally {
      if (inflight.get(id) === shared) inflight.delete(id)
    }
  }

  /** The fleet's turn: the store's lock, or waiting for the holder's answer until its lease lapses. */
  async function fleet(call: Call, id: string, work: () => Promise<ClientResponse>): Promise<ClientResponse> {
    const deadline = Date.now() + lockTtl
    for (;;) {
      const release = await quietly(store.lock(id, lockTtl), undefined)
      if (release) {
        try {
          return (await again(call)) ?? (await work())
        } finally {
          await quietly(release(), undefined)
        }
      }
      if (Date.now() >= deadline) return work()
      await sleep(poll, call.request.signal)
      const found = await again(call)
      if (found) return found
    }
  }

  return async function cache(request, next) {
    if (!SAFE_METHODS.has(request.method)) return invalidating(request, next)
    if (request.method !== 'GET' || request.body !== undefined || request.responseType === 'stream') return next(request)
    const facts = headerFacts(request)
    // The caller's own conditional or range request, or no-store (§5.2.1.5): nothing stored or reused.
    if (facts.own || facts.asked.has('no-store')) return next(request)
    const { key, secrets } = await resourceOf(request)
    const field = await identityOf(request, facts, secrets)
    const call: Call = { request, next, key, field, asked: facts.asked, pragma: facts.pragma, ttl: ttlOf(request) }
    const found = await lookup(call)
    const { entry, verdict } = found
    if (entry && verdict) {
      if (verdict.use === 'fresh') return serve(call, entry, verdict, 'hit')
      if (verdict.use === 'stale-ok') return serve(call, entry, verdict, 'stale')
      if (verdict.whileRevalidate) {
        if (!inflight.has(`${key}:${field}`)) {
          const background = { ...request, signal: undefined }
          void single(call, () => fetchFromOrigin(call, background, found)).catch(() => undefined)
        }
        return serve(call, entry, verdict, 'stale')
      }
    }
    if (call.asked.has('only-if-cached')) return answer(request, 504, new Headers(), request.url.href, EMPTY, 'miss')
    return single(call, async () => fetchFromOrigin(call, request, await lookup(call)))
  }
}

/** One call through cache(): what the helpers above need to know of it. */
type Call = {
  request: ClientRequest
  next: Next
  key: string
  field: string
  asked: Directives
  pragma: boolean
  ttl: number | undefined
}
type Found = { all: readonly CacheEntry[]; entry?: CacheEntry; verdict?: Verdict }

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
