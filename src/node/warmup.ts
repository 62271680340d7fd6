// client.warmup() on Node: undici 7 has no public pre-connect (a Pool makes a Client, and the
// Client dials, only when a request needs one), so warm-up dials through the pool's own connector
// (TCP, TLS, ALPN: the same options, the same TLS session cache) and keeps the live sockets here.
// The Agent's connector wrapper hands one to undici's next connect for that origin instead of
// dialling. A stashed socket that closes is dropped; one unused after `ttl` is closed.
import { isIP, type Socket } from 'node:net'
import type { TLSSocket } from 'node:tls'
import type { buildConnector } from 'undici'
import type { WarmupFailure } from '../core/warmup.js'

type Warm = { socket: Socket; servername: string | null; release(): void }

/** What a warm-up dial is ended with when the warm-up is aborted, times out, or the client closes. */
export class WarmupEnded extends Error {
  override name = 'WarmupEnded'
  readonly code = 'FL_ERR_WARMUP_ENDED'
}

/** Sockets `warmup()` opened, per origin, until undici's next connect to that origin takes one. */
export class Stash {
  /** Sockets waiting, all origins: 0 keeps the connector's path to a single comparison. */
  size = 0
  closed = false
  readonly #ready = new Map<string, Warm[]>()
  readonly #dialing = new Set<Socket>()

  /** How many sockets wait for `origin`. */
  count(origin: string): number {
    return this.#ready.get(origin)?.length ?? 0
  }

  /** A live socket for this connect, if one waits; undici then skips dialling. */
  take(origin: string, servername: string | null | undefined): Socket | undefined {
    const list = this.#ready.get(origin)
    const index = list?.findIndex((warm) => warm.servername === (servername ?? null)) ?? -1
    if (!list || index < 0) return undefined
    const [warm] = list.splice(index, 1) as [Warm]
    if (list.length === 0) this.#ready.delete(origin)
    this.size--
    warm.release()
    const { socket } = warm
    if (socket.destroyed || !socket.writable) {
      socket.destroy()
      return this.take(origin, servername)
    }
    return socket
  }

  /** Keeps `socket` for `origin` until taken, closed by the server, or `ttl` ms pass unused. */
  put(origin: string, socket: Socket, servername: string | null, ttl: number): void {
    if (this.closed) {
      socket.destroy()
      return
    }
    const drop = (): void => {
      const list = this.#ready.get(origin)
      const index = list?.indexOf(warm) ?? -1
      if (!list || index < 0) return
      list.splice(index, 1)
      if (list.length === 0) this.#ready.delete(origin)
      this.size--
      warm.release()
      socket.destroy()
    }
    // A paused socket never reads the server's FIN: `read(0)` reads without taking any byte, so
    // 'end' (then 'close') comes when the server closes it. Bytes before any request on HTTP/1.1
    // (a 408, a goodbye) would be read as the first answer: such a socket is dropped too. On h2
    // they are the server's SETTINGS, left for the session.
    const h1 = (socket as TLSSocket).alpnProtocol !== 'h2'
    const watch = (): void => {
      if (h1 && socket.readableLength > 0) drop()
      else socket.read(0)
    }
    const timer = setTimeout(drop, ttl).unref()
    // Idle sockets do not hold the process open (undici unrefs its idle ones too).
    socket.unref()
    socket.once('end', drop).once('close', drop).on('readable', watch)
    const warm: Warm = {
      socket,
      servername,
      release() {
        clearTimeout(timer)
        socket.off('end', drop).off('close', drop).off('readable', watch)
        socket.ref()
      },
    }
    const list = this.#ready.get(origin) ?? []
    list.push(warm)
    this.#ready.set(origin, list)
    this.size++
  }

  /**
   * Dials `origin` through `connect`; resolves with the socket, or rejects with why. `ended` ends
   * the dial (a connector that returns no socket cannot be ended: its result is dropped then).
   */
  dial(connect: buildConnector.connector, options: buildConnector.Options, ended: Promise<Error>): Promise<Socket> {
    const dialing = this.#dialing
    return new Promise<Socket>((resolve, reject) => {
      let returned: Socket | undefined
      let settled = false
      const done = (error: Error | null, socket?: Socket): void => {
        if (returned) dialing.delete(returned)
        if (settled) return void socket?.destroy()
        settled = true
        if (error || !socket) reject(error ?? new Error('the connector gave no socket'))
        else resolve(socket)
      }
      const value = connect(options, (error, socket) => done(error, socket as Socket | undefined)) as unknown
      if (settled || !isSocket(value)) {
        void ended.then((error) => done(error))
        return
      }
      returned = value
      dialing.add(value)
      void ended.then((error) => {
        if (!settled) value.destroy(error)
      })
    })
  }

