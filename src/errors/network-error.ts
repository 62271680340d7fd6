// NetworkError: a request that failed below HTTP, and how its cause is read — the system code,
// a TLS failure, a forward proxy's refusal — said in words that name neither a secret nor the raw URL.

import { STATUS_TEXT } from '../core/status.js'
import type { ClientRequest } from '../core/types.js'
import { scrubText } from '../redact/redact.js'
import { scrubError } from '../redact/render.js'
import { ClientError, KIND, where } from './errors.js'
import { causes, findTLSFailure, isRefusedStream, type TLSFailureKind } from './tls-errors.js'

// Errors that prove the request never left this process: no connection was made.
const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EAI_NODATA',
  'EAI_NONAME',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
])

/**
 * The request failed below HTTP: refused, reset, DNS, TLS, a socket closed mid-answer.
 *
 * @example
 * catch (error) {
 *   if (isNetworkError(error) && error.neverSent) // safe to send again, even a POST
 * }
 */
export class NetworkError extends ClientError {
  override name = 'NetworkError'
  static override readonly [KIND]: string = 'NetworkError'
  /** The system or undici code: `ECONNREFUSED`, `ECONNRESET`, `ENOTFOUND`, `UND_ERR_SOCKET`, … */
  readonly systemCode: string | undefined
  /**
   * `true` when the failure proves the request never reached the server (refused, DNS, connect
   * timeout, TLS, an HTTP/2 stream the server refused before processing it): sending it again is
   * safe for every method.
   */
  readonly neverSent: boolean
  /**
   * Set when TLS failed over a certificate: `'certificate'`, this side did not accept the
   * server's (untrusted CA, expired, wrong host); `'refused'`, the server refused the handshake
   * over ours (none sent, or one it does not trust). Retrying does not heal either, so `retry()`
   * does not retry them.
   */
  readonly tlsFailure: TLSFailureKind | undefined
  /**
   * The status a forward proxy refused the CONNECT (or the request) with, e.g. 407 when its
   * credentials are wrong: `retry()` does not retry a 407, which only repeats the refusal.
   */
  readonly proxyStatus: number | undefined

  constructor(request: ClientRequest, cause: unknown) {
    const tls = findTLSFailure(cause)
    const systemCode = tls?.code ?? findSystemCode(cause)
    const refused = proxyRefusal(cause)
    const reason = tls ? scrubText(tls.reason, request.redaction) : (refused?.reason ?? findMessage(cause, request))
    super(`${where(request)} failed: ${reason}${systemCode ? ` (${systemCode})` : ''}`, {
      code: 'FL_ERR_NETWORK',
      request,
      // The cause chain is handed out too: a custom fetch's error may name the raw URL.
      cause: scrubError(cause, request.redaction),
    })
    this.systemCode = systemCode
    this.tlsFailure = tls?.kind
    this.proxyStatus = refused?.status
    // A proxy that refused the CONNECT (or the request) never passed it on to the origin.
    this.neverSent =
      tls !== undefined || refused !== undefined || (systemCode !== undefined && NEVER_SENT.has(systemCode)) || isRefusedStream(cause)
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      systemCode: this.systemCode,
      neverSent: this.neverSent,
      tlsFailure: this.tlsFailure,
      proxyStatus: this.proxyStatus,
    }
  }
}

function findSystemCode(error: unknown): string | undefined {
  for (const e of causes(error)) if (typeof e.code === 'string') return e.code
  return undefined
}

// What undici's proxy agents fail with when the proxy refuses: the CONNECT of a tunnel
// (lib/dispatcher/proxy-agent.js), or a plain-HTTP request sent to it in absolute form.
const TUNNEL_REFUSED = /^Proxy response \((\d{3})\) !== 200 when HTTP Tunneling$/
const REQUEST_REFUSED = /^Proxy Authentication Required \((407)\)$/

/** The refusal of a forward proxy, said plainly (undici's words name neither side), or `undefined`. */
function proxyRefusal(error: unknown): { reason: string; status: number } | undefined {
  for (const e of causes(error)) {
    const message = e.message
    if (typeof message !== 'string') continue
    const match = TUNNEL_REFUSED.exec(message) ?? REQUEST_REFUSED.exec(message)
    if (!match) continue
    const status = Number(match[1])
    const what = match.input.startsWith('Proxy response') ? 'the CONNECT' : 'the request'
    const hint = status === 407 ? ': check the proxy credentials (user:password in the proxy URL)' : ''
    return { reason: `the proxy refused ${what} with ${status} ${STATUS_TEXT[status] ?? 'Unknown Status'}${hint}`, status }
  }
  return undefined
}

function findMessage(error: unknown, request: ClientRequest): string {
  // fetch wraps the real reason: TypeError('fetch failed', { cause }). Show the innermost one.
  let e = error as { message?: unknown; cause?: unknown } | undefined
  while (e?.cause && typeof e.cause === 'object') e = e.cause as typeof e
  const text = typeof e?.message === 'string' && e.message ? e.message : String(error)
  // A custom fetch may name the URL in its message: never let its secrets through.
  return scrubText(text, request.redaction)
}
