// The parts of cache() that turn bytes into answers and answers into entries: the caller's
// response from a stored entry or a fresh body, the entry from a response (secrets left out),
// a 304's headers merged into a stored entry (RFC 9111 §3.2, §4.3.4), and Vary matching.
import { Headers } from '../src/core/headers.js'
import type { CacheResult, ClientRequest, ClientResponse } from '../src/core/types.js'
import { isSecret } from '../src/features/cache-key.js'
import { parseCacheControl, varyNames } from '../src/features/cache-policy.js'
import type { CacheEntry } from '../src/features/cache-store.js'
import { BytesBody, readBufferedBody, settle } from '../src/request/body.js'

const NULL_BODY = new Set([101, 204, 205, 304])

/**
 * The caller's answer: the body parsed as `request` asks (or as its content type implies, as the
 * cores do), `HTTPError` thrown when the status and `throwHttpErrors` call for it, and `cache`
 * saying where it came from. `raw` is built from the bytes on first access.
 */
export async function answer(
  request: ClientRequest,
  status: number,
  headers: Headers,
  url: string,
  bytes: Uint8Array,
  cache: CacheResult,
): Promise<ClientResponse> {
  const data = await readBufferedBody(request, status, headers.get('content-type') ?? '', new BytesBody(bytes))
  let raw: Response | undefined
  const response: ClientResponse = {
    status,
    ok: status >= 200 && status < 300,
    headers,
    url,
    data,
    request,
    cache,
    get raw() {
      raw ??= new Response(NULL_BODY.has(status) ? null : bytes.slice(), { status, headers })
      return raw
    },
  }
  return settle(response)
}

/** A stored entry's headers for the caller, with its `Age` (RFC 9111 §5.1) in whole seconds. */
export function storedHeaders(entry: CacheEntry, age: number): Headers {
  const headers = new Headers()
  for (const [name, value] of entry.headers) if (name !== 'age') headers.append(name, value)
  headers.set('age', String(Math.floor(age / 1000)))
  return headers
}

/** Headers a cache never stores (§3.1: connection-specific ones). */
const NOT_STORED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-authenticate',
  'proxy-authentication-info',
])
/**
 * Headers a 304 does not replace (§3.2: `Content-Length`; and what describes the stored bytes: the
 * entry keeps the headers its body came with, as the caller saw them on the full answer).
 */
const KEPT_ON_304 = new Set(['content-length', 'content-encoding', 'content-type', 'content-range'])

/**
 * Whether a response header's value is a secret under the client's redaction rules, and so never
 * stored: `Set-Cookie`, `X-Session-Token`, … `Public-Key-Pins` matches the rules' "key" but holds
 * hashes of public keys, made to be published.
 */
function secretResponseHeader(name: string, request: ClientRequest): boolean {
  return isSecret(name, request) && !name.startsWith('public-key-pins')
}

/** Header names the response says must not be stored with it (`no-cache="…"`, `private="…"`). */
function withheld(headers: Headers): Set<string> {
  const cc = parseCacheControl(headers.get('cache-control'))
  const names = new Set<string>()
  for (const directive of ['no-cache', 'private']) {
    for (const name of (cc.get(directive) ?? '').split(',')) if (name.trim()) names.add(name.trim().toLowerCase())
  }
  for (const name of (headers.get('connection') ?? '').split(',')) if (name.trim()) names.add(name.trim().toLowerCase())
  return names
}

/** The headers of `headers` that may be stored: not connection-specific, not withheld, no secret. */
export function storableHeaders(headers: Headers, request: ClientRequest): Array<[string, string]> {
  const skip = withheld(headers)
  const kept: Array<[string, string]> = []
  for (const [name, value] of headers) {
    if (NOT_STORED.has(name) || skip.has(name) || secretResponseHeader(name, request)) continue
    kept.push([name, value])
  }
  return kept
}

/**
 * The stored entry refreshed by a 304 (§4.3.4): every header the 304 carries replaces the stored
 * one of its name (undici's interceptor drops them, undici#5505), except what is never stored and
 * what describes the stored bytes (`Content-Length`, `Content-Encoding`, `Content-Type`);
 * body and status stay; the times are the revalidation's.
 */
export function refreshed(
  entry: CacheEntry,
  notModified: Headers,
  request: ClientRequest,
  requestTime: number,
  responseTime: number,
): CacheEntry {
  const fresh = storableHeaders(notModified, request).filter(([name]) => !KEPT_ON_304.has(name))
  const replaced = new Set(fresh.map(([name]) => name))
  const headers = [...entry.headers.filter(([name]) => !replaced.has(name)), ...fresh]
  return { ...entry, headers, requestTime, responseTime }
}

/** A request header's value as a Vary key: combined, trimmed, a secret one hashed. */
export async function varyValue(request: ClientRequest, name: string, hash: (input: string) => Promise<string>): Promise<string | null> {
  const value = request.headers.get(name)
  if (value === null) return null
  const normal = value
    .split(',')
    .map((part) => part.trim())
    .join(', ')
  return isSecret(name, request) ? `#${await hash(`vary\n${name}\n${normal}`)}` : normal
}

/** The request's values of the headers `response` varies on (lower-case names). */
export async function varyOf(
  request: ClientRequest,
  response: Headers,
  hash: (input: string) => Promise<string>,
): Promise<Record<string, string | null>> {
  const vary: Record<string, string | null> = {}
  const names = varyNames(response.get('vary'))
  if (names === '*') return vary
  for (const name of names) vary[name] = await varyValue(request, name, hash)
  return vary
}

/** Whether `entry` was stored for a request like this one: the same values of every Vary'd header. */
export async function varyMatches(entry: CacheEntry, request: ClientRequest, hash: (input: string) => Promise<string>): Promise<boolean> {
  for (const name in entry.vary) {
    if ((await varyValue(request, name, hash)) !== entry.vary[name]) return false
  }
  return true
}
