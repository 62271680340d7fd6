import type { Dispatcher } from 'undici'
import type { UnderFetch } from '../../cores/fetch.js'
import { POOL_TIMEOUTS } from '../../request/signal.js'
import type { Transport } from '../connect.js'
import { Deadlines, Timed } from './deadlines.js'
import { staleCause } from './stale.js'

/** What a deadline aborts an exchange with; the fetch core turns it into a `TimeoutError`. */
export class DeadlinePassed extends Error {
  override name = 'DeadlinePassed'
}

/**
 * fetch's dispatcher for one attempt with a time limit: the client's Agent, with every exchange
 * of the attempt (redirect hops included) bounded by the deadline — or, for a streamed answer,
 * until the headers are in. The limit covers the whole attempt: an exchange still queued in the
 * pool or waiting for its connect has no abort handle yet, so at the deadline fetch is told at
 * once that it failed, and undici's request is aborted the moment it leaves the queue.
 * undici's fetch only ever calls `dispatch` on its dispatcher, so a small object per attempt
 * carries the deadline: no AbortSignal, and the Agent is called directly (not through
 * `agent.compose()`, whose Proxy and two adapter handlers per request cost more than this).
 */
export class DeadlineDispatcher {
  /** The exchange of the current hop (hops follow one another). */
  current: Deadline | undefined
  constructor(
    readonly agent: Dispatcher,
    /** When the attempt's time is up, on the `performance.now()` clock (`undefined`: no limit, only the caller's signal). */
    readonly at: number | undefined,
    readonly untilHeaders: boolean,
    readonly transport: Transport | undefined,
    readonly deadlines: Deadlines,
  ) {}
  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const origin = options.origin instanceof URL ? options.origin.origin : String(options.origin)
    this.current =
      typeof handler.onRequestStart === 'function'
        ? new DeadlineHandler(handler, this.untilHeaders, origin, this.transport, this.deadlines)
        : new LegacyDeadlineHandler(handler as LegacyHandler, this.untilHeaders, origin, this.transport, this.deadlines)
    if (this.at !== undefined) this.deadlines.add(this.current, this.at)
    return this.agent.dispatch(options, this.current as unknown as Dispatcher.DispatchHandler)
  }
  /** The attempt is over (the caller may have aborted it while it was queued). */
  end(): void {
    this.current?.end()
  }
}

/**
 * The client's Agent as the fetch core sees it: fetch's dispatcher, and a {@link DeadlineDispatcher}
 * per attempt that has a limit or a signal. `transport` (the client's own pool) also ends connects
 * that every request gave up on.
 *
 * @example
 * const core = createFetchCore(undiciFetch, underFetch(transport.agent, transport))
 */
export function underFetch(agent: Dispatcher, transport?: Transport): UnderFetch {
  // The client's deadlines share one timer (see Deadlines: a Node timer per exchange cost more).
  const deadlines = new Deadlines()
  return {
    dispatcher: agent,
    headersTimeout: transport?.headersTimeout ?? POOL_TIMEOUTS.headersTimeout,
    bodyTimeout: transport?.bodyTimeout ?? POOL_TIMEOUTS.bodyTimeout,
    attempt: (at, untilHeaders) => new DeadlineDispatcher(agent, at, untilHeaders, transport, deadlines),
    passed: (error) => causedBy(error, DeadlinePassed),
    stale: staleCause,
  }
}

function causedBy(error: unknown, kind: new () => Error): boolean {
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) if (e instanceof kind) return true
  return false
}

/**
 * `queued` → `started` → `over`, the usual way. Given up on while queued: `abandoned` (fetch was
 * told, or is gone), then `dropped` once undici lets go of it; nothing more is forwarded.
 */
type State = 'queued' | 'started' | 'over' | 'abandoned' | 'dropped'

/** The deadline of one exchange, whichever handler API fetch speaks. */
abstract class Deadline<H = unknown> extends Timed {
  state: State = 'queued'
  constructor(
    /** fetch's handler, which hears of the exchange through this one. */
    readonly handler: H,
    readonly untilHeaders: boolean,
    readonly origin: string,
    readonly transport: Transport | undefined,
    readonly deadlines: Deadlines,
  ) {
    super()
  }
  /** Aborts the started exchange. */
  abstract abortStarted(reason: Error): void
  /** Tells fetch the exchange failed. */
  abstract failInner(reason: Error): void