  /** Closes every waiting socket and ends every dial: for `close()`. */
  close(): void {
    this.closed = true
    for (const socket of this.#dialing) socket.destroy(new WarmupEnded('the client was closed'))
    for (const list of [...this.#ready.values()]) for (const warm of [...list]) warm.socket.destroy()
  }
}

/** What warming one origin is to do. */
export type WarmPlan = {
  origin: string
  /** Connections to open now. */
  count: number
  /** With `allowH2`: open one first, and no more if it speaks h2. */
  probeH2: boolean
  ttl: number
  timeout: number
  signal: AbortSignal | undefined
  localAddress: string | null | undefined
}

/** What warming one origin did. */
export type Warmed = { opened: number; failed: number; errors: WarmupFailure[]; h2: boolean }

/**
 * Opens `plan.count` connections to `plan.origin` through `connect` into `stash`, within
 * `plan.timeout` and `plan.signal`. Connect failures are counted, never thrown; an abort rejects
 * with the signal's reason once every dial has ended.
 */
export async function warmOrigin(stash: Stash, connect: buildConnector.connector, plan: WarmPlan): Promise<Warmed> {
  const warmed: Warmed = { opened: 0, failed: 0, errors: [], h2: false }
  const options = dialOptions(plan.origin, plan.localAddress)
  const { ended, finish } = deadline(plan.timeout, plan.signal)
  const one = async (): Promise<void> => {
    try {
      const socket = await stash.dial(connect, options, ended)
      if ((socket as TLSSocket).alpnProtocol === 'h2') warmed.h2 = true
      stash.put(plan.origin, socket, options.servername ?? null, plan.ttl)
      warmed.opened++
    } catch (error) {
      warmed.failed++
      noteFailure(warmed.errors, plan.origin, error)
    }
  }
  try {
    let count = plan.count
    if (plan.probeH2 && count > 0) {
      await one()
      count = warmed.h2 ? 0 : count - 1
    }
    await Promise.all(Array.from({ length: count }, one))
  } finally {
    finish()
  }
  if (plan.signal?.aborted) throw plan.signal.reason
  return warmed
}

/** Resolves with why, when `timeout` ms pass or `signal` aborts; `finish()` lets go of both. */
function deadline(timeout: number, signal: AbortSignal | undefined): { ended: Promise<Error>; finish(): void } {
  let end: (error: Error) => void = () => {}
  const ended = new Promise<Error>((resolve) => (end = resolve))
  const timer = setTimeout(() => end(new WarmupEnded(`the warm-up timed out after ${timeout} ms`)), timeout).unref()
  const onAbort = (): void => end(new WarmupEnded('the warm-up was aborted'))
  if (signal?.aborted) onAbort()
  else signal?.addEventListener('abort', onAbort, { once: true })
  return {
    ended,
    finish() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      end(new WarmupEnded('the warm-up is over'))
    },
  }
}

/** The options undici's Client passes its connector for `origin` (lib/dispatcher/client.js `connect`). */
export function dialOptions(origin: string, localAddress: string | null | undefined): buildConnector.Options {
  const { host, hostname, protocol, port } = new URL(origin)
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname
  return {
    host,
    hostname: bare,
    protocol,
    port,
    servername: serverName(origin),
    localAddress: localAddress ?? null,
  } as buildConnector.Options
}

/** The servername undici's first request to `origin` sets (core/util.js `getServerName`): none for an IP or plain HTTP. */
export function serverName(origin: string): string | null {
  const { hostname, protocol } = new URL(origin)
  if (protocol !== 'https:') return null
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname
  return isIP(bare) ? null : bare
}

/** Counts failures by kind, keeping only the origin, the code and the message. */
export function noteFailure(failures: WarmupFailure[], origin: string, error: unknown): void {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  const text = typeof message === 'string' ? message : String(error)
  const known = failures.find((failure) => failure.message === text && failure.code === code)
  if (known) known.count++
  else failures.push({ origin, ...(typeof code === 'string' ? { code } : {}), message: text, count: 1 })
}

export function isSocket(value: unknown): value is Socket {
  return typeof (value as Socket | undefined)?.destroy === 'function' && typeof (value as Socket).once === 'function'
}
