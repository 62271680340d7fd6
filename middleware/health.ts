import {
  isCircuitOpenError,
  isClientClosedError,
  isHTTPError,
  isNetworkError,
  isRateLimitError,
  isTimeoutError,
} from '../src/client/error-guards.js'
import { type BreakerReport, HEALTH_REPORT } from '../src/client/health.js'
import { checkKeys, checkMs, withDefaults } from '../src/core/options.js'
import type { ClientRequest, ClientResponse, Middleware } from '../src/core/types.js'
import { CircuitOpenError } from '../src/errors/errors.js'
import { isStaleConnection } from '../src/errors/tls-errors.js'
import type { BreakerNews, BreakerStore } from '../src/features/stores.js'

/** A state change of the breaker. */
export type BreakerEvent = { from: BreakerReport['state']; to: BreakerReport['state']; reason: string; report: BreakerReport }

/**
 * Options of {@link health}.
 *
 * @example
 * health({ failureRate: 0.5, minimumCalls: 20, window: 30_000, onStateChange: (e) => log.warn(`breaker ${e.from} → ${e.to}: ${e.reason}`) })
 */
export type HealthOptions = {
  /** Failure ratio in the window that opens the breaker, once `minimumCalls` were seen. @default 0.5 */
  failureRate?: number
  /** Calls in the window before `failureRate` counts: fewer say nothing about the service. @default 20 */
  minimumCalls?: number
  /** Length of the sliding window, in ms (ten buckets of a tenth each). @default 30_000 */
  window?: number
  /**
   * Also open after this many failures in a row. Off by default: under concurrency, "in a row"
   * is a handful of calls that failed together (one dropped connection, one lost packet burst),
   * not a failing service; the ratio over `minimumCalls` is the judge. Set it only for a breaker
   * that sees calls one at a time.
   * @default undefined (off)
   */
  failureThreshold?: number
  /** How long the breaker stays open before a trial call, in ms. @default 30_000 */
  cooldown?: number
  /** Trial calls let through at once while half-open. @default 1 */
  halfOpenCalls?: number
  /**
   * What counts as a failure, among the outcomes that reached the server (those that did not are
   * never counted: see {@link health}). @default network errors, timeouts and statuses >= 500
   */
  isFailure?: (outcome: { error?: unknown; response?: ClientResponse | undefined }) => boolean
  /** Hears every state change. */
  onStateChange?: (event: BreakerEvent) => void
  /**
   * Shares the breaker with other instances (`createRedisBreakerStore`): when one opens it, the
   * others open too, until the same moment, and when a trial call closes it they close too: at
   * once when the store pushes news (Redis pub/sub), within `syncInterval` otherwise (opening
   * only). Requests never wait for it.
   */
  store?: BreakerStore
  /** The shared breaker's name. @default the request's origin */
  key?: string
  /** How often the shared state is read, in ms (in the background; the fallback when news is lost). @default 1_000 */
  syncInterval?: number
  /** For tests: the clock. @default Date.now */
  now?: () => number
}

const BUCKETS = 10
// Why these: half of at least 20 calls must fail, so a blip of a few calls failing together (issue
// 22 saw 5 at once against a healthy nginx) cannot open it, while an outage opens it within a
// second or two of traffic. 30 s is Polly's default sampling duration
// (https://www.pollydocs.org/strategies/circuit-breaker.html): a blip leaves the window soon.
const defaults = {
  failureRate: 0.5,
  minimumCalls: 20,
  window: 30_000,
  cooldown: 30_000,
  halfOpenCalls: 1,
  syncInterval: 1_000,
}
const KNOWN = [...Object.keys(defaults), 'failureThreshold', 'isFailure', 'onStateChange', 'store', 'key', 'now']

/**
 * Whether an outcome says nothing about the server, so the breaker counts it neither way (as
 * resilience4j's `ignoreExceptions`): the caller gave up (its own abort, not the deadline's), this
 * or another breaker refused it, a rate limiter or a closed client kept it from being sent, or it
 * died on a connection the server had already closed (`isStaleConnection`). A refused connect is
 * not among them: that is the server being down.
 */
function unheard(request: ClientRequest, error: unknown): boolean {
  const signal = request.signal
  if (signal?.aborted && !(isTimeoutError(signal.reason) && signal.reason.limit === 'deadline')) return true
  return isCircuitOpenError(error) || isRateLimitError(error) || isClientClosedError(error) || isStaleConnection(error)
}

function defaultIsFailure({ error, response }: { error?: unknown; response?: ClientResponse | undefined }): boolean {
  if (response) return response.status >= 500
  if (isHTTPError(error)) return error.status >= 500
  return isNetworkError(error) || isTimeoutError(error)
}

