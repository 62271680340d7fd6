// fetchline-http/redis: token, rate-limit and breaker stores shared by every instance through Redis
// (ioredis), and the cache store of redis-cache.ts. Node only (node:crypto, a Redis connection);
// the connection they share is redis-link.ts, the Lua they run redis-scripts.ts.
import { randomUUID } from 'node:crypto'
import { type BreakerNews, type BreakerStore, createMemoryRateLimitStore, type RateLimitStore } from '../features/stores.js'
import { createMemoryTokenStore, type TokenStore } from '../features/token-cache.js'
import { createNewsChannel } from './breaker-news.js'
import { connect, type RedisStoreOptions } from './redis-link.js'
import { SCRIPTS } from './redis-scripts.js'

export { createRedisCacheStore, type RedisCacheStoreOptions } from './redis-cache.js'
export type { RedisLike, RedisLogger, RedisSubscriber } from './redis-like.js'
export type { RedisStoreOptions } from './redis-link.js'

/**
 * A token store shared by every instance through Redis: `get`/`set` with a TTL, and the refresh
 * lock as `SET key owner NX PX ttl`, released only by its owner (a Lua compare-and-delete) and
 * lapsing by itself if the owner dies mid-refresh. Instances that lose the race wait for the
 * winner's token (the token cache polls). When Redis is unreachable it keeps working on a
 * per-process store and logs one warning.
 *
 * @example
 * import { Redis } from 'ioredis'
 * const redis = new Redis(process.env.REDIS_URL!)
 * const wechat = createWeChatClient({ appId, appSecret, tokenStore: createRedisTokenStore({ redis }) })
 */
export function createRedisTokenStore(options: RedisStoreOptions): TokenStore {
  const r = connect(options, 'createRedisTokenStore')
  const local = createMemoryTokenStore()
  return {
    get: (key) =>
      r.shared(
        async () => ((await r.call('GET', r.key(key))) as string | null) ?? undefined,
        () => local.get(key),
      ),
    set: (key, value, ttlMs) =>
      r.shared(
        async () => void (await r.call('SET', r.key(key), value, 'PX', Math.max(1, Math.round(ttlMs)))),
        () => local.set(key, value, ttlMs),
      ),
    deleteIf: (key, value) =>
      r.shared(
        async () => void (await r.evalScript(SCRIPTS.compareAndDelete, [r.key(key)], [value])),
        () => local.deleteIf(key, value),
      ),
    lock: (key, ttlMs) =>
      r.shared(
        async () => {
          const owner = randomUUID()
          const taken = await r.call('SET', r.key(key), owner, 'NX', 'PX', Math.max(1, Math.round(ttlMs)))
          if (taken !== 'OK') return undefined
          return async () => {
            // If Redis went away meanwhile, the lock lapses by itself after ttlMs.
            await r.evalScript(SCRIPTS.compareAndDelete, [r.key(key)], [owner]).catch(() => undefined)
          }
        },
        () => local.lock(key, ttlMs),
      ),
  }
}

/**
 * A rate-limit store shared by every instance through Redis, updated atomically by one Lua script
 * per call on Redis's own clock: GCRA in a hash (`ratelimit:gcra:<key>`: the next slot, and the
 * adaptive rate), or a sliding window log in a sorted set (`ratelimit:<key>`). When Redis is
 * unreachable each process limits itself with the same numbers and one warning is logged.
 *
 * @example
 * const limiter = rateLimit({ limit: 100, interval: 1_000, store: createRedisRateLimitStore({ redis }) })
 */
export function createRedisRateLimitStore(options: RedisStoreOptions): Required<RateLimitStore> {
  const r = connect(options, 'createRedisRateLimitStore')
  const local = createMemoryRateLimitStore()
  return {
    acquire: (key, limit, interval) =>
      r.shared(
        async () => Number(await r.evalScript(SCRIPTS.slidingWindow, [r.key(`ratelimit:${key}`)], [limit, interval, randomUUID()])),
        () => local.acquire(key, limit, interval),
      ),
    reserve: (key, plan) =>
      r.shared(
        async () => {
          const args = [plan.rate, plan.interval, plan.burst, plan.maxWait]
          const [taken, wait, at] = (await r.evalScript(SCRIPTS.gcraReserve, [r.key(`ratelimit:gcra:${key}`)], args)) as unknown[]
          return { reserved: Number(taken) === 1, wait: Number(wait), at: Number(at) }
        },
        () => local.reserve(key, plan),
      ),
    throttled: (key, plan, reservedAt) =>
      r.shared(
        async () =>
          void (await r.evalScript(SCRIPTS.gcraThrottled, [r.key(`ratelimit:gcra:${key}`)], [plan.rate, plan.interval, reservedAt])),
        () => local.throttled(key, plan, reservedAt),
      ),
  }
}

/**
 * The Redis breaker store: a {@link BreakerStore} that also pushes news, with `dispose()` for its
 * subscriber connection.
 *
 * @example
 * await using store = createRedisBreakerStore({ redis })
 */
export type RedisBreakerStore = BreakerStore & {
  subscribe(key: string, listener: (news: BreakerNews) => void): () => void
  /** Closes the subscriber connection (it also closes by itself when `redis` ends). Idempotent. */
  dispose(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

/**
 * A circuit-breaker store shared by every instance through Redis: when one instance's breaker
 * opens or closes, it writes the state and publishes the news (pub/sub), so the others follow
 * within milliseconds; they also read the state every `syncInterval`, which covers a lost message.
 * The news arrives on a second connection, `redis.duplicate()`, opened at the first subscription
 * and closed by `store.dispose()` or when `redis` ends (`redis.quit()`), so it never keeps a process
 * alive. When Redis is unreachable each breaker works on its own.
 *
 * @example
 * health({ store: createRedisBreakerStore({ redis }) })
 */
export function createRedisBreakerStore(options: RedisStoreOptions): RedisBreakerStore {
  const r = connect(options, 'createRedisBreakerStore')
  const none = async (): Promise<undefined> => undefined
  const news = createNewsChannel(r)
  return {
    get: (key) =>
      r.shared(async () => {
        const value = await r.call('GET', r.key(`breaker:${key}`))
        const until = value === null || value === undefined ? undefined : Number(value)
        return until !== undefined && Number.isFinite(until) ? until : undefined
      }, none),
    open: (key, until, sender) =>
      r.shared(async () => {
        const message = JSON.stringify({ state: 'open', until, sender })
        const ttl = Math.max(1, Math.round(until - Date.now()))
        await r.evalScript(SCRIPTS.openAndPublish, [r.key(`breaker:${key}`)], [String(until), ttl, news.channel(key), message])
      }, none),
    close: (key, sender) =>
      r.shared(async () => {
        const message = JSON.stringify({ state: 'closed', sender })
        await r.evalScript(SCRIPTS.closeAndPublish, [r.key(`breaker:${key}`)], [news.channel(key), message])
      }, none),
    subscribe: news.subscribe,
    dispose: news.dispose,
    [Symbol.asyncDispose]: news.dispose,
  }
}
