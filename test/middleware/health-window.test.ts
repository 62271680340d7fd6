// health()'s breaker as a failure ratio over a sliding window with a minimum number of calls
// (issue 22, item 1). The middleware is called directly with a `next` that answers from memory and
// a clock the test moves: no server, no sleeps. Cases ported, in our words, from:
// - cockatiel, src/breaker/SamplingBreaker.test.ts: "does not start failing if below threshold
//   rps" (too few calls never open it), "increments and wraps buckets correctly" (calls older than
//   the window drop out), "resets when recovering from a half-open" (a closed breaker starts an
//   empty window);
// - resilience4j, circuitbreaker/internal/CircuitBreakerStateMachineTest.java:
//   "shouldOpenAfterFailureRateThresholdExceeded" (opens on the call that brings the ratio to the
//   threshold once the minimum is met), "shouldOnlyPermitFourCallsInHalfOpenState" (a limited
//   number of trials), "shouldTransitionToHalfOpenAfterWaitDuration", and its `ignoreExceptions`
//   (an outcome counted neither as a success nor as a failure);
// - Polly's advanced circuit breaker (failure ratio, minimum throughput, sampling duration): the
//   same rules, and its 30 s sampling duration as our default window.
import { describe, expect, it } from 'vitest'
import { type BreakerEvent, type HealthOptions, health } from '../../middleware/health.js'
import type { BreakerReport } from '../../src/client/health.js'
import { HEALTH_REPORT } from '../../src/client/health.js'
import { RequestHeaders } from '../../src/core/headers.js'
import type { ClientRequest, ClientResponse, Middleware } from '../../src/core/types.js'
import { CircuitOpenError, ClientClosedError, RateLimitError, TimeoutError } from '../../src/errors/errors.js'
import { NetworkError } from '../../src/errors/network-error.js'
import { STALE_CONNECTION } from '../../src/errors/tls-errors.js'
import { buildRequest } from '../../src/request/request.js'

const defaults = {
  base: 'http://api.test',
  origin: 'http://api.test',
  headers: new RequestHeaders().seal(),
  shared: {},
  throwHttpErrors: true,
  redaction: undefined,
}

/** A breaker on a clock the test moves, and ways to feed it outcomes. */
function breaker(options: HealthOptions = {}) {
  let clock = 1_000_000
  const events: BreakerEvent[] = []
  const mw = health({ now: () => clock, onStateChange: (e) => void events.push(e), ...options }) as Middleware
  const request = (): ClientRequest => buildRequest(defaults, 'GET', '/items')
  const answer = (status: number) => async (r: ClientRequest) =>
    ({
      status,
      ok: status < 400,
      headers: new Headers(),
      url: r.url.href,
      data: undefined,
      request: r,
      raw: undefined,
    }) as unknown as ClientResponse
  const call = (next: (r: ClientRequest) => Promise<ClientResponse>, r = request()) =>
    mw(r, next).then(
      () => 'ok',
      (e: unknown) => e,
    )
  const refused = (r = request()) => new NetworkError(r, Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))
  return {
    events,
    tick: (ms: number) => void (clock += ms),
    report: () => (mw as unknown as { [HEALTH_REPORT]: () => { breaker: BreakerReport } })[HEALTH_REPORT]().breaker,
    ok: (n = 1) => serially(n, () => call(answer(200))),
    fail: (n = 1) => serially(n, () => call(answer(503))),
    refusedConnect: (n = 1) => serially(n, () => call(async (r) => Promise.reject(refused(r)))),
    call,
    request,
    answer,
  }
}

async function serially(n: number, f: () => Promise<unknown>): Promise<unknown[]> {
  const out: unknown[] = []
  for (let i = 0; i < n; i++) out.push(await f())
  return out
}

