// The part of a Redis client (ioredis, or anything shaped like it) the Redis stores use: what
// src/integrations/redis.ts and the breaker news of src/integrations/breaker-news.ts both speak to.
// Types only; Node only, like the rest of fetchline-http/redis.

/**
 * The part of a Redis client fetchline uses: ioredis's generic `call(command, ...args)` (and its
 * `status`, when there is one). An `ioredis` `Redis` or `Cluster` instance fits as it is.
 *
 * @example
 * const redis: RedisLike = new Redis(process.env.REDIS_URL!)
 */
export type RedisLike = {
  call(command: string, ...args: Array<string | number>): Promise<unknown>
  /** ioredis's connection state; anything but `'ready'` means "do not wait for Redis now". */
  readonly status?: string
  /** ioredis's `duplicate()`: the breaker store's own connection for pub/sub news. Without it, breakers poll. */
  duplicate?(): RedisSubscriber
  /** ioredis's events: the breaker store closes its subscriber connection when this client ends. */
  once?(event: 'end', listener: () => void): unknown
}

/**
 * The part of a duplicated ioredis client the breaker store uses to hear breaker news.
 *
 * @example
 * const subscriber: RedisSubscriber = new Redis(process.env.REDIS_URL!).duplicate()
 */
export type RedisSubscriber = {
  subscribe(channel: string): Promise<unknown>
  unsubscribe(channel: string): Promise<unknown>
  on(event: string, listener: (...args: never[]) => void): unknown
  disconnect(): void
}

/**
 * Where the warning about an unreachable Redis goes: a consola instance or anything like it.
 *
 * @example
 * createRedisTokenStore({ redis, logger: consola.withTag('billing') })
 */
export type RedisLogger = { warn(message: string, ...args: unknown[]): void; info(message: string, ...args: unknown[]): void }
