/**
 * Where a `rateLimit()` keeps its count: this process (the default) or a store shared by every
 * instance of a service (Redis, see `fetchline-http/redis`), so the limit holds for the fleet.
 *
 * Two algorithms. `reserve` is GCRA (the generic cell rate algorithm, a leaky bucket kept as one
 * timestamp): calls are spaced `interval / rate` apart and each caller is handed its own slot, so
 * callers never stampede when a slot frees. `acquire` is a sliding window log: a call may go when
 * fewer than `limit` calls went in the `interval` ms before it, so calls may leave in bursts.
 *
 * @example
 * const store: RateLimitStore = createMemoryRateLimitStore()
 * const { wait } = await store.reserve!('sms', { rate: 100, interval: 1_000, burst: 1, maxWait: 5_000, adaptive: false })
 */
export type RateLimitStore = {
  /**
   * Sliding window: takes a slot for `key` when fewer than `limit` were taken in the last
   * `interval` ms and resolves to 0; otherwise takes nothing and resolves to the ms until the
   * oldest slot frees.
   */
  acquire(key: string, limit: number, interval: number): Promise<number>
  /** GCRA: reserves the next slot for `key` unless it is more than `plan.maxWait` away. */
  reserve?(key: string, plan: RatePlan): Promise<Reservation>
  /**
   * Adaptive mode: the vendor throttled a call reserved at `reservedAt` (the store's clock). Cuts
   * the shared rate unless it was already cut after that call was reserved (clocks in µs, so that
   * a call reserved just after a cut is not taken for one reserved before it).
   */
  throttled?(key: string, plan: RatePlan, reservedAt: number): Promise<void>
}

/** What `rateLimit()` asks a store for, worked out once per limiter. */
export type RatePlan = {
  /** Calls per `interval`, headroom applied (a fraction is fine). */
  rate: number
  interval: number
  /** Calls that may go back to back after a quiet spell; 1 spaces every call. */
  burst: number
  /** A slot further away than this is not reserved. */
  maxWait: number
  /** Whether the rate adapts to the vendor's 429s (see `cubicRate`). */
  adaptive: boolean
}

/** A store's answer to `reserve`: the ms until the slot, whether it was taken, and when (store clock). */
export type Reservation = { wait: number; reserved: boolean; at: number }

/**
 * Adaptive mode is CUBIC (RFC 9438, as in the AWS SDKs' adaptive retry): a 429 cuts the rate to
 * `beta` times what it was, then it grows back along a cubic curve of the time since the cut, flat
 * near `wmax` — where the vendor said no — and steeper away from it. That converges in few cuts and
 * then probes the vendor's limit rarely, which AIMD's steady linear climb does not. A cut below the
 * previous `wmax` means the limit is lower still: `wmax` is then set (1 + beta) / 2 below the rate
 * at the cut (RFC 9438's fast convergence). And since that rate was over the vendor's limit, and
 * a strict meter sees transport jitter as excess, the curve flattens `margin` below it (CUBIC
 * proper flattens at it): measured with 8 processes, flattening at the rate of the 429 brought
 * more 429s within seconds, at 96% of the vendor's limit. Time is counted in intervals; `scale` ×
 * limit is CUBIC's C. The scripts in `src/integrations/redis.ts` use the same numbers.
 */
export const CUBIC = { beta: 0.7, scale: 0.0001, margin: 0.95 }

/** The adaptive rate `since` intervals after a cut to `start` below `wmax`, between 1 and `limit` per interval. */
export function cubicRate(limit: number, wmax: number, start: number, since: number): number {
  const c = limit * CUBIC.scale
  const k = Math.cbrt((wmax - start) / c)
  return Math.min(limit, Math.max(1, c * (since - k) ** 3 + wmax))
}

/** The state after a cut at `rate`, from a previous `wmax` (0: none). */
export function cubicCut(rate: number, wmax: number): { wmax: number; start: number } {
  return { wmax: (rate < wmax ? (rate * (1 + CUBIC.beta)) / 2 : rate) * CUBIC.margin, start: rate * CUBIC.beta }
}

/** Epoch ms with µs in the fraction: a reservation and a cut in the same ms stay in order. */
const preciseNow = (): number => performance.timeOrigin + performance.now()

/**
 * A {@link RateLimitStore} in this process's memory.
 *
 * @example
 * rateLimit({ limit: 100, interval: 1_000, store: createMemoryRateLimitStore() })
 */
export function createMemoryRateLimitStore(now: () => number = preciseNow): Required<RateLimitStore> {
  const windows = new Map<string, number[]>()
  type Cell = { tat: number; wmax: number; start: number; cut: number }
  const cells = new Map<string, Cell>()
  const rateOf = (cell: Cell, plan: RatePlan, at: number): number =>
    cell.cut < 0 ? plan.rate : cubicRate(plan.rate, cell.wmax, cell.start, (at - cell.cut) / plan.interval)
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
    async reserve(key, plan) {
      const at = now()
      let cell = cells.get(key)
      if (!cell) cells.set(key, (cell = { tat: at, wmax: 0, start: 0, cut: -1 }))
      const spacing = plan.interval / rateOf(cell, plan, at)
      const tat = Math.max(cell.tat, at)
      const wait = Math.max(0, tat - (plan.burst - 1) * spacing - at)
      if (wait > plan.maxWait) return { wait, reserved: false, at }
      cell.tat = tat + spacing
      return { wait, reserved: true, at }
    },
    async throttled(key, plan, reservedAt) {
      const at = now()
      const cell = cells.get(key)
      if (!cell || reservedAt < cell.cut) return
      Object.assign(cell, cubicCut(rateOf(cell, plan, at), cell.wmax), { cut: at })
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
