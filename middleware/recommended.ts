import { checkKeys } from '../src/core/options.js'
import type { Middleware } from '../src/core/types.js'
import { type HealthOptions, health } from './health.js'
import { type IdempotencyOptions, idempotency } from './idempotency.js'
import { type LogOptions, log } from './log.js'
import { type RedactOptions, redact } from './redact.js'
import { type RetryOptions, retry } from './retry.js'
import { type TimeoutOptions, timeout } from './timeout.js'
import { type TraceOptions, trace } from './trace.js'

/**
 * Options of {@link recommended}: each middleware's options, or `false` to leave it out.
 *
 * @example
 * recommended({ retry: { maxRetries: 5 }, timeout: { attempt: 5_000, total: 20_000 }, log: false })
 */
export type RecommendedOptions = {
  redact?: RedactOptions | false
  timeout?: number | TimeoutOptions | false
  /** Opt-in: keys only help with services that deduplicate on them. @default false */
  idempotency?: IdempotencyOptions | boolean
  retry?: RetryOptions | false
  health?: HealthOptions | false
  trace?: TraceOptions | false
  log?: LogOptions | false
}

const KNOWN = ['redact', 'timeout', 'idempotency', 'retry', 'health', 'trace', 'log']

/**
 * The recommended pipeline, in its order (outermost first), each with its defaults:
 * 1. `redact` — extra rules; where it sits does not matter (the client gathers them), first reads well.
 * 2. `timeout` — the attempt limit travels to the core; the total deadline covers every attempt
 *    and every backoff sleep, so it sits outside retry.
 * 3. `idempotency` (opt-in: `idempotency: true`) — one key per POST/PATCH call, before retry, so
 *    every attempt carries the same one. A key makes a POST retryable, so it is for services that
 *    deduplicate on `Idempotency-Key` (Stripe, Adyen, …); against one that ignores it, a retried
 *    POST could act twice.
 * 4. `health` — outside retry: the breaker judges what callers see, each call after its retries
 *    (an attempt that a retry healed is no failure), by the failure ratio over a window; an open
 *    breaker refuses the call before retry starts.
 * 5. `retry` — repeats what is inside it.
 * 6. `trace` — inside retry: one CLIENT span per attempt (physical request).
 * 7. `log` — inside trace: a line per attempt, written while the attempt's span is active.
 *
 * @example
 * const client = createClient({ baseURL: 'https://api.example.com', middleware: recommended() })
 */
export function recommended(options: RecommendedOptions = {}): Middleware[] {
  checkKeys('recommended', options, KNOWN)
  const pick = <O>(value: O | false | undefined, make: (o: O) => Middleware, fallback: O): Middleware[] =>
    value === false ? [] : [make(value ?? fallback)]
  return [
    ...pick(options.redact, redact, {}),
    ...pick(options.timeout, timeout, {}),
    ...(options.idempotency ? [idempotency(options.idempotency === true ? {} : options.idempotency)] : []),
    ...pick(options.health, health, {}),
    ...pick(options.retry, retry, {}),
    ...pick(options.trace, trace, {}),
    ...pick(options.log, log, {}),
  ]
}
