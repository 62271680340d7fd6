// RFC 9111 for a private cache, as pure functions of headers and times: what may be stored, how
// long it stays fresh, how old it is, and how long it may be served stale. cache() (in
// middleware/cache.ts) decides with these; nothing here does I/O. Times in ms, epoch.
import type { CacheEntry } from './cache-store.js'

/** Parsed `Cache-Control` directives: name (lower case) → value (`''` when it has none). */
export type Directives = ReadonlyMap<string, string>

const NONE: Directives = new Map()

/**
 * Parses a `Cache-Control` field value. A repeated directive keeps its first value (RFC 9111
 * §4.2.1: a cache may use the first); quoted values are unquoted.
 */
export function parseCacheControl(value: string | null): Directives {
  if (!value) return NONE
  const directives = new Map<string, string>()
  // Directives split on commas outside quoted strings; `name = value` (space around `=`) is no directive.
  for (const match of value.matchAll(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g)) {
    const part = match[0].trim()
    const eq = part.indexOf('=')
    const name = (eq < 0 ? part : part.slice(0, eq)).toLowerCase()
    if (name === '' || /\s/.test(name) || directives.has(name)) continue
    let raw = eq < 0 ? '' : part.slice(eq + 1)
    if (/^\s/.test(raw)) continue
    if (raw.startsWith('"')) raw = raw.slice(1, raw.endsWith('"') ? -1 : undefined).replace(/\\(.)/g, '$1')
    directives.set(name, raw)
  }
  return directives
}

/** A delta-seconds value (§1.2.2) in ms: digits only; too large saturates at 2³¹ s. */
export function deltaSeconds(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value)) return undefined
  return Math.min(Number(value), 2_147_483_648) * 1000
}

const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec'
const IMF = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/
const RFC850 = /^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/
const ASCTIME = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/

/**
 * An HTTP-date (RFC 9110 §5.6.7: IMF-fixdate, or the obsolete RFC 850 and asctime forms) as epoch
 * ms, or `undefined` when it is none of them: a date written any other way is invalid, and an
 * invalid `Expires` means already expired.
 */
export function httpDate(value: string | null): number | undefined {
  if (!value) return undefined
  let day: string | undefined, month: string | undefined, year: number, time: string[]
  let m = IMF.exec(value)
  if (m) [day, month, year, time] = [m[1], m[2], Number(m[3]), m.slice(4, 7)]
  else if ((m = RFC850.exec(value))) {
    // Two-digit years: RFC 9110 — a date more than 50 years in the future is in the past century.
    const yy = Number(m[3])
    const now = new Date().getUTCFullYear()
    year = 2000 + yy > now + 50 ? 1900 + yy : 2000 + yy
    ;[day, month, time] = [m[1], m[2], m.slice(4, 7)]
  } else if ((m = ASCTIME.exec(value))) [month, day, time, year] = [m[1], m[2]?.trim(), m.slice(3, 6), Number(m[6])]
  else return undefined
  const index = MONTHS.indexOf(month ?? '')
  if (index < 0 || index % 3 !== 0) return undefined
  const [h, min, sec] = time.map(Number) as [number, number, number]
  if (h > 23 || min > 59 || sec > 60) return undefined
  return Date.UTC(year, index / 3, Number(day), h, min, sec)
}

/** Statuses that are heuristically cacheable (RFC 9110 §15.1). */
const HEURISTIC = new Set([200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501])
/** Statuses never stored as a new answer: 206 needs ranges (not done), 304 only refreshes one. */
const NOT_STORED = new Set([206, 304])

/** Methods that change nothing (RFC 9110 §9.2.1): any other one invalidates (RFC 9111 §4.4). */
export const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE'])

/**
 * Whether a response to GET may be stored by a private cache (§3): not `no-store` (request or
 * response), a status the cache understands, no `Vary: *`, and something to make it useful —
 * explicit freshness, a `private` or `public` or `no-cache` directive, or a status whose
 * freshness may be guessed. `fallbackTtl`: the caller's TTL for a route that says nothing.
 */
export function isStorable(status: number, headers: Headers, request: Directives, fallbackTtl: number | undefined): boolean {
  if (status < 200 || status > 599 || NOT_STORED.has(status) || request.has('no-store')) return false
  const cc = parseCacheControl(headers.get('cache-control'))
  if (cc.has('no-store')) return false
  if (varyNames(headers.get('vary')) === '*') return false
  if (cc.has('max-age') || headers.has('expires') || cc.has('private') || cc.has('public') || cc.has('no-cache')) return true
  return HEURISTIC.has(status) || fallbackTtl !== undefined
}

/** The `Vary` header's field names (lower case), or `'*'`. */
export function varyNames(value: string | null): string[] | '*' {
  if (!value) return []
  const names = value
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '')
  return names.includes('*') ? '*' : names
}

/** A stored entry's headers, looked up by name (lower case). */
export function header(entry: CacheEntry, name: string): string | null {
  let found: string | null = null
  for (const [key, value] of entry.headers) if (key === name) found = found === null ? value : `${found}, ${value}`
  return found
}

/**
 * How long an entry stays fresh (§4.2.1), in ms: `max-age`, else `Expires` − `Date`, else the
 * caller's fallback TTL, else 10% of the time since `Last-Modified` (capped at a day) for a
 * heuristically cacheable status or a `public` answer (§4.2.2), else 0. `s-maxage` is for shared caches only.
 */
