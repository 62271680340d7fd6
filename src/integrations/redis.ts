// fetchline-http/redis: token, rate-limit and breaker stores shared by every instance through Redis
// (ioredis). Node only (node:crypto, a Redis connection); the Lua it runs is redis-scripts.ts.
import { randomUUID } from 'node:crypto'
import { consola } from 'consola'
import { checkKeys, checkMs } from '../core/options.js'
import { type BreakerNews, type BreakerStore, createMemoryRateLimitStore, type RateLimitStore } from '../features/stores.js'
import { createMemoryTokenStore, type TokenStore } from '../features/token-cache.js'
import { scrubText } from '../redact/redact.js'
import { createNewsChannel } from './breaker-news.js'
import type { RedisLike, RedisLogger } from './redis-like.js'
import { SCRIPTS, type Script } from './redis-scripts.js'

export type { RedisLike, RedisLogger, RedisSubscriber } from './redis-like.js'

/**
 * Options of the Redis stores.
 *
 * @example
 * const options: RedisStoreOptions = { redis: new Redis(process.env.REDIS_URL!), prefix: 'billing:' }
 */
export type RedisStoreOptions = {
  /** A connected client: `new Redis(url)` from ioredis. fetchline never creates or closes it. */
  redis: RedisLike
  /** Prefix of every key fetchline writes. @default 'fetchline:' */
  prefix?: string
  /** How long one Redis command may take before the store falls back to local behaviour. @default 1_000 */
  commandTimeout?: number
  /** After Redis failed, how long to stay local before trying it again. @default 5_000 */
  recheckAfter?: number
  /** Where the one warning per outage goes. @default consola.withTag('fetchline:redis') */
  logger?: RedisLogger
}

/** Whether Redis is usable, shared by every store on the same client: one warning per outage. */
type Link = { downUntil: number; warned: boolean }
const LINKS = new WeakMap<RedisLike, Link>()

/** ioredis states in which a command would wait for a reconnect ('wait' and 'connecting' are a start). */
const DOWN = new Set(['reconnecting', 'close', 'end'])

class RedisTimeout extends Error {
  override name = 'RedisTimeout'
}

/** What every Redis store shares: checked options, key prefixing, scripts, timeouts and fallback. */
function connect(options: RedisStoreOptions, what: string) {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${what} needs options such as { redis: new Redis(url) }`)
  checkKeys(what, options, ['redis', 'prefix', 'commandTimeout', 'recheckAfter', 'logger'])
  const { redis } = options
  if (typeof redis?.call !== 'function') {
    throw new TypeError(`${what}: options.redis must be an ioredis client (new Redis(url)), got ${redis === null ? 'null' : typeof redis}`)
  }
  const prefix = options.prefix ?? 'fetchline:'
  if (typeof prefix !== 'string') throw new TypeError(`${what}: options.prefix must be a string, got ${typeof prefix}`)
  const timeout = positive(options.commandTimeout ?? 1_000, 'commandTimeout', what)
  const recheck = positive(options.recheckAfter ?? 5_000, 'recheckAfter', what)
  const logger = options.logger ?? consola.withTag('fetchline:redis')
  let link = LINKS.get(redis)
  if (!link) LINKS.set(redis, (link = { downUntil: 0, warned: false }))
  const state = link

  function call(command: string, ...args: Array<string | number>): Promise<unknown> {
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RedisTimeout(`no answer to ${command} within ${timeout} ms`)), timeout)
    })
    return Promise.race([redis.call(command, ...args), expired]).finally(() => clearTimeout(timer))
  }

  async function evalScript(s: Script, keys: string[], args: Array<string | number>): Promise<unknown> {
    try {
      return await call('EVALSHA', s.sha, keys.length, ...keys, ...args)
    } catch (error) {
      if (!String((error as Error)?.message).startsWith('NOSCRIPT')) throw error
      return call('EVAL', s.source, keys.length, ...keys, ...args)
    }
  }

  /** Runs `remote` on Redis, or `local` when Redis is down or fails (warning once per outage). */
  async function shared<T>(remote: () => Promise<T>, local: () => Promise<T>): Promise<T> {
    // A client that lost its connection answers nothing until it is back (ioredis queues the
    // command): go local at once instead of waiting out the timeout on every call.
    const status = redis.status
    if (status !== undefined && DOWN.has(status)) {
      failed(new Error(`the connection is ${status}`))
      return local()
    }
    if (Date.now() < state.downUntil) return local()
    try {
      const result = await remote()
      if (state.warned) {
        state.warned = false
        logger.info('Redis is reachable again: shared tokens, rate limits and breaker state are back in use')
      }
      return result
    } catch (error) {
      failed(error)
      return local()
    }
  }

  function failed(error: unknown): void {
    state.downUntil = Date.now() + recheck
    if (state.warned) return
    state.warned = true
    // A client's error may quote its URL, password included: scrubbed like every other message.
    const why = scrubText((error as Error)?.message ?? String(error))
    logger.warn(
      `Redis unreachable (${why}): falling back to per-process tokens, rate limits and breaker state until it answers again; next try in ${recheck} ms`,
    )
  }

  return { key: (name: string) => prefix + name, call, evalScript, shared, redis, logger, recheck }
}

function positive(value: unknown, name: string, what: string): number {
  return checkMs(`${what}: options.${name}`, value, false)
}

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