const stale = (r: ClientRequest) =>
  new NetworkError(r, Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET', [STALE_CONNECTION]: true }))

describe('health() window: what opens the breaker', () => {
  it('failures in a row do not open it by default: five failed calls among successes leave it closed', async () => {
    const b = breaker()
    await b.ok(20)
    await b.fail(5)
    expect(b.report()).toMatchObject({ state: 'closed', calls: 25, failures: 5, consecutiveFailures: 5 })
    expect(b.events).toEqual([])
  })

  it('fewer calls than minimumCalls in the window never open it, however many of them fail', async () => {
    const b = breaker()
    await b.fail(19)
    expect(b.report()).toMatchObject({ state: 'closed', calls: 19, failures: 19 })
  })

  it('opens on the failure that brings the ratio to failureRate once minimumCalls were seen', async () => {
    const b = breaker()
    await b.ok(10)
    await b.fail(9)
    expect(b.report().state).toBe('closed') // 9 of 19: the minimum is not met
    await b.fail(1)
    expect(b.events.map((e) => `${e.from}→${e.to}: ${e.reason}`)).toEqual(['closed→open: failure rate 50% over 20 calls'])
    expect(await b.call(b.answer(200))).toBeInstanceOf(CircuitOpenError)
  })

  it('stays closed while the ratio is under failureRate, however long the run', async () => {
    const b = breaker()
    for (let i = 0; i < 300; i++) {
      await b.ok(2)
      await b.fail(1) // 33% of a steady stream
      b.tick(250)
    }
    expect(b.report()).toMatchObject({ state: 'closed' })
    expect(b.report().failureRate).toBeCloseTo(1 / 3, 1)
  })

  it('forgets calls older than the window (30 s by default)', async () => {
    const b = breaker()
    await b.fail(19)
    b.tick(30_000)
    await b.fail(1)
    expect(b.report()).toMatchObject({ state: 'closed', calls: 1, failures: 1 })
  })

  it('counts calls still inside the window: 19 failures, then one more 15 s later, open it', async () => {
    const b = breaker()
    await b.fail(19)
    b.tick(15_000)
    await b.fail(1)
    expect(b.report().state).toBe('open')
  })

  it('counts a refused connect as a failure: that is the server being down', async () => {
    const b = breaker()
    await b.refusedConnect(20)
    expect(b.report()).toMatchObject({ state: 'open', failures: 20 })
  })

  it('counts a call the total deadline ended as a failure (the caller did not give up: time ran out)', async () => {
    const b = breaker()
    for (let i = 0; i < 20; i++) {
      const r = b.request()
      const controller = new AbortController()
      const deadline = new TimeoutError(r, 4_000, 'deadline')
      controller.abort(deadline)
      await b.call(async () => Promise.reject(deadline), { ...r, signal: controller.signal })
    }
    expect(b.report()).toMatchObject({ state: 'open', failures: 20 })
  })

  it('keeps the consecutive trigger for who asks: failureThreshold: 3 opens on 3 in a row', async () => {
    const b = breaker({ failureThreshold: 3 })
    await b.fail(3)
    expect(b.events.map((e) => e.reason)).toEqual(['3 failures in a row'])
  })
})

describe('health() window: what never counts against the server', () => {
  const unheard: [string, (r: ClientRequest) => unknown][] = [
    ['a connection the server had already closed (isStaleConnection)', stale],
    ['another breaker’s CircuitOpenError', (r) => new CircuitOpenError(r, 1_000)],
    ['a rate limiter’s refusal', (r) => new RateLimitError(r, 500, 10, 1_000)],
    ['a closed client', (r) => new ClientClosedError(r)],
  ]
  for (const [what, error] of unheard) {
    it(`${what} counts neither as a failure nor as a success`, async () => {
      const b = breaker()
      for (let i = 0; i < 30; i++) expect(await b.call(async (r) => Promise.reject(error(r)))).toBeInstanceOf(Error)
      expect(b.report()).toMatchObject({ state: 'closed', calls: 0, failures: 0 })
    })
  }

  it('a call the caller aborted counts neither way', async () => {
    const b = breaker()
    const reason = new Error('the user went away')
    for (let i = 0; i < 30; i++) await b.call(async () => Promise.reject(reason), { ...b.request(), signal: AbortSignal.abort(reason) })
    expect(b.report()).toMatchObject({ state: 'closed', calls: 0 })
  })
})

describe('health() window: half-open', () => {
  async function opened(options: HealthOptions = {}) {
    const b = breaker({ cooldown: 5_000, ...options })
    await b.fail(20)
    expect(b.report().state).toBe('open')
    return b
  }

  it('refuses every call until the cooldown is over, then lets a trial through', async () => {
    const b = await opened()
    b.tick(4_999)
    expect(await b.call(b.answer(200))).toBeInstanceOf(CircuitOpenError)
    b.tick(1)
    expect(await b.call(b.answer(200))).toBe('ok')
    expect(b.events.map((e) => e.to)).toEqual(['open', 'half-open', 'closed'])
  })

  it('lets halfOpenCalls trials through at once and refuses the rest while they are in flight', async () => {
    const b = await opened({ halfOpenCalls: 2 })
    b.tick(5_000)
    const pending: (() => void)[] = []
    const slow = (r: ClientRequest) => new Promise<ClientResponse>((resolve) => pending.push(() => void resolve(b.answer(200)(r) as never)))
    const trials = [b.call(slow), b.call(slow)]
    const third = await b.call(b.answer(200))
    expect(third).toBeInstanceOf(CircuitOpenError)
    expect((third as CircuitOpenError).state).toBe('half-open')
    for (const release of pending) release()
    expect(await Promise.all(trials)).toEqual(['ok', 'ok'])
    expect(b.report().state).toBe('closed')
  })

  it('a failed trial opens it again for another cooldown', async () => {
    const b = await opened()
    b.tick(5_000)
    await b.fail(1)
    expect(b.events.map((e) => `${e.to}: ${e.reason}`).slice(-1)).toEqual(['open: the trial call failed'])
    expect(await b.call(b.answer(200))).toBeInstanceOf(CircuitOpenError)
  })

  it('a trial that ends on a stale connection decides nothing and frees its slot for the next call', async () => {
    const b = await opened()
    b.tick(5_000)
    await b.call(async (r) => Promise.reject(stale(r)))
    expect(b.report().state).toBe('half-open')
    expect(await b.call(b.answer(200))).toBe('ok')
    expect(b.report().state).toBe('closed')
  })

  it('closing starts an empty window: the failures that opened it are forgotten', async () => {
    const b = await opened()
    b.tick(5_000)
    await b.ok(1)
    await b.fail(19)
    expect(b.report()).toMatchObject({ state: 'closed', calls: 19, failures: 19 })
  })
})
