// Header mapping between undici's dispatch options and node:http2 (RFC 9113 §8.2–8.3), for the
// HTTP/2 exchanges of ./exchange.ts.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2'
import type { Dispatcher } from 'undici'

// Connection-specific fields are malformed in HTTP/2 (RFC 9113 §8.2.2): node:http2 throws on them,
// so they are dropped, as browsers and undici's own HTTP/1.1-to-h2 callers expect. `host` becomes
// `:authority` (§8.3.1).
const DROPPED = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'http2-settings', 'host'])

type Given = Dispatcher.DispatchOptions['headers']

/**
 * The request's HTTP/2 header block: pseudo-headers first, then the given fields, lower-cased,
 * repeated names joined (`cookie` kept as separate fields, §8.2.3), `content-length` added for a
 * body whose length is known.
 *
 * @example
 * requestHeaders({ origin: 'https://a.example', path: '/x?y=1', method: 'GET', headers: ['accept', 'application/json'] }, 'a.example', undefined)
 * // { ':method': 'GET', ':path': '/x?y=1', ':scheme': 'https', ':authority': 'a.example', accept: 'application/json' }
 */
export function requestHeaders(options: Dispatcher.DispatchOptions, authority: string, length: number | undefined): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {
    ':method': options.method,
    ':path': options.path,
    ':scheme': 'https',
    ':authority': authority,
  }
  forEachHeader(options.headers, (name, value) => add(headers, name, value))
  if (length !== undefined && headers['content-length'] === undefined) headers['content-length'] = String(length)
  return headers
}

function add(headers: OutgoingHttpHeaders, name: string, value: string): void {
  if (name === 'host') headers[':authority'] = value
  if (DROPPED.has(name) || (name === 'te' && value.toLowerCase() !== 'trailers')) return
  const known = headers[name]
  if (known === undefined) headers[name] = value
  else if (name === 'cookie') headers[name] = Array.isArray(known) ? [...known, value] : [String(known), value]
  else headers[name] = `${String(known)}, ${value}`
}

/** Calls `visit` with each lower-cased name and value of undici's header shapes: a flat array, pairs, or a record. */
function forEachHeader(given: Given, visit: (name: string, value: string) => void): void {
  if (given == null) return
  const each = (name: unknown, value: unknown): void => {
    if (value === undefined || value === null) return
    const lower = String(name).toLowerCase()
    if (Array.isArray(value)) for (const item of value) visit(lower, String(item))
    else visit(lower, String(value))
  }
  if (Array.isArray(given)) {
    if (given.length > 0 && Array.isArray(given[0])) for (const [name, value] of given as unknown as [string, unknown][]) each(name, value)
    else for (let i = 0; i < given.length; i += 2) each(given[i], given[i + 1])
  } else if (typeof (given as Iterable<unknown>)[Symbol.iterator] === 'function') {
    for (const [name, value] of given as Iterable<[string, unknown]>) each(name, value)
  } else {
    for (const name in given) each(name, (given as Record<string, unknown>)[name])
  }
}

/**
 * A response's header object without its pseudo-headers, as undici hands them to a handler.
 *
 * @example
 * responseHeaders({ ':status': 200, 'content-type': 'text/plain' }) // { 'content-type': 'text/plain' }
 */
export function responseHeaders(headers: IncomingHttpHeaders): Record<string, string | string[] | undefined> {
  const fields: Record<string, string | string[] | undefined> = {}
  for (const name in headers) if (name.charCodeAt(0) !== 58 /* ':' */) fields[name] = headers[name]
  return fields
}

/**
 * The raw `[name, value, …]` Buffers undici's legacy handlers (its fetch's) read; node:http2 hands
 * values over as latin1 strings, so latin1 gives back the bytes on the wire.
 *
 * @example
 * rawHeaders({ 'set-cookie': ['a=1', 'b=2'] }) // [<set-cookie>, <a=1>, <set-cookie>, <b=2>]
 */
export function rawHeaders(headers: Record<string, string | string[] | undefined>): Buffer[] {
  const raw: Buffer[] = []
  for (const name in headers) {
    const value = headers[name]
    if (value === undefined) continue
    const key = Buffer.from(name, 'latin1')
    if (Array.isArray(value)) for (const item of value) raw.push(key, Buffer.from(item, 'latin1'))
    else raw.push(key, Buffer.from(String(value), 'latin1'))
  }
  return raw
}
