// A lossy, slow link on loopback: a TCP proxy between the client and a server that delays and
// "loses" segments the way TCP experiences it. This kernel has no netem (`tc qdisc … netem delay
// 100ms 50ms loss 5%`), so the link is modelled in user space; what the client and the server see
// is what they would see over such a link, at the level of bytes and time:
//
// - Delay: each segment (up to `mss` bytes of what one side wrote) reaches the other side after
//   `delay ± jitter` ms, uniform. Order is kept per direction: TCP hands the application bytes in
//   order, so a segment never overtakes one sent before it (netem with jitter would reorder; TCP
//   would then hold the later one back until the gap fills: the same arrival times as here).
// - Loss: a segment is lost with probability `loss`. TCP resends it after a retransmission timeout
//   (RTO), and the receiving application sees it only then, with everything after it held back
//   (head-of-line blocking). A small request or answer is a "tail" with nothing after it to trigger
//   a fast retransmit, so the RTO is what it costs: Linux's RTO is srtt + max(4·rttvar, 200 ms)
//   (RFC 6298 §2.3, with Linux's 200 ms floor TCP_RTO_MIN on the variance term), so `rto` defaults
//   to the mean round trip + 200 ms = 400 ms on this link. A resent segment may be lost again:
//   each further loss doubles the timeout (RFC 6298 §5.5).
// - A lost SYN: a new connection waits for the initial RTO, 1 s (RFC 6298 §2.1, Linux's
//   TCP_TIMEOUT_INIT), doubling on a second loss. The client's kernel completes the handshake with
//   the proxy at once (the proxy cannot hold it back), so the proxy holds back every byte of the
//   connection instead, both ways, until the handshake would have completed: one round trip, plus
//   those timeouts. Time to the first byte of the answer is what a lost SYN costs, and that is
//   the same.
// - A close (FIN) travels after the data before it, like a segment (never lost: its loss only
//   delays it, which changes nothing here); a reset travels after the delay, discarding nothing.
//   Data that reaches a side that has closed resets the connection, as a kernel answers it.
//
// The randomness is seeded (`seed`), so a run can be repeated; `stats` says what the link did.
import { connect, createServer, type Server, type Socket } from 'node:net'
import { prng } from '../../bench/stats.mjs'

export type LossyLinkOptions = {
  /** Where the proxy forwards: the server's port on 127.0.0.1. */
  port: number
  /** Mean one-way delay, ms. @default 100 */
  delay?: number
  /** The one-way delay varies uniformly by ± this, ms. @default 50 */
  jitter?: number
  /** Probability that a segment (or a SYN) is lost. @default 0.05 */
  loss?: number
  /** Bytes per segment (Ethernet's MSS). @default 1460 */
  mss?: number
  /** The first retransmission timeout of a lost segment, ms. @default 2 × delay + 200 */
  rto?: number
  /** The initial RTO a lost SYN waits, ms. @default 1000 */
  synRto?: number
  /** Seeds the random source. @default 22 */
  seed?: number
}

export type LinkStats = { connections: number; synsLost: number; segments: number; segmentsLost: number; resets: number }

export type LossyProxy = { url: string; port: number; stats: LinkStats; close(): Promise<void> }

/** Starts the proxy on 127.0.0.1:0 in front of `port`. */
export async function startLossyProxy(options: LossyLinkOptions): Promise<LossyProxy> {
  const { port, delay = 100, jitter = 50, loss = 0.05, mss = 1460, synRto = 1000, seed = 22 } = options
  const rto = options.rto ?? 2 * delay + 200
  const random = prng(seed)
  const stats: LinkStats = { connections: 0, synsLost: 0, segments: 0, segmentsLost: 0, resets: 0 }
  const oneWay = (): number => delay + (2 * random() - 1) * jitter
  /** The extra wait of a segment (or SYN) that may be lost, and lost again: timeout, doubling. */
  const retransmissions = (first: number, count: () => void): number => {
    let wait = 0
    for (let timeout = first; random() < loss; timeout *= 2) (wait += timeout), count()
    return wait
  }
  const sockets = new Set<Socket>()

  /** One direction of the link: what `from` writes reaches `to`, in order, late. */
  function pipe(from: Socket, to: Socket, openAt: number): void {
    let last = openAt // when the previous segment reached `to`
    const at = (extra = 0): number => (last = Math.max(last, Date.now() + oneWay() + extra))
    const later = (when: number, act: () => void): void => void setTimeout(act, Math.max(0, when - Date.now()))
    from.on('data', (chunk: Buffer) => {
      for (let i = 0; i < chunk.length; i += mss) {
        stats.segments++
        const segment = chunk.subarray(i, i + mss)
        const when = at(retransmissions(rto, () => stats.segmentsLost++))
        later(when, () => {
          // The other side has gone: its kernel answers data with a reset.
          if (to.destroyed || to.writableEnded) return void (from.destroyed || (stats.resets++, from.resetAndDestroy()))
          to.write(segment)
        })
      }
    })
    from.on('end', () => later(at(), () => to.destroyed || to.end()))
    from.on('error', () => undefined)
    from.on('close', (hadError) => {
      if (hadError) later(at(), () => to.destroyed || (stats.resets++, to.resetAndDestroy()))
    })
  }

  const server: Server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    stats.connections++
    // The handshake: a round trip, and the initial RTO (doubling) each time the SYN is lost.
    const lostSyn = retransmissions(synRto, () => stats.synsLost++)
    const open = Date.now() + oneWay() + oneWay() + lostSyn
    const upstream = connect({ port, host: '127.0.0.1', allowHalfOpen: true })
    for (const socket of [client, upstream]) sockets.add(socket), socket.once('close', () => sockets.delete(socket))
    pipe(client, upstream, open)
    pipe(upstream, client, open)
    client.resume()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port: own } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${own}`,
    port: own,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