/**
 * Watches real traffic (failure rate and mean latency over a sliding window) and guards it with a
 * circuit breaker: open once at least `minimumCalls` calls in the `window` failed at `failureRate`
 * or more, refusing calls at once with `CircuitOpenError` (no network call); half-open after
 * `cooldown`, letting `halfOpenCalls` trial calls through; closed again on a trial's success.
 * Its view appears in `client.health()`. Put it outside `retry()` (as `recommended()` does), so it
 * judges what callers see, a call after its retries, rather than attempts that retry healed.
 * Outcomes that say nothing about the server count neither way: the caller's own abort, a
 * `CircuitOpenError`, a `RateLimitError`, a closed client, a stale connection (`isStaleConnection`).
 *
 * @example
 * const client = createClient({ baseURL, middleware: [health({ minimumCalls: 20 }), retry()] })
 * (await client.health()).breaker?.state // 'closed'
 */
export function health(options: HealthOptions = {}): Middleware {
  checkKeys('health', options, KNOWN)
  const o = withDefaults(defaults, options)
  checkOptions(o)
  const now = o.now ?? Date.now
  const isFailure = o.isFailure ?? defaultIsFailure
  const size = o.window / BUCKETS
  const { store, syncInterval } = o
  let sharedKey = o.key
  let lastSync = Number.NEGATIVE_INFINITY
  let syncing = false
  let listening = false
  let changes = 0 // state changes so far: a read sent before one is out of date when it answers
  // Names this breaker in the news it sends, so it can skip its own when the store echoes them.
  const self = globalThis.crypto.randomUUID()
  const buckets = Array.from({ length: BUCKETS }, () => ({ slot: -1, calls: 0, failures: 0, latency: 0 }))
  let state: BreakerReport['state'] = 'closed'
  let consecutive = 0
  let openedAt = 0
  let trials = 0

  /** `at`: when the call ended, on the breaker's clock. */
  function record(failed: boolean, latency: number, at: number): void {
    const slot = Math.floor(at / size)
    const bucket = buckets[slot % BUCKETS] as (typeof buckets)[number]
    if (bucket.slot !== slot) Object.assign(bucket, { slot, calls: 0, failures: 0, latency: 0 })
    bucket.calls++
    bucket.latency += latency
    if (failed) bucket.failures++
    consecutive = failed ? consecutive + 1 : 0
  }

  function report(): BreakerReport {
    const oldest = Math.floor(now() / size) - BUCKETS + 1
    let calls = 0
    let failures = 0
    let latency = 0
    for (const b of buckets) if (b.slot >= oldest) (calls += b.calls), (failures += b.failures), (latency += b.latency)
    const view: BreakerReport = {
      state,
      consecutiveFailures: consecutive,
      calls,
      failures,
      failureRate: calls ? failures / calls : 0,
      meanLatencyMs: calls ? latency / calls : 0,
    }
    if (state !== 'closed') view.openedAt = new Date(openedAt).toISOString()
    if (state === 'open') view.nextTrialAt = new Date(openedAt + o.cooldown).toISOString()
    return view
  }

  /** `heard`: the change came from the fleet (its opening moment, or 0 for a close), so it is not sent back. */
  function move(to: BreakerReport['state'], reason: string, heard?: number): void {
    const from = state
    state = to
    changes++
    if (to === 'open') openedAt = heard ?? now()
    if (to === 'closed') for (const b of buckets) b.slot = -1
    // Tell the other instances (in the background: a request never waits for the store).
    if (store && sharedKey !== undefined && heard === undefined) {
      if (to === 'open') store.open(sharedKey, openedAt + o.cooldown, self).catch(() => undefined)
      else if (to === 'closed') store.close(sharedKey, self).catch(() => undefined)
    }
    o.onStateChange?.({ from, to, reason, report: report() })
  }

  /** Follows another instance's breaker as soon as its news arrives (stores that push news). */
  function hear(news: BreakerNews): void {
    if (news.sender === self) return
    if (news.state === 'open') {
      // Already open here: the news changes nothing, and nobody hears of a change that was not.
      if (state !== 'open' && news.until > now()) move('open', 'opened by another instance (breaker news)', news.until - o.cooldown)
    } else if (state !== 'closed') move('closed', 'closed by another instance (its trial call succeeded)', 0)
  }

  function listen(key: string): void {
    listening = true
    store?.subscribe?.(key, hear)
  }

  /** Reads the shared state now and then, in the background; opens here if another instance did. */
  function sync(): void {
    const at = now()
    if (!store || sharedKey === undefined || syncing || at - lastSync < syncInterval) return
    syncing = true
    lastSync = at
    const asked = changes
    store
      .get(sharedKey)
      .then((until) => {
        // News that came meanwhile (a close) is newer than this read: it must not reopen the breaker.
        if (until !== undefined && until > now() && state === 'closed' && changes === asked) {
          move('open', 'opened by another instance (shared breaker state)', until - o.cooldown)
        }
      })
      .catch(() => undefined)
      .finally(() => {
        syncing = false
      })
  }

  // The call's end, read once: its latency and its bucket come from the same clock read (a read
  // costs ~60–75 ns on the machines we measured, a third of this middleware's cost per call).
  // Without a `now` of the caller's, the breaker's clock is Date.now(), which
  // performance.timeOrigin + performance.now() tracks closely enough for 6-second buckets.
  const endedAt = (end: number): number => (o.now ? o.now() : performance.timeOrigin + end)

  function settle(failed: boolean, started: number, trial: boolean): void {
    const end = performance.now()
    record(failed, end - started, endedAt(end))
    if (trial) trials--
    if (state === 'half-open' && trial) {
      move(failed ? 'open' : 'closed', failed ? 'the trial call failed' : 'the trial call succeeded')
      return
    }
    if (state !== 'closed' || !failed) return
    const { calls, failureRate } = report()
    if (o.failureThreshold !== undefined && consecutive >= o.failureThreshold) move('open', `${consecutive} failures in a row`)
    else if (calls >= o.minimumCalls && failureRate >= o.failureRate)
      move('open', `failure rate ${(failureRate * 100).toFixed(0)}% over ${calls} calls`)
  }

  if (store && sharedKey !== undefined) listen(sharedKey)

  /** Lets the call through (`true`: as a half-open trial), or throws why not. */
  function admit(request: ClientRequest): boolean {
    if (store) {
      if (!listening) listen((sharedKey ??= request.url.origin))
      sync()
    }
    if (state === 'open' && now() >= openedAt + o.cooldown) move('half-open', `cooldown of ${o.cooldown} ms over`)
    if (state === 'open' || (state === 'half-open' && trials >= o.halfOpenCalls)) {
      // A call the caller gave up on rejects with its reason, not with the breaker's refusal.
      if (request.signal?.aborted) throw request.signal.reason
      // Half-open, the cooldown is over: the honest wait is the one that follows a failed trial.
      if (state === 'half-open') throw new CircuitOpenError(request, o.cooldown, 'half-open')
      throw new CircuitOpenError(request, Math.max(0, openedAt + o.cooldown - now()))
    }
    const trial = state === 'half-open'
    if (trial) trials++
    return trial
  }

  // A `then` rather than an async function: no frame kept alive across the call (see retry()).
  const guard: Middleware = function health(request, next) {
    let trial: boolean
    try {
      trial = admit(request)
    } catch (error) {
      return Promise.reject(error)
    }
    const started = performance.now()
    return next(request).then(
      (response) => {
        settle(isFailure({ response }), started, trial)
        return response
      },
      (error: unknown) => {
        if (unheard(request, error)) {
          if (trial) trials-- // neither success nor failure: the next call is the trial
        } else settle(isFailure({ error }), started, trial)
        throw error
      },
    )
  }
  return Object.assign(guard, { [HEALTH_REPORT]: () => ({ breaker: report() }) })
}

