// fetchline-http/redis's cache store: cache() entries shared by every instance through Redis, one
// hash per resource. Node only (Buffer, node:crypto, a Redis connection); the Lua is redis-scripts.ts.
import { randomUUID } from 'node:crypto'
import { describe } from '../core/options.js'
import { createMemoryCacheStore } from '../features/cache-memory.js'
import type { CacheEntry, CacheStore } from '../features/cache-store.js'
import type { RedisLike } from './redis-like.js'
import { connect, type RedisStoreOptions } from './redis-link.js'
import { SCRIPTS } from './redis-scripts.js'

/**
 * Options of {@link createRedisCacheStore}: the Redis stores' options, and a cap on what one write
 * may put into Redis.
 *
 * @example
 * const options: RedisCacheStoreOptions = { redis: new Redis(process.env.REDIS_URL!), prefix: 'billing:', maxEntryBytes: 256 * 1024 }
 */
export type RedisCacheStoreOptions = RedisStoreOptions & {
  /**
   * The most one identity's variants of one resource may take in Redis, encoded (JSON, bodies in
   * base64, so about 4/3 of the body bytes): variants past it are left out, newest kept first, and
   * an answer that does not fit alone is not stored at all (its call still succeeds, uncached), so
   * one huge answer cannot fill Redis. @default 1_048_576 (1 MiB)
   */
  maxEntryBytes?: number
}

const WHAT = 'createRedisCacheStore'
const FALLBACK = { down: 'a per-process cache (each process keeps, and locks, its own answers)', back: 'the shared cache is' }

/**
 * A cache() store shared by every instance through Redis. Each resource is one hash,
 * `<prefix>cache:<key>`, one field per credential identity holding its variants and their own
 * expiry; the hash's TTL is the longest its fields were given (Redis 7.0 has no per-field TTL),
 * and a field past its expiry reads as a miss (and is dropped). The fetch lock is
 * `<prefix>cache:lock:<name>` (`SET … NX PX`, released only by its owner), so one instance of the
 * fleet asks the vendor while the others wait for its answer. When Redis is unreachable or slow,
 * no call fails: each process caches in its own bounded memory (as cache()'s default store does)
 * until Redis answers again, and one warning is logged per outage. Takes the client itself, or the
 * Redis stores' options.
 *
 * @example
 * import { Redis } from 'ioredis'
 * const redis = new Redis(process.env.REDIS_URL!)
 * createClient({ baseURL, middleware: [cache({ store: createRedisCacheStore(redis), key: process.env.CACHE_KEY! })] })
 */
export function createRedisCacheStore(redisOrOptions: RedisLike | RedisCacheStoreOptions): CacheStore {
  const options = storeOptions(redisOrOptions)
  const r = connect(options, WHAT, FALLBACK, ['maxEntryBytes'])
  const maxBytes = cap(options.maxEntryBytes)
  // While Redis is away: this process's own bounded memory store, as cache() keeps by default
  // (cache() waits on its fetch lock, then reads the store: with nothing kept, every caller of the
  // process would go to the vendor). Dropped once Redis answers again: it missed the fleet's news.
  let local = createMemoryCacheStore({ maxEntryBytes: maxBytes })
  let localUsed = false
  const away =
    <T>(work: (store: CacheStore) => Promise<T>) =>
    (): Promise<T> => {
      localUsed = true
      return work(local)
    }
  const online = async <T>(work: Promise<T>): Promise<T> => {
    const result = await work
    if (localUsed) {
      localUsed = false
      local = createMemoryCacheStore({ maxEntryBytes: maxBytes })
    }
    return result
  }
  return {
    shared: true,
    get: (key, field) =>
      r.shared(
        () => online(read(key, field)),
        away((m) => m.get(key, field)),
      ),
    // Replaces what was there: nothing to keep (no variants, no time, none that fits) drops it.
    set: (key, field, entries, ttlMs) => {
      const hash = r.key(`cache:${key}`)
      const ttl = Math.ceil(ttlMs)
      const value = Number.isFinite(ttl) && ttl >= 1 ? fitting(entries, Date.now() + ttl, maxBytes) : undefined
      const write = value ? () => r.evalScript(SCRIPTS.cacheSet, [hash], [field, value, ttl]) : () => r.call('HDEL', hash, field)
      return r.shared(
        () => online(write().then(() => undefined, notAHash)),
        away((m) => m.set(key, field, entries, ttlMs)),
      )
    },
    invalidate: (key) =>
      r.shared(
        () => online(r.call('DEL', r.key(`cache:${key}`)).then(() => undefined)),
        away((m) => m.invalidate(key)),
      ),
    lock: (name, ttlMs) =>
      r.shared(
        () => online(lock(name, ttlMs)),
        away((m) => m.lock(name, ttlMs)),
      ),
  }

  async function read(key: string, field: string): Promise<CacheEntry[] | undefined> {
    const value = await r.call('HGET', r.key(`cache:${key}`), field).catch(notAHash)
    if (typeof value !== 'string') return undefined
    const stored = decode(value)
    if (!stored) return undefined // corrupt, foreign or of another format: a miss, never an error
    const now = Date.now()
    if (stored.expires > now) return stored.entries
    // Past its own expiry while the hash lives on for a longer-lived field: drop it (no wait).
    r.evalScript(SCRIPTS.cacheDropExpired, [r.key(`cache:${key}`)], [field, now]).catch(() => undefined)
    return undefined
  }

  async function lock(name: string, ttlMs: number): Promise<(() => Promise<void>) | undefined> {
    const owner = randomUUID()
    const lockKey = r.key(`cache:lock:${name}`)
    const taken = await r.call('SET', lockKey, owner, 'NX', 'PX', Math.max(1, Math.round(ttlMs)))
    if (taken !== 'OK') return undefined
    return async () => {
      // If Redis went away meanwhile, the lock lapses by itself after ttlMs.
      await r.evalScript(SCRIPTS.compareAndDelete, [lockKey], [owner]).catch(() => undefined)
    }
  }
}

