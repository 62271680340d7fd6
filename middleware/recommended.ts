import type { Middleware } from '../src/types.js'
import { type HealthOptions, health } from './health.js'
import { type IdempotencyOptions, idempotency } from './idempotency.js'
import { type RetryOptions, retry } from './retry.js'
import { type TimeoutOptions, timeout } from './timeout.js'

/**
 * Options of {@link recommended}: each middleware's options, or `false` to leave it out.
 *
 * @example
 * recommended({ retry: { maxRetries: 5 }, timeout: { attempt: 5_000, total: 20_000 }, health: false })
 */
export type RecommendedOptions = {
  timeout?: number | TimeoutOptions | false
  idempotency?: IdempotencyOptions | false
  retry?: RetryOptions | false
  health?: HealthOptions | false
}

/**
 * The recommended pipeline, in its order (outermost first), each with its defaults:
 * 1. `timeout` — the attempt limit travels to the core; the total deadline covers every attempt
 *    and every backoff sleep, so it sits outside retry.
 * 2. `idempotency` — one key per call, before retry, so every attempt carries the same one.
 * 3. `retry` — repeats what is inside it.
 * 4. `health` — the circuit breaker sees every attempt; when it opens, retries stop too.
 *
 * @example
 * const client = createClient({ baseURL: 'https://api.example.com', middleware: recommended() })
 */
export function recommended(options: RecommendedOptions = {}): Middleware[] {
  const pipeline: Middleware[] = []
  if (options.timeout !== false) pipeline.push(timeout(options.timeout ?? {}))
  if (options.idempotency !== false) pipeline.push(idempotency(options.idempotency ?? {}))
  if (options.retry !== false) pipeline.push(retry(options.retry ?? {}))
  if (options.health !== false) pipeline.push(health(options.health ?? {}))
  return pipeline
}