export function freshnessLifetime(entry: CacheEntry, cc: Directives, fallbackTtl: number | undefined): number {
  if (cc.has('max-age')) return deltaSeconds(cc.get('max-age')) ?? 0
  const expiresHeader = header(entry, 'expires')
  if (expiresHeader !== null) {
    const expires = httpDate(expiresHeader)
    if (expires === undefined) return 0 // an invalid Expires ("0" among them) means already expired
    return Math.max(0, expires - (httpDate(header(entry, 'date')) ?? entry.responseTime))
  }
  if (fallbackTtl !== undefined) return fallbackTtl
  if (!HEURISTIC.has(entry.status) && !cc.has('public')) return 0
  const modified = httpDate(header(entry, 'last-modified'))
  if (modified === undefined) return 0
  const date = httpDate(header(entry, 'date')) ?? entry.responseTime
  return Math.min(Math.max(0, (date - modified) / 10), 86_400_000)
}

/** The entry's current age in ms (§4.2.3). */
export function currentAge(entry: CacheEntry, now: number): number {
  // The first value of a list; a parameter after it (`7200;a=b`) is allowed, a float is not an age.
  const ageValue = deltaSeconds(/^\s*(\d+)\s*(?:$|[,;])/.exec(header(entry, 'age') ?? '')?.[1]) ?? 0
  const date = httpDate(header(entry, 'date')) ?? entry.responseTime
  const apparentAge = Math.max(0, entry.responseTime - date)
  const responseDelay = entry.responseTime - entry.requestTime
  const correctedInitialAge = Math.max(apparentAge, ageValue + responseDelay)
  return correctedInitialAge + Math.max(0, now - entry.responseTime)
}

/** What an entry may be used for now, given the request's directives. */
export type Verdict = {
  /** `fresh`: serve it; `stale-ok`: serve it (`max-stale`); `revalidate`: ask the origin first. */
  use: 'fresh' | 'stale-ok' | 'revalidate'
  /** Age in ms. */
  age: number
  /** May be served while revalidating in the background (`stale-while-revalidate`). */
  whileRevalidate: boolean
  /** Ms past freshness it may still be served if the origin fails (`stale-if-error`), or -1. */
  ifError: number
  /** Ms past freshness (negative while fresh). */
  staleness: number
}

/** What never changes about a stored entry, worked out once per entry (a hit reads it again and again). */
type EntryFacts = { cc: Directives; ttl: number | undefined; lifetime: number; initialAge: number }
const FACTS = new WeakMap<CacheEntry, EntryFacts>()

function factsOf(entry: CacheEntry, fallbackTtl: number | undefined): EntryFacts {
  const known = FACTS.get(entry)
  if (known && known.ttl === fallbackTtl) return known
  const cc = parseCacheControl(header(entry, 'cache-control'))
  const lifetime = freshnessLifetime(entry, cc, fallbackTtl)
  const facts = { cc, ttl: fallbackTtl, lifetime, initialAge: currentAge(entry, entry.responseTime) }
  FACTS.set(entry, facts)
  return facts
}

/** Judges a stored entry for a request (§4.2, §4.2.4, RFC 5861). */
export function judge(
  entry: CacheEntry,
  request: Directives,
  pragmaNoCache: boolean,
  fallbackTtl: number | undefined,
  now: number,
): Verdict {
  const { cc, lifetime, initialAge } = factsOf(entry, fallbackTtl)
  const age = initialAge + Math.max(0, now - entry.responseTime)
  const staleness = age - lifetime
  // `no-cache="a, b"` only withholds those headers (they are not stored); bare `no-cache` revalidates.
  const noCache = cc.get('no-cache') === ''
  const mustRevalidate = cc.has('must-revalidate') || cc.has('proxy-revalidate') || noCache
  const swr = deltaSeconds(cc.get('stale-while-revalidate'))
  const sie = mustRevalidate ? undefined : (deltaSeconds(request.get('stale-if-error')) ?? deltaSeconds(cc.get('stale-if-error')))
  const verdict: Verdict = { use: 'revalidate', age, whileRevalidate: false, ifError: sie ?? -1, staleness }
  if (noCache || request.has('no-cache') || (pragmaNoCache && !request.size)) return verdict
  const maxAge = deltaSeconds(request.get('max-age'))
  if (maxAge !== undefined && age > maxAge) return verdict
  const minFresh = deltaSeconds(request.get('min-fresh')) ?? 0
  if (staleness + minFresh < 0) return { ...verdict, use: 'fresh' }
  if (mustRevalidate) return verdict
  if (request.has('max-stale')) {
    const maxStale = request.get('max-stale') === '' ? Number.POSITIVE_INFINITY : deltaSeconds(request.get('max-stale'))
    if (maxStale !== undefined && staleness <= maxStale) return { ...verdict, use: 'stale-ok' }
  }
  return { ...verdict, whileRevalidate: swr !== undefined && staleness <= swr }
}

/**
 * How long the store keeps an entry, in ms: its freshness, plus the longer of what it may be
 * served stale (`stale-while-revalidate`, `stale-if-error`) and `keep` — a stale entry still
 * saves a full answer when it has a validator (the origin can say 304), and can still be served
 * to a request that accepts it stale (`max-stale`, `stale-if-error` in the request).
 */
export function retention(entry: CacheEntry, fallbackTtl: number | undefined, keep: number): number {
  const cc = parseCacheControl(header(entry, 'cache-control'))
  const lifetime = freshnessLifetime(entry, cc, fallbackTtl)
  const stale = Math.max(deltaSeconds(cc.get('stale-while-revalidate')) ?? 0, deltaSeconds(cc.get('stale-if-error')) ?? 0, keep)
  const ageAtStore = currentAge(entry, entry.responseTime)
  return Math.max(0, lifetime - ageAtStore) + stale
}