/**
 * Something other than a hash at a cache key (a foreign or damaged key under the prefix): that
 * resource is not cached (a miss, a skipped write), and Redis is not taken for down for it.
 */
function notAHash(error: unknown): undefined {
  if (String((error as Error)?.message).includes('WRONGTYPE')) return undefined
  throw error
}

function storeOptions(value: RedisLike | RedisCacheStoreOptions): RedisCacheStoreOptions {
  if (typeof (value as RedisLike | undefined)?.call === 'function') return { redis: value as RedisLike }
  if (typeof value === 'object' && value !== null && 'redis' in value) return value
  throw new TypeError(
    `${WHAT} needs a Redis client or the Redis stores' options: ${WHAT}(new Redis(url)) or ${WHAT}({ redis, prefix: 'app:' }), got ${describe(value)}`,
  )
}

function cap(value: unknown): number {
  if (value === undefined) return 1024 * 1024
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value
  throw new TypeError(`${WHAT}: options.maxEntryBytes must be a whole number of bytes > 0, got ${describe(value)}`)
}

// The stored value: {"e":<field expiry, epoch ms>,"v":1,"x":[variant…]}, `e` first (the expired
// field script reads it from the start); a variant is {s: status, h: headers, b: body in base64,
// q: requestTime, r: responseTime, y: vary}.
const FORMAT = 1
type Variant = { s: number; h: Array<[string, string]>; b: string; q: number; r: number; y: Record<string, string | null> }

/**
 * The value to store: the variants that fit in `maxBytes` together, the newest first (cache() puts
 * them last), in their order; `undefined` when none does.
 */
function fitting(entries: readonly CacheEntry[], expires: number, maxBytes: number): string | undefined {
  const head = `{"e":${Math.floor(expires)},"v":${FORMAT},"x":[`
  let room = maxBytes - head.length - 2 // the closing ]}
  const kept: string[] = []
  for (let i = entries.length - 1; i >= 0; i--) {
    const part = JSON.stringify(variantOf(entries[i] as CacheEntry))
    const size = Buffer.byteLength(part) + (kept.length > 0 ? 1 : 0) // and its comma
    if (size > room) continue
    kept.unshift(part)
    room -= size
  }
  return kept.length > 0 ? `${head}${kept.join(',')}]}` : undefined
}

function variantOf(e: CacheEntry): Variant {
  return {
    s: e.status,
    h: e.headers.map(([name, value]) => [name, value]),
    b: Buffer.from(e.body.buffer, e.body.byteOffset, e.body.byteLength).toString('base64'),
    q: e.requestTime,
    r: e.responseTime,
    y: { ...e.vary },
  }
}

/** The stored variants and their expiry, or `undefined` for anything that is not a value of ours. */
function decode(value: string): { expires: number; entries: CacheEntry[] } | undefined {
  let parsed: { e?: unknown; v?: unknown; x?: unknown }
  try {
    parsed = JSON.parse(value)
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null || parsed.v !== FORMAT || !isTime(parsed.e) || !Array.isArray(parsed.x))
    return undefined
  const entries: CacheEntry[] = []
  for (const v of parsed.x as unknown[]) {
    const entry = variant(v)
    if (!entry) return undefined
    entries.push(entry)
  }
  return { expires: parsed.e, entries }
}

function variant(v: unknown): CacheEntry | undefined {
  if (typeof v !== 'object' || v === null) return undefined
  const { s, h, b, q, r, y } = v as Partial<Record<keyof Variant, unknown>>
  if (!(Number.isInteger(s) && (s as number) >= 100 && (s as number) <= 599) || typeof b !== 'string' || !isTime(q) || !isTime(r)) {
    return undefined
  }
  if (!Array.isArray(h) || !h.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === 'string')) {
    return undefined
  }
  if (typeof y !== 'object' || y === null || Array.isArray(y)) return undefined
  if (!Object.values(y).every((value) => value === null || typeof value === 'string')) return undefined
  return {
    status: s as number,
    headers: h as Array<[string, string]>,
    body: new Uint8Array(Buffer.from(b, 'base64')), // a copy: a small Buffer is a view of Node's shared pool
    requestTime: q,
    responseTime: r,
    vary: y as Record<string, string | null>,
  }
}

const isTime = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n)
