import { checkKeys } from '../src/core/options.js'

/**
 * Sizes of a {@link RetryBudget}. The numbers are the AWS SDKs' retry quota: 500 tokens, a retry
 * costs 5 (10 after a timeout, which suggests a sicker service), and a success puts back what its
 * last retry took, or 1 token when it needed none. So at most 100 retries run back to back before
 * failures start to surface at once, and a healthy stream of successes refills the bucket.
 */
export type RetryBudgetOptions = {
  /** @default 500 */
  capacity?: number
  /** Tokens a retry takes. @default 5 */
  retryCost?: number
  /** Tokens a retry after a timeout takes. @default 10 */
  timeoutCost?: number
  /** Tokens a success that needed no retry puts back. @default 1 */
  successRefund?: number
}

/** A token bucket that retries draw from; see {@link createRetryBudget}. */
export type RetryBudget = {
  /** Takes `cost` tokens if there are that many; `false` means do not retry. */
  take(cost: number): boolean
  /** Puts tokens back after a success: what its last retry took, or the success refund. */
  release(lastRetryCost: number): void
  readonly costs: { retry: number; timeout: number }
  /** Tokens left. */
  readonly available: number
}

/**
 * A retry budget: when a service is failing across the board, retries stop multiplying the load
 * and failures surface at once. `retry()` makes one per middleware instance (so per client); pass
 * one to several `retry()` calls to share it.
 *
 * @example
 * const budget = createRetryBudget({ capacity: 100 })
 * const a = createClient({ baseURL: A, middleware: [retry({ budget })] })
 * const b = createClient({ baseURL: B, middleware: [retry({ budget })] })
 */
export function createRetryBudget(options: RetryBudgetOptions = {}): RetryBudget {
  checkKeys('createRetryBudget', options, ['capacity', 'retryCost', 'timeoutCost', 'successRefund'])
  const { capacity = 500, retryCost = 5, timeoutCost = 10, successRefund = 1 } = options
  for (const [name, value] of Object.entries({ capacity, retryCost, timeoutCost, successRefund })) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`retry budget ${name} must be a number >= 0, got ${String(value)}`)
    }
  }
  let tokens = capacity
  return {
    take(cost) {
      if (tokens < cost) return false
      tokens -= cost
      return true
    },
    release(lastRetryCost) {
      tokens = Math.min(capacity, tokens + (lastRetryCost > 0 ? lastRetryCost : successRefund))
    },
    costs: { retry: retryCost, timeout: timeoutCost },
    get available() {
      return tokens
    },
  }
}
