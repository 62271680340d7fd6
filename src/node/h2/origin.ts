import type { Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import type { buildConnector, Dispatcher } from 'undici'
import { dialOptions } from '../warmup.js'
import { H2Exchange, type Timeouts } from './exchange.js'
import { H2Session, type SessionOptions } from './session.js'

/** What the origins of one client share: its HTTP/1.1 agent, its connector, its options. */
export type H2Context = {
  /** undici's Agent, for origins that answer ALPN with HTTP/1.1. */
  readonly h1: Dispatcher
  /** Dials with ALPN `h2, http/1.1`. */
  readonly connect: buildConnector.connector
  /** Gives undici's next connect to `origin` this HTTP/1.1 socket instead of dialling again. */
  readonly handOver: (origin: string, socket: Socket) => void
  readonly localAddress: string | null | undefined
  readonly session: SessionOptions
  readonly timeouts: Timeouts
}

/**
 * The HTTP/2 sessions of one origin: one takes new streams; those the server sent GOAWAY on finish
 * theirs apart. Requests wait while it connects (a burst makes one connection, not one each).
 * When ALPN picks HTTP/1.1 instead, the origin is undici's from then on: the socket and the
 * waiting requests go to the Agent.
 */
export class H2Origin {
  /** The server answered ALPN with HTTP/1.1. */
  h1 = false
  #current: H2Session | undefined
  #connecting = false
  readonly #queue: H2Exchange[] = []
  readonly #sessions = new Set<H2Session>()
  #onClosed: (() => void) | undefined
  /** Set by destroy(): a request sent again after it fails with this instead. */
  #destroyed: Error | undefined
  /** The origin's `host`, every request's `:authority` unless it names its own. */
  readonly authority: string

  constructor(
    readonly origin: string,
    readonly context: H2Context,
  ) {
    this.authority = new URL(origin).host
  }

  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (this.h1) return this.context.h1.dispatch(options, handler)
    this.send(new H2Exchange(this, options, handler, this.context.timeouts))
    return true
  }

  send(exchange: H2Exchange): void {
    const session = this.#current
    if (this.#destroyed) exchange.fail(this.#destroyed)
    else if (session) exchange.start(session)
    else {
      this.#queue.push(exchange)
      this.#connect()
    }
  }

  drop(exchange: H2Exchange): void {
    const index = this.#queue.indexOf(exchange)
    if (index >= 0) this.#queue.splice(index, 1)
    this.#settle()
  }

  retire(session: H2Session): void {
    if (this.#current === session) this.#current = undefined
  }

  ended(session: H2Session): void {
    this.retire(session)
    this.#sessions.delete(session)
    this.#settle()
  }

  get stats(): { connected: number; pending: number; running: number; size: number } {
    let running = 0
    for (const session of this.#sessions) running += session.active
    const pending = this.#queue.length
    return { connected: this.#sessions.size, pending, running, size: pending + running }
  }

  /** Resolves once every request sent here is over and every session closed. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#onClosed = resolve
      this.#settle()
    })
  }

  destroy(error: Error): void {
    this.#destroyed = error
    for (const exchange of this.#queue.splice(0)) exchange.fail(error)
    for (const session of this.#sessions) session.session.destroy(error)
  }

  #connect(): void {
    if (this.#connecting) return
    this.#connecting = true
    const done = (error: Error | null, socket?: Socket): void => {
      this.#connecting = false
      if (error || !socket) this.#failQueue(error ?? new Error('the connector gave no socket'))
      else this.#open(socket)
      this.#settle()
    }
    try {
      this.context.connect(dialOptions(this.origin, this.context.localAddress), (error, socket) =>
        done(error, socket as Socket | undefined),
      )
    } catch (error) {
      done(error as Error)
    }
  }

  #open(socket: Socket): void {
    const queued = this.#queue.splice(0)
    if ((socket as TLSSocket).alpnProtocol !== 'h2') {
      this.h1 = true
      this.context.handOver(this.origin, socket)
      for (const exchange of queued) this.context.h1.dispatch(exchange.options, exchange.original)
      return
    }
    const session = new H2Session(this, this.origin, socket, this.context.session)
    this.#sessions.add(session)
    this.#current = session
    for (const exchange of queued) this.send(exchange)
  }

  #failQueue(error: Error): void {
    for (const exchange of this.#queue.splice(0)) exchange.fail(error)
  }

  /** While closing: once nothing waits, close the sessions (each ends when its streams have). */
  #settle(): void {
    if (!this.#onClosed || this.#connecting || this.#queue.length > 0) return
    this.#current = undefined
    for (const session of this.#sessions) if (!session.session.closed) session.session.close()
    if (this.#sessions.size > 0) return
    this.#onClosed()
    this.#onClosed = undefined
  }
}
