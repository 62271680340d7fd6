/**
 * Where a `rateLimit()` keeps its count: this process (the default) or a store shared by every
 * instance of a service (Redis, see `fetchline-http/redis`), so the limit holds for the fleet.
 *
 * The algorithm is a sliding window log: a call may go when fewer than `limit` calls went in the
 * `interval` ms before it — in any window of `interval` ms, never more than `limit` calls, with no
 * burst at a window's edge (a fixed window lets 2 × limit through across one) and no burst
 * allowance up front (a token bucket starts full).
 *
 * @example
 * const store: RateLimitStore = createMemoryRateLimitStore()
 * const wait = await store.acquire('sms', 100, 1_000) // 0: go; otherwise ms until a slot frees
 */
export type RateLimitStore = {
  /**
   * Takes a slot for `key` when fewer than `limit` were taken in the last `interval` ms and
   * resolves to 0; otherwise takes nothing and resolves to the ms until the oldest slot frees.
   */
  acquire(key: string, limit: number, interval: number): Promise<number>
}

/**
 * A {@link RateLimitStore} in this process's memory.
 *
 * @example
 * rateLimit({ limit: 100, interval: 1_000, store: createMemoryRateLimitStore() })
 */
export function createMemoryRateLimitStore(now: () => number = Date.now): RateLimitStore {
  const windows = new Map<string, number[]>()
  return {
    async acquire(key, limit, interval) {
      const at = now()
      let taken = windows.get(key)
      if (!taken) windows.set(key, (taken = []))
      let expired = 0
      while (expired < taken.length && (taken[expired] as number) <= at - interval) expired++
      if (expired > 0) taken.splice(0, expired)
      if (taken.length < limit) {
        taken.push(at)
        return 0
      }
      return Math.max(1, (taken[0] as number) + interval - at)
    },
  }
}

/**
 * News of a shared breaker from another instance: it opened (until `until`, epoch ms) or closed.
 * `sender` names the breaker that sent it, so a breaker ignores its own news.
 *
 * @example
 * const news: BreakerNews = { state: 'open', until: Date.now() + 30_000, sender: 'b1f0…' }
 */
export type BreakerNews = { state: 'open'; until: number; sender?: string | undefined } | { state: 'closed'; sender?: string | undefined }

/**
 * Where a circuit breaker publishes that it opened, so other instances of a service stop calling a
 * vendor that one of them found down (see `health({ store })` and `fetchline-http/redis`). Values are
 * epoch milliseconds. `get` is polled; a store that can also push news (`subscribe`, Redis pub/sub)
 * lets the other instances follow within milliseconds instead of within the poll interval.
 *
 * @example
 * await store.open('https://api.vendor.example', Date.now() + 30_000)
 */
export type BreakerStore = {
  /** Until when the shared breaker for `key` is open (epoch ms), or `undefined` when it is not. */
  get(key: string): Promise<number | undefined>
  /** Marks the breaker for `key` open until `until` (epoch ms); `sender` goes with the news. */
  open(key: string, until: number, sender?: string): Promise<void>
  /** Marks it closed: a trial call went through. `sender` goes with the news. */
  close(key: string, sender?: string): Promise<void>
  /**
   * Optional: calls `listener` with every news of `key` (its own included: the breaker skips those
   * by `sender`) until the returned function is called. Without it, breakers only poll `get`.
   */
  subscribe?(key: string, listener: (news: BreakerNews) => void): () => void
}
