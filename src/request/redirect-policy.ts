// The one redirect policy of both cores, as pure functions: which answers redirect, where the next
// hop goes, with which method, body and headers, and when to stop. The undici core dispatches each
// hop itself; the fetch core asks fetch for `redirect: 'manual'` (undici's fetch, Bun, Deno and
// workerd then hand the 3xx back as it is) and follows here, so no runtime's own rules apply.

import { Headers } from '../core/headers.js'
import { describe } from '../core/options.js'
import type { ClientRequest } from '../core/types.js'
import { MaxRedirectsError } from '../errors/errors.js'
import { isSecretHeader, type RedactionRules } from '../redact/redact.js'

/**
 * How many redirects a call follows unless the client says otherwise: fetch's own limit
 * (https://fetch.spec.whatwg.org/#http-redirect-fetch, step 7).
 */
export const MAX_REDIRECTS = 20

/**
 * The client's `maxRedirects` option, checked: a whole number >= 0, or {@link MAX_REDIRECTS}
 * when it is not given.
 *
 * @example
 * checkMaxRedirects(undefined) // 20
 * checkMaxRedirects(-1) // RangeError: maxRedirects must be a whole number >= 0 …
 */
export function checkMaxRedirects(value: unknown): number {
  if (value === undefined) return MAX_REDIRECTS
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value
  throw new RangeError(
    `maxRedirects must be a whole number >= 0 (how many redirects a call follows; 0 follows none and hands the 3xx back), got ${describe(value)}`,
  )
}

/** One request of a redirect chain: where it goes and what it carries. */
export type Hop = { readonly url: URL; readonly method: string; readonly headers: Headers; readonly body: unknown }

// RFC 9110 §15.4: 300 (no single target) and 304 (not a redirect at all) are answers of their own.
const REDIRECTS = new Set([301, 302, 303, 307, 308])
// What describes a body that is no longer sent (fetch's request-body-header names, and the length).
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']

/**
 * Whether an answer with `status` redirects: 301, 302, 303, 307 or 308.
 *
 * @example
 * isRedirect(302) // true
 * isRedirect(304) // false: not modified is an answer, not a redirect
 */
export function isRedirect(status: number): boolean {
  return REDIRECTS.has(status)
}

/**
 * The hop after an answer of `hop`, or `undefined` when that answer is the call's: not a redirect,
 * no `Location`, `max` is 0, or a 307/308 whose body is a stream (it cannot be sent twice). The
 * next hop is what fetch would send (RFC 9110 §15.4): 303, and 301/302 after a POST, become a
 * GET without a body; on a change of origin (scheme, host or port: https → http too) every
 * header the request's redaction rules hide is dropped. Throws a {@link MaxRedirectsError} when
 * `followed` redirects already reached `max`, and a TypeError for a `Location` that is no http(s) URL.
 *
 * @example
 * const next = nextHop(request, hop, 302, '/moved', 0, MAX_REDIRECTS) // { url: …/moved, method, headers, body }
 */
export function nextHop(
  request: ClientRequest,
  hop: Hop,
  status: number,
  location: string | readonly string[] | null | undefined,
  followed: number,
  max: number,
): Hop | undefined {
  if (max === 0 || !REDIRECTS.has(status)) return undefined
  const url = targetOf(status, location, hop.url)
  if (url === undefined) return undefined
  const toGet = becomesGet(status, hop.method)
  if (!toGet && hop.body instanceof ReadableStream) return undefined
  if (followed >= max) throw new MaxRedirectsError(request, max, status, url)
  const crossOrigin = url.origin !== hop.url.origin
  let headers = hop.headers
  if (crossOrigin) headers = withoutSecrets(headers, request.redaction)
  if (toGet) {
    if (headers === hop.headers) headers = new Headers(headers)
    for (const name of BODY_HEADERS) headers.delete(name)
  }
  return { url, method: toGet ? 'GET' : hop.method, headers, body: toGet ? undefined : hop.body }
}

/**
 * Whether an answer of `hop` is left behind for a next hop (or a {@link MaxRedirectsError}) when
 * redirects are followed at all (`maxRedirects` > 0), as {@link nextHop} decides, known from its
 * head alone: its body is then let go of unread, so the undici core does not decode it (nor does
 * undici's fetch decode a redirect it follows).
 *
 * @example
 * leavesBehind({ method: 'GET', body: undefined }, 302, '/moved') // true
 * leavesBehind({ method: 'GET', body: undefined }, 302, undefined) // false: no Location, the 3xx is the answer
 */
export function leavesBehind(
  hop: Pick<Hop, 'method' | 'body'>,
  status: number,
  location: string | readonly string[] | null | undefined,
): boolean {
  const value = typeof location === 'string' ? location : location?.[0]
  if (!REDIRECTS.has(status) || !value) return false
  return becomesGet(status, hop.method) || !(hop.body instanceof ReadableStream)
}

/** 303, and 301/302 after a POST, make the next hop a GET without a body (RFC 9110 §15.4, fetch). */
function becomesGet(status: number, method: string): boolean {
  return status === 303 ? method !== 'GET' && method !== 'HEAD' : (status === 301 || status === 302) && method === 'POST'
}

/** The URL a redirect points to (userinfo removed), `undefined` without a Location; throws for a bad one. */
function targetOf(status: number, location: string | readonly string[] | null | undefined, base: URL): URL | undefined {
  let value = location
  // Location is single-valued (RFC 9110 §10.2.2): repeats of one value are that value; two
  // different ones are a broken answer, as fetch, Chromium and Firefox treat them.
  if (typeof value !== 'string' && value) {
    if (value.some((item) => item !== value?.[0])) throw new TypeError(`answered ${status} with two different Location headers`)
    value = value[0]
  }
  if (!value) return undefined
  let url: URL
  try {
    url = new URL(utf8(value), base)
  } catch {
    throw new TypeError(`answered ${status} with a Location that is not a valid URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`answered ${status} with a Location that is not an http(s) URL (${url.protocol})`)
  }
  // Credentials in a Location would be sent to wherever it points, and shown as response.url; a
  // fragment is never sent (and fetch's response.url leaves it out).
  url.username = ''
  url.password = ''
  url.hash = ''
  return url
}

/**
 * A Location sent as raw UTF-8 bytes, as some servers do, arrives as one character per byte:
 * decode it as browsers and undici's fetch do (undici lib/web/fetch/util.js, responseLocationURL).
 */
function utf8(location: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is for bytes outside printable ASCII
  if (!/[^\x20-\x7e]/.test(location) || /[^\x00-\xff]/.test(location)) return location
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(location, (c) => c.charCodeAt(0)))
  } catch {
    return location
  }
}

/**
 * The headers without what must not reach another origin: every header whose value the rules
 * hide in logs (the built-in secrets — Authorization, Proxy-Authorization, Cookie, X-API-Key,
 * API-Key, names with token, secret, key, … — and the client's own `redact()` rules; in allow
 * mode, every header not allowed), and Host.
 */
function withoutSecrets(headers: Headers, rules: RedactionRules | undefined): Headers {
  const kept = new Headers()
  for (const [name, value] of headers) if (name !== 'host' && !isSecretHeader(name, rules)) kept.append(name, value)
  return kept
}