  expire(): void {
    if (this.state === 'started') this.abortStarted(new DeadlinePassed())
    else if (this.state === 'queued') {
      this.abandon()
      this.failInner(new DeadlinePassed())
    }
  }
  abandon(): void {
    this.state = 'abandoned'
    this.deadlines.remove(this)
    this.transport?.abandon(this.origin)
  }
  end(): void {
    if (this.state === 'queued') this.abandon()
  }
  /** undici started the exchange: `false` when it was given up on, and is now aborted. */
  start(): boolean {
    if (this.state !== 'abandoned') {
      this.state = 'started'
      return true
    }
    this.drop()
    this.abortStarted(new DeadlinePassed())
    return false
  }
  /** The exchange ended or failed: `false` when fetch must not hear of it. */
  finish(): boolean {
    if (this.state === 'abandoned') this.drop()
    if (this.state === 'dropped') return false
    this.deadlines.remove(this)
    this.state = 'over'
    return true
  }
  drop(): void {
    this.state = 'dropped'
    this.transport?.release(this.origin)
  }
  /** The answer's headers are in: a streamed answer's limit ends here. */
  headers(status: number): void {
    if (this.untilHeaders && status >= 200) this.deadlines.remove(this)
  }
}

/** The legacy handler API (what undici's fetch hands its dispatcher). */
type LegacyHandler = {
  onConnect?(abort: (reason?: Error) => void, context?: unknown): void
  onResponseStarted?(): void
  onHeaders?(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean
  onData?(chunk: Buffer): boolean
  onComplete?(trailers: unknown): void
  onError?(error: Error): void
  onUpgrade?(status: number, rawHeaders: Buffer[], socket: unknown): void
  onRequestUpgrade?(...args: unknown[]): void
  onBodySent?(chunk: unknown): void
  onRequestSent?(): void
}

class LegacyDeadlineHandler extends Deadline<LegacyHandler> implements LegacyHandler {
  abort: ((reason?: Error) => void) | undefined
  abortStarted(reason: Error): void {
    this.abort?.(reason)
  }
  failInner(reason: Error): void {
    this.handler.onError?.(reason)
  }
  onConnect(abort: (reason?: Error) => void, context?: unknown): void {
    this.abort = abort
    if (this.start()) this.handler.onConnect?.(abort, context)
  }
  onResponseStarted(): void {
    this.handler.onResponseStarted?.()
  }
  onHeaders(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    this.headers(status)
    return this.handler.onHeaders?.(status, rawHeaders, resume, statusText) ?? true
  }
  onData(chunk: Buffer): boolean {
    return this.handler.onData?.(chunk) ?? true
  }
  onComplete(trailers: unknown): void {
    if (this.finish()) this.handler.onComplete?.(trailers)
  }
  onError(error: Error): void {
    if (this.finish()) this.handler.onError?.(error)
  }
  onUpgrade(status: number, rawHeaders: Buffer[], socket: unknown): void {
    if (this.finish()) this.handler.onUpgrade?.(status, rawHeaders, socket)
  }
  onRequestUpgrade(...args: unknown[]): void {
    if (this.finish()) this.handler.onRequestUpgrade?.(...args)
  }
  onBodySent(chunk: unknown): void {
    this.handler.onBodySent?.(chunk)
  }
  onRequestSent(): void {
    this.handler.onRequestSent?.()
  }
}

/** Stands in for a controller when fetch is told of a failure before undici started anything. */
const NOT_STARTED = Object.freeze({
  abort() {},
  pause() {},
  resume() {},
  aborted: true,
  paused: false,
  reason: null,
}) as unknown as Dispatcher.DispatchController

class DeadlineHandler extends Deadline<Dispatcher.DispatchHandler> implements Dispatcher.DispatchHandler {
  controller: Dispatcher.DispatchController | undefined
  abortStarted(reason: Error): void {
    this.controller?.abort(reason)
  }
  failInner(reason: Error): void {
    this.handler.onResponseError?.(NOT_STARTED, reason)
  }
  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.controller = controller
    if (this.start()) this.handler.onRequestStart?.(controller, context)
  }
  onRequestUpgrade(controller: Dispatcher.DispatchController, status: number, headers: never, socket: never): void {
    if (this.finish()) this.handler.onRequestUpgrade?.(controller, status, headers, socket)
  }
  onResponseStart(controller: Dispatcher.DispatchController, status: number, headers: never, message?: string): void {
    this.headers(status)
    this.handler.onResponseStart?.(controller, status, headers, message)
  }
  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.handler.onResponseData?.(controller, chunk)
  }
  onResponseEnd(controller: Dispatcher.DispatchController, trailers: never): void {
    if (this.finish()) this.handler.onResponseEnd?.(controller, trailers)
  }
  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    if (this.finish()) this.handler.onResponseError?.(controller, error)
  }
}
