import { checkKeys } from '../core/options.js'
import type { Core } from '../core/types.js'
import { ClientClosedError } from '../errors/errors.js'
import { buildRequest, checkTimeout, type RequestDefaults } from '../request/request.js'

/**
 * What `client.health()` probes and what counts as healthy.
 *
 * @example
 * await client.health({ path: '/healthz', healthy: (status) => status === 200, timeout: 2_000 })
 */
export type HealthCheckOptions = {
  /** Path probed with a GET, relative to baseURL. @default '' (the baseURL itself) */
  path?: string
  /** Which statuses count as healthy. @default any status below 500 */
  healthy?: (status: number) => boolean
  /** Milliseconds the probe may take. @default 5000 */
  timeout?: number
}

/**
 * The passive view a `health()` middleware keeps of real traffic, with its circuit breaker.
 */
export type BreakerReport = {
  state: 'closed' | 'open' | 'half-open'
  /** Failures in a row, as of the last call. */
  consecutiveFailures: number
  /** Calls and failures in the sliding window. */
  calls: number
  failures: number
  /** failures / calls in the window (0 with no calls). */
  failureRate: number
  /** Mean latency of the calls in the window, in ms. */
  meanLatencyMs: number
  /** When the breaker last opened (ISO 8601). */
  openedAt?: string
  /** When an open breaker lets a trial call through (ISO 8601). */
  nextTrialAt?: string
}

/**
 * A middleware that carries this symbol as a property (a function returning part of a report)
 * contributes to `client.health()`; the `health()` middleware uses it for its breaker.
 *
 * @example
 * const watcher = Object.assign(myMiddleware, { [HEALTH_REPORT]: () => ({ breaker: myBreaker.report() }) })
 */
export const HEALTH_REPORT: unique symbol = Symbol.for('fetchline.health.report') as never

/** The outcome of a probe. `client.health()` never throws: failures are reported here. */
export type HealthReport = {
  ok: boolean
  /** The status the service answered with, when it answered. */
  status?: number
  latencyMs: number
  /** Why the probe failed (a redacted message). */
  error?: string
  /** When the probe started (ISO 8601). */
  checkedAt: string
  /** The breaker's view of real traffic, when the pipeline has a `health()` middleware. */
  breaker?: BreakerReport
}

type Reporter = () => Partial<HealthReport>

/** The report contributors among the middleware, found once at client creation. */
export function findReporters(middleware: readonly object[]): Reporter[] {
  return middleware.flatMap((mw) => {
    const reporter = (mw as { [HEALTH_REPORT]?: unknown })[HEALTH_REPORT]
    return typeof reporter === 'function' ? [reporter as Reporter] : []
  })
}

/**
 * One GET straight to the core: no retries, no breaker, a short timeout. The body is read and
 * dropped so the connection returns to the pool.
 */
export async function probe(
  core: Core,
  defaults: RequestDefaults,
  reporters: readonly Reporter[],
  options: HealthCheckOptions = {},
  closed = false,
): Promise<HealthReport> {
  const report = await probeOnce(core, defaults, options, closed)
  for (const reporter of reporters) Object.assign(report, reporter())
  return report
}

async function probeOnce(core: Core, defaults: RequestDefaults, options: HealthCheckOptions, closed: boolean): Promise<HealthReport> {
  const checkedAt = new Date().toISOString()
  const started = performance.now()
  const elapsed = (): number => Math.round((performance.now() - started) * 10) / 10
  try {
    if (closed) throw new ClientClosedError()
    checkKeys('client.health', options, ['path', 'healthy', 'timeout'])
    const healthy = options.healthy ?? ((status: number) => status < 500)
    const request = buildRequest(defaults, 'GET', options.path ?? '', {
      timeout: checkTimeout(options.timeout ?? 5_000, 'health timeout') ?? 5_000,
      throwHttpErrors: false,
      responseType: 'arrayBuffer',
    })
    const response = await core(request)
    return { ok: healthy(response.status), status: response.status, latencyMs: elapsed(), checkedAt }
  } catch (error) {
    return { ok: false, latencyMs: elapsed(), error: error instanceof Error ? error.message : String(error), checkedAt }
  }
}
