// What every store of fetchline-http/redis shares (redis.ts's token, rate-limit and breaker stores,
// redis-cache.ts's cache store): checked options, key prefixing, command timeouts, EVALSHA with
// the NOSCRIPT fallback, and the fallback to local behaviour with one warning per outage. Node only.
import { consola } from 'consola'
import { checkKeys, checkMs } from '../core/options.js'
import { scrubText } from '../redact/redact.js'
import type { RedisLike, RedisLogger } from './redis-like.js'
import type { Script } from './redis-scripts.js'

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

/** What a store does while Redis is away, and what is back when it returns: its outage lines. */
export type Fallback = { down: string; back: string }

const STATE_STORES: Fallback = {
  down: 'per-process tokens, rate limits and breaker state',
  back: 'shared tokens, rate limits and breaker state are',
}

/** Whether Redis is usable, shared by every store on the same client: one warning per outage. */
type Link = { downUntil: number; warned: boolean }
const LINKS = new WeakMap<RedisLike, Link>()

/** ioredis states in which a command would wait for a reconnect ('wait' and 'connecting' are a start). */
const DOWN = new Set(['reconnecting', 'close', 'end'])

class RedisTimeout extends Error {
  override name = 'RedisTimeout'
}

/**
 * What every Redis store shares: checked options, key prefixing, scripts, timeouts and fallback.
 * `fallback` words the outage lines; `ownKeys` are the store's options beyond RedisStoreOptions.
 */
export function connect(options: RedisStoreOptions, what: string, fallback: Fallback = STATE_STORES, ownKeys: readonly string[] = []) {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${what} needs options such as { redis: new Redis(url) }`)
  checkKeys(what, options, ['redis', 'prefix', 'commandTimeout', 'recheckAfter', 'logger', ...ownKeys])
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
        logger.info(`Redis is reachable again: ${fallback.back} back in use`)
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
    logger.warn(`Redis unreachable (${why}): falling back to ${fallback.down} until it answers again; next try in ${recheck} ms`)
  }

  return { key: (name: string) => prefix + name, call, evalScript, shared, redis, logger, recheck }
}

function positive(value: unknown, name: string, what: string): number {
  return checkMs(`${what}: options.${name}`, value, false)
}
