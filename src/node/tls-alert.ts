import type { Socket } from 'node:net'

// A TLS alert a server sends after the handshake, as TLS 1.3 servers do when they refuse the
// client's certificate (or its lack: alert 116, certificate_required), reaches undici's socket as
// an 'error' and then an 'end'; undici's 'end' handler fails the request with its own
// SocketError('other side closed'), which replaces the alert. The alert is what says why.
const ALERT = /^ERR_SSL_.*_ALERT_/

/**
 * Keeps the TLS alert a socket receives as the `cause` of the SocketError undici then fails the
 * request with, so the error names the refusal rather than "other side closed". One listener per
 * connection; nothing per request.
 *
 * @example
 * connector(options, (error, socket) => { if (socket) keepTLSAlert(socket); callback(error, socket) })
 */
export function keepTLSAlert(socket: Socket): void {
  let alert: Error | undefined
  socket.on('error', function keepTLSAlert(error: Error & { code?: unknown; cause?: unknown }) {
    if (typeof error.code === 'string' && ALERT.test(error.code)) alert ??= error
    else if (alert && error.code === 'UND_ERR_SOCKET' && error.cause === undefined) error.cause = alert
  })
}
