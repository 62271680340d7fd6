// Which transport failures are TLS refusals, and how to say so. Pure: no Node import, so it runs
// wherever errors.ts does. Retrying never heals these: they are configuration, not weather.

/** How TLS failed: this side did not accept the server's certificate, or the server refused ours. */
export type TLSFailureKind = 'certificate' | 'refused'

export type TLSFailure = { kind: TLSFailureKind; code: string; reason: string }

// OpenSSL's verify results as Node names them (X509_V_ERR_*), and Node's own hostname check.
// These say the chain ends in a CA this process does not trust: `ca` is the fix for a private CA.
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
])
const INVALID = new Set([
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'HOSTNAME_MISMATCH',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
])

// TLS alerts (RFC 8446 §6.2) a server sends when it will not take this client's certificate, or
// its lack of one: Node names them ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED and the like.
const ALERT = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_(.+)$/
const CLIENT_CERTIFICATE_ALERTS = new Set([
  'CERTIFICATE_REQUIRED',
  'HANDSHAKE_FAILURE',
  'BAD_CERTIFICATE',
  'UNKNOWN_CA',
  'CERTIFICATE_UNKNOWN',
  'CERTIFICATE_EXPIRED',
  'CERTIFICATE_REVOKED',
  'UNSUPPORTED_CERTIFICATE',
  'ACCESS_DENIED',
  'DECRYPT_ERROR',
])

type Coded = { code?: unknown; message?: unknown; reason?: unknown; cause?: unknown; errors?: unknown }

/**
 * The TLS refusal in an error's cause chain, if there is one, with a reason that says what to fix.
 *
 * @example
 * findTLSFailure(Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }))
 * // { kind: 'certificate', code: 'SELF_SIGNED_CERT_IN_CHAIN', reason: "the server's TLS certificate was not accepted: …" }
 */
export function findTLSFailure(error: unknown): TLSFailure | undefined {
  for (const e of causes(error)) {
    const code = typeof e.code === 'string' ? e.code : undefined
    if (code && (UNTRUSTED.has(code) || INVALID.has(code))) {
      const hint = UNTRUSTED.has(code) ? '; if a private CA signed it, trust that CA with pool: { connect: { ca } }' : ''
      return { kind: 'certificate', code, reason: `the server's TLS certificate was not accepted: ${String(e.message)}${hint}` }
    }
    const alert = code && ALERT.exec(code)?.[1]
    if (code && alert && CLIENT_CERTIFICATE_ALERTS.has(alert)) {
      // OpenSSL's message is a long internal line; its `reason` is the readable part.
      const said = typeof e.reason === 'string' ? e.reason : `alert ${alert.toLowerCase().replaceAll('_', ' ')}`
      const reason = `the server refused the TLS handshake (${said}); it may require a client certificate signed by a CA it trusts: pass it as pool: { connect: { cert, key } }`
      return { kind: 'refused', code, reason }
    }
  }
  return undefined
}

// What servers that finish the handshake and refuse at the HTTP layer answer (nginx with
// `ssl_verify_client on`, and ingress-nginx, Kong and OpenResty on top of it): a 400 page naming
// its internal status 496 (no certificate) or 495 (one it did not accept), or those statuses
// themselves where an `error_page` passes them through. Apache, Envoy, Go, Node and AWS ALB refuse
// during the handshake instead: a TLS alert, which findTLSFailure() reads.
// http://nginx.org/en/docs/http/ngx_http_ssl_module.html#errors
const NGINX_PAGES: ReadonlyArray<readonly [string, string]> = [
  ['No required SSL certificate was sent', 'no client certificate was sent'],
  ['The SSL certificate error', 'it did not accept the client certificate (untrusted CA, expired, or not for client use)'],
]

/**
 * A client certificate refusal that came as an HTTP answer (nginx's 400 pages, or its statuses
 * 495 and 496), with a reason that names the fix.
 *
 * @example
 * certificateRefusal(400, '<title>400 No required SSL certificate was sent</title>')
 * // { kind: 'refused', code: 'NGINX_NO_CLIENT_CERT', reason: 'the server answered that no client certificate was sent …' }
 */
export function certificateRefusal(status: number, body: unknown): TLSFailure | undefined {
  if (status !== 400 && status !== 495 && status !== 496) return undefined
  const text = typeof body === 'string' ? body : ''
  const page = NGINX_PAGES.find(([said]) => text.includes(said))
  const missing = page ? page === NGINX_PAGES[0] : status === 496 ? true : status === 495 ? false : undefined
  if (missing === undefined) return undefined
  const said = page ? ` ("${page[0]}")` : ''
  const what = missing ? 'no client certificate was sent' : (NGINX_PAGES[1] as readonly [string, string])[1]
  return {
    kind: 'refused',
    code: missing ? 'NGINX_NO_CLIENT_CERT' : 'NGINX_CLIENT_CERT_ERROR',
    reason: `the server answered that ${what}${said}; it requires a client certificate signed by a CA it trusts: pass it as pool: { connect: { cert, key } }`,
  }
}

/**
 * Whether an HTTP/2 stream was reset with REFUSED_STREAM: the server closed it "prior to any
 * processing having occurred", so it "can be safely retried" (RFC 9113 §8.7), whatever its method.
 * Node reports it as ERR_HTTP2_STREAM_ERROR naming the code in its message.
 *
 * @example
 * isRefusedStream(fetchError) // true after stream.close(NGHTTP2_REFUSED_STREAM) on the server
 */
export function isRefusedStream(error: unknown): boolean {
  for (const e of causes(error)) {
    if (e.code === 'ERR_HTTP2_STREAM_ERROR' && String(e.message).includes('NGHTTP2_REFUSED_STREAM')) return true
  }
  return false
}

/**
 * An error and what it wraps, outermost first, at most 6 deep: its `cause`, or for an
 * AggregateError (happy eyeballs: every address failed) its first error. Every search of a
 * transport failure for its code or its reason walks this one chain.
 *
 * @example
 * for (const e of causes(new TypeError('fetch failed', { cause: refused }))) console.log(e.code) // undefined, 'ECONNREFUSED'
 */
export function* causes(error: unknown): Generator<Coded> {
  let e = error as Coded | undefined
  for (let depth = 0; e && typeof e === 'object' && depth < 6; depth++) {
    yield e
    e = (Array.isArray(e.errors) && e.errors.length ? e.errors[0] : e.cause) as Coded | undefined
  }
}

/**
 * Marks a transport error as a connection that closed under the request before any byte of its
 * answer came back, on a connection the pool had reused: the server had already let go of it (an
 * idle keep-alive close racing the request), so the failure says nothing about the server's health.
 * Registered, so two installed copies agree; kept through `scrubError`'s copies (symbol keys are).
 */
export const STALE_CONNECTION: symbol = Symbol.for('fetchline.staleConnection')

/**
 * Whether a failure is a reused connection the server had already closed (see {@link STALE_CONNECTION}).
 *
 * @example
 * isStaleConnection(Object.assign(new Error('other side closed'), { [STALE_CONNECTION]: true })) // true
 */
export function isStaleConnection(error: unknown): boolean {
  for (const e of causes(error)) if ((e as Record<PropertyKey, unknown>)[STALE_CONNECTION] === true) return true
  return false
}