function checkOptions(o: HealthOptions & Required<Pick<HealthOptions, 'failureRate' | 'window'>>): void {
  for (const name of ['failureThreshold', 'minimumCalls', 'halfOpenCalls'] as const) {
    const value = o[name]
    if (name === 'failureThreshold' && value === undefined) continue
    if (!Number.isInteger(value) || (value as number) < 1)
      throw new RangeError(`health: ${name} must be an integer >= 1, got ${String(value)}`)
  }
  for (const name of ['window', 'cooldown', 'syncInterval'] as const) checkMs(`health: ${name}`, o[name], false)
  if (typeof o.failureRate !== 'number' || !(o.failureRate > 0 && o.failureRate <= 1)) {
    throw new RangeError(`health: failureRate must be a ratio in (0, 1], such as 0.5, got ${String(o.failureRate)}`)
  }
  for (const name of ['isFailure', 'onStateChange', 'now'] as const) {
    if (o[name] !== undefined && typeof o[name] !== 'function')
      throw new TypeError(`health: ${name} must be a function, got ${typeof o[name]}`)
  }
  if (o.key !== undefined && typeof o.key !== 'string') throw new TypeError(`health: key must be a string, got ${typeof o.key}`)
  const { store } = o
  if (store !== undefined && (typeof store?.get !== 'function' || typeof store.open !== 'function' || typeof store.close !== 'function')) {
    throw new TypeError('health: store must be a BreakerStore with get, open and close (createRedisBreakerStore)')
  }
  if (store?.subscribe !== undefined && typeof store.subscribe !== 'function') {
    throw new TypeError(`health: store.subscribe must be a function (key, listener) => unsubscribe, got ${typeof store.subscribe}`)
  }
}
