// recommended() over a lossy link (issue 22, "Done when": 5% packet loss, 100 ± 50 ms delay): the
// breaker never opens, and every call ends, with a result or a typed error, by its deadline. The
// link is test/helpers/lossy-proxy.ts (its header says how it models TCP's view of loss) between
// the client and a real nginx, a fresh link per core.
//
// The traffic is bursty, as real traffic is: bursts of 128 concurrent GETs with idle gaps longer
// than the pool's keep-alive, so each burst opens fresh connections over the link. About one SYN
// in twenty is lost, and a lost SYN costs the 1 s initial RTO: those attempts all outlive the 1 s
// attempt limit together, about one second into the burst, when the rest of the burst has long
// been answered. retry() sends them again and they succeed; the callers see no failure. A breaker
// that counted attempts saw those timeouts as "five failures in a row" and refused everything for
// 30 s (the issue saw it open in 3 of 5 runs; here it opened on one core or both in each of our
// runs before the change). health() judges calls after their retries, by their failure ratio over
// a window, as cockatiel's SamplingBreaker and Polly's and resilience4j's sliding windows do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recommended } from '../../index.js'
import type { BreakerEvent } from '../../middleware/health.js'
import { createClient, isCircuitOpenError, isClientError } from '../../src/index.js'
import { startLossyProxy } from '../helpers/lossy-proxy.js'
import { type Nginx, nginxMissing, startNginx } from '../helpers/nginx.js'
import { testPKI } from '../helpers/tls.js'

const ATTEMPT = 1_000
const TOTAL = 4_000
const BURSTS = 3
const BURST = 128
/** The pool closes a connection idle this long; the gap between bursts is longer. */
const KEEP_ALIVE = 1_000
const GAP = 1_300
/**
 * Timers fire late on a busy machine: how far past its deadline a call may settle. 4,005 ms was
 * seen on a 2-core CI run (Node 26); a call the deadline did not end would hang on for the link's
 * next retransmission, seconds, not a few hundred ms.
 */
const LATE = 400

type Outcome = { ms: number; error?: unknown }

describe.skipIf(nginxMissing())('recommended() over a link with 5% loss and 100 ± 50 ms delay', () => {
  let nginx: Nginx
  beforeAll(async () => {
    // nginx's own default idle limit, so that loss is the only weather on this link.
    nginx = await startNginx({ pki: await testPKI(), keepaliveTimeout: '75s' })
  })
  afterAll(() => nginx?.stop())

  for (const core of ['fetch', 'undici'] as const) {
    it(`never opens the breaker; every call settles by its ${TOTAL} ms deadline (${core} core)`, async () => {
      const link = await startLossyProxy({ port: Number(new URL(nginx.http).port) })
      const events: BreakerEvent[] = []
      const middleware = recommended({
        log: false,
        timeout: { attempt: ATTEMPT, total: TOTAL },
        health: { onStateChange: (e) => void events.push(e) },
      })
      await using api = createClient({ baseURL: link.url, core, pool: { keepAliveTimeout: KEEP_ALIVE }, middleware })
      const outcomes: Outcome[] = []
      const call = async (): Promise<void> => {
        const started = performance.now()
        const error = await api.get('/json').then(
          () => undefined,
          (e: unknown) => e ?? new Error('rejected without a reason'),
        )
        outcomes.push({ ms: performance.now() - started, ...(error && { error }) })
      }
      try {
        for (let b = 0; b < BURSTS; b++) {
          await Promise.all(Array.from({ length: BURST }, call))
          if (b < BURSTS - 1) await new Promise((resolve) => setTimeout(resolve, GAP))
        }
      } finally {
        await link.close()
      }

      const failed = outcomes.filter((o) => o.error)
      const slowest = Math.max(...outcomes.map((o) => o.ms))
      console.info(
        `[${core} core] ${outcomes.length} calls: ${failed.length} failed`,
        failed.map((o) => `${(o.error as Error).name}: ${(o.error as Error).message}`).slice(0, 5),
        `slowest ${slowest.toFixed(0)} ms; the link:`,
        link.stats,
        `breaker events: ${events.map((e) => `${e.from}→${e.to} (${e.reason})`).join(', ') || 'none'}`,
      )
      expect(outcomes).toHaveLength(BURSTS * BURST)
      expect(failed.filter((o) => isCircuitOpenError(o.error))).toEqual([])
      expect(events).toEqual([])
      expect(failed.filter((o) => !isClientError(o.error))).toEqual([]) // typed errors only
      expect(slowest).toBeLessThanOrEqual(TOTAL + LATE)
    }, 30_000)
  }
})
