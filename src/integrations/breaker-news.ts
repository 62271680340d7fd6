// The breaker's news over Redis pub/sub, for fetchline-http/redis: an instance that opens or closes
// a breaker tells the others at once. Node only, like the rest of fetchline-http/redis.
import type { BreakerNews } from '../features/stores.js'
import { scrubText } from '../redact/redact.js'
import type { RedisLike, RedisLogger, RedisSubscriber } from './redis-like.js'

type Listener = (news: BreakerNews) => void
type Link = { redis: RedisLike; logger: RedisLogger; recheck: number; key(name: string): string }

/**
 * Breaker news over Redis pub/sub for one breaker store: one subscriber connection
 * (`redis.duplicate()`, a connection in subscriber mode can run nothing else), opened at the first
 * subscription and closed by `dispose()` or when the user's client ends, so it never outlives it.
 */
export function createNewsChannel(link: Link) {
  const { redis, logger, recheck } = link
  const listeners = new Map<string, Set<Listener>>()
  let subscriber: RedisSubscriber | undefined
  let disposed = false
  let warned = false
  const retries = new Set<ReturnType<typeof setTimeout>>()

  const channel = (key: string): string => link.key(`breaker-news:${key}`)

  function connection(): RedisSubscriber | undefined {
    if (subscriber || disposed || typeof redis.duplicate !== 'function' || redis.status === 'end') return subscriber
    const sub = redis.duplicate()
    subscriber = sub
    // An outage is reported once by the store's commands; the poll carries on meanwhile, and
    // ioredis subscribes again by itself when it reconnects.
    sub.on('error', () => {})
    sub.on('message', (from: string, message: string) => deliver(from, message))
    redis.once?.('end', () => void dispose())
    return sub
  }

  function deliver(from: string, message: string): void {
    const set = listeners.get(from)
    if (!set) return
    let news: BreakerNews
    try {
      news = JSON.parse(message)
    } catch {
      return // not ours: someone else published on the channel
    }
    if (news?.state !== 'closed' && !(news?.state === 'open' && Number.isFinite(news.until))) return
    for (const listener of set) {
      try {
        listener(news)
      } catch (error) {
        // Thrown into ioredis's socket handler it would crash the process: said, not dropped.
        logger.warn(`a breaker news listener threw: ${scrubText((error as Error)?.message ?? String(error))}`)
      }
    }
  }

  function join(name: string): void {
    const sub = connection()
    sub?.subscribe(name).catch((error: unknown) => {
      if (disposed || !listeners.has(name)) return
      if (!warned) {
        warned = true
        logger.warn(
          `Redis pub/sub unavailable for breaker news (${scrubText((error as Error)?.message ?? String(error))}): breakers read the shared state every syncInterval meanwhile; next try in ${recheck} ms`,
        )
      }
      const retry = setTimeout(() => {
        retries.delete(retry)
        join(name)
      }, recheck)
      retry.unref?.() // a retry never keeps the process alive
      retries.add(retry)
    })
  }

  function subscribe(key: string, listener: Listener): () => void {
    const name = channel(key)
    let set = listeners.get(name)
    if (!set) {
      listeners.set(name, (set = new Set()))
      join(name)
    }
    set.add(listener)
    return function unsubscribe() {
      set.delete(listener)
      if (set.size > 0 || listeners.get(name) !== set) return
      listeners.delete(name)
      subscriber?.unsubscribe(name).catch(() => undefined)
    }
  }

  async function dispose(): Promise<void> {
    disposed = true
    for (const retry of retries) clearTimeout(retry)
    retries.clear()
    listeners.clear()
    subscriber?.disconnect()
  }

  return { channel, subscribe, dispose }
}
