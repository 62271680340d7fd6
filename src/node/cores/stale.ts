// Which failures are a reused keep-alive connection the server had already closed, as undici's
// diagnostics channels show them (https://undici.nodejs.org/#/docs/api/DiagnosticsChannel): the
// request went out on a connection that had carried an answer before, and the connection closed
// before one byte of this request's answer came back. A server closes an idle connection when its
// own keep-alive timeout ends (nginx 75 s by default, 1–5 s behind many load balancers, gunicorn
// 2 s) and says nothing about it; a request written in that instant meets the close.
import { channel } from 'node:diagnostics_channel'
import type { Socket } from 'node:net'
import { causes } from '../../errors/tls-errors.js'

/** The connection a request went out on, and how many bytes it had read by then (undici's Request). */
const SOCKET = Symbol('fetchline.socket')
const READ_AT = Symbol('fetchline.readAt')

type Sent = { request: Record<symbol, unknown>; headers: unknown; socket: Socket }
type Failed = { request: Record<symbol, unknown>; error: unknown }

/** The errors of requests that met a closed reused connection (ours or anyone's: they are only looked up). */
const staleErrors = new WeakSet<object>()
let watching = false

// How the close shows: undici's SocketError ('other side closed' on the server's FIN, 'closed'),
// or the system's reset / broken pipe when the server's RST came first.
const CLOSED = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE'])

/**
 * Starts watching undici's requests (once per process): from then on {@link staleCause} knows
 * which failures met a closed reused connection. The channels are undici's public diagnostics,
 * shared by every copy of undici in the process; a request costs one check of its socket here
 * (and two properties on undici's own request object when its connection is reused).
 *
 * @example
 * watchStaleConnections() // in openTransport(), before the first request
 */
export function watchStaleConnections(): void {
  if (watching) return
  watching = true
  channel('undici:client:sendHeaders').subscribe(onSendHeaders as (message: unknown) => void)
  channel('undici:request:error').subscribe(onError as (message: unknown) => void)
}

/**
 * The error in `error`'s cause chain with which undici failed a request because its reused
 * connection had been closed by the server before any byte of the answer came back, if any.
 *
 * @example
 * const stale = staleCause(error) // then markStale(stale), and maybe resend (src/request/resend-policy.ts)
 */
export function staleCause(error: unknown): object | undefined {
  for (const e of causes(error)) if (staleErrors.has(e)) return e
  return undefined
}

// Published "right before the first byte of the request is written to the socket".
function onSendHeaders({ request, headers, socket }: Sent): void {
  // A connection that never read a byte is fresh: nothing to race. TLS counts cleartext bytes.
  const read = socket.bytesRead
  if (!(read > 0)) return
  // HTTP/1.1 only: an HTTP/2 session reports its streams through this channel too, and a stream
  // closed by the server is GOAWAY's business (RFC 9113 §6.8), not this race.
  // undici's HTTP/1.1 head starts with its request line, `GET /path HTTP/1.1`.
  if (typeof headers !== 'string' || !headers.startsWith(' HTTP/1.1', headers.indexOf('\r\n') - 9)) return
  request[SOCKET] = socket
  request[READ_AT] = read
}

function onError({ request, error }: Failed): void {
  const socket = request[SOCKET] as Socket | undefined
  if (socket === undefined || socket.bytesRead !== request[READ_AT]) return
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string' && CLOSED.has(code)) staleErrors.add(error as object)
}
