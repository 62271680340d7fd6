// How cache() names what it stores without storing a secret: the resource key and the credential
// identity are keyed hashes (HMAC-SHA-256, Web Crypto: every runtime has it) under the deployment's
// key. Secret query values and userinfo leave the URL before it is hashed and go into the identity.
import { RequestHeaders } from '../core/headers.js'
import type { ClientRequest } from '../core/types.js'
import { isSecretHeader, isSecretQueryParam } from '../redact/redact.js'
import { type Directives, parseCacheControl } from './cache-policy.js'

/** Rules for what a credential is: the defaults plus the client's deny rules (allow mode: the defaults). */
function credentialRules(request: ClientRequest): ClientRequest['redaction'] {
  return request.redaction?.mode === 'allow' ? undefined : request.redaction
}

/** Whether a request header's value is a secret that must never be stored as it is. */
export function isSecret(name: string, request: ClientRequest): boolean {
  return isSecretHeader(name, request.redaction)
}

/** The URL without userinfo, fragment and secret query values, and what was taken out of it. */
export function splitURL(request: ClientRequest): { resource: string; secrets: string[] } {
  const url = request.url
  const rules = credentialRules(request)
  const secrets: string[] = []
  if (url.username || url.password) secrets.push(`@${url.username}:${url.password}`)
  let query = ''
  if (url.search) {
    const kept: string[] = []
    for (const part of url.search.slice(1).split('&')) {
      const name = decodeURIComponentSafe(part.split('=', 1)[0] ?? '')
      if (isSecretQueryParam(name, rules)) secrets.push(`?${part}`)
      else kept.push(part)
    }
    if (kept.length > 0) query = `?${kept.join('&')}`
  }
  return { resource: `${url.protocol}//${url.host}${url.pathname}${query}`, secrets }
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '))
  } catch {
    return value
  }
}

/** The credential material of a request: its secret headers' values and secret URL parts, sorted. */
export function credentials(request: ClientRequest, fromURL: readonly string[]): string {
  const own = headerFacts(request).credentials
  if (fromURL.length === 0) return own
  return [own, ...fromURL].sort().join('\n')
}

/** Request headers that make a call the caller's own business: cache() lets it pass unchanged. */
const OWN = ['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since', 'if-range', 'range']

/** What cache() reads from a request's headers. */
export type HeaderFacts = {
  /** The caller sent conditional or range headers of its own. */
  readonly own: boolean
  /** The request's `Cache-Control` directives. */
  readonly asked: Directives
  /** `Pragma: no-cache` (RFC 9111 §5.4: `no-cache` when there is no `Cache-Control`). */
  readonly pragma: boolean
  /** The secret headers' `name:value` lines, sorted: the credential part of the identity. */
  readonly credentials: string
}

/**
 * Read-only headers (the client's own, carried by every call that adds none) are read once: what
 * was found is kept with them, for the redaction rules it was found under.
 */
const KNOWN = new WeakMap<Headers, { rules: ClientRequest['redaction']; facts: HeaderFacts }>()

/** What cache() needs from the request's headers, worked out once per read-only Headers. */
export function headerFacts(request: ClientRequest): HeaderFacts {
  const headers = request.headers
  const known = KNOWN.get(headers)
  if (known && known.rules === request.redaction) return known.facts
  const rules = credentialRules(request)
  const parts: string[] = []
  for (const [name, value] of headers) if (isSecretHeader(name, rules)) parts.push(`${name}:${value}`)
  const facts: HeaderFacts = {
    own: OWN.some((name) => headers.has(name)),
    asked: parseCacheControl(headers.get('cache-control')),
    pragma: /no-cache/i.test(headers.get('pragma') ?? ''),
    credentials: parts.sort().join('\n'),
  }
  if (headers instanceof RequestHeaders && headers.sealed) KNOWN.set(headers, { rules: request.redaction, facts })
  return facts
}

/** A keyed hasher: base64url HMAC-SHA-256 under one deployment key, remembered per input. */
export type Hasher = (input: string) => Promise<string>

const encoder = new TextEncoder()

/**
 * A hasher for `key` (a per-deployment secret; random per hasher when `undefined`). Recent inputs
 * are remembered (the same resource and token come back call after call), up to `memo` of them.
 */
export function createHasher(key: string | Uint8Array | undefined, memo = 2_048): Hasher {
  const raw =
    key === undefined ? crypto.getRandomValues(new Uint8Array(32)) : typeof key === 'string' ? encoder.encode(key) : new Uint8Array(key)
  const imported = crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const known = new Map<string, string>()
  return async function hash(input) {
    const hit = known.get(input)
    if (hit !== undefined) return hit
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await imported, encoder.encode(input)))
    const out = base64url(mac.subarray(0, 24))
    if (known.size >= memo) known.clear()
    known.set(input, out)
    return out
  }
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

function base64url(bytes: Uint8Array): string {
  let out = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0)
    out += ALPHABET.charAt((n >> 18) & 63) + ALPHABET.charAt((n >> 12) & 63) + ALPHABET.charAt((n >> 6) & 63) + ALPHABET.charAt(n & 63)
  }
  return out
}
