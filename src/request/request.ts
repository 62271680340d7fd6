import type { RequestHeaders } from '../core/headers.js'
import { checkKeys, describe, MAX_TIMER_MS } from '../core/options.js'
import type { ClientRequest, RedactionRules, RequestOptions, ResponseType } from '../core/types.js'
import { INSPECT, requestView } from '../redact/render.js'
import { renderParam, withSecretParams } from './params.js'
import { FORM_BODY, JSON_BODY, mergeHeaders, sealedWith, serializeBody } from './payload.js'
import { DEFAULT_QUERY_FORMAT, type ResolvedQueryFormat, resolveQueryFormat, serializeQuery } from './query.js'
import { checkMaxResponseSize } from './response-size.js'

export { describe, mergeHeaders }

const RESPONSE_TYPES = new Set<string>(['json', 'text', 'arrayBuffer', 'blob', 'stream'])
const TEMPLATE = /\{([^{}]+)\}/g
const PLACEHOLDER = /\{([^{}]+)\}/
/** The keys of {@link RequestOptions}: what a call accepts (paginate() checks its options against them too). */
export const REQUEST_KEYS: ReadonlySet<string> = new Set([
  'query',
  'queryFormat',
  'params',
  'headers',
  'json',
  'form',
  'body',
  'timeout',
  'signal',
  'responseType',
  'maxResponseSize',
  'throwHttpErrors',
  'context',
  'schema',
])

/** What `createClient` works out once, so that each request only joins strings. */
export type RequestDefaults = {
  /** baseURL without a trailing slash: `https://host/api/v1`. */
  readonly base: string
  /** The baseURL's own query without `?` (`api-version=2024-01-01`), or `''`: every relative path gets it first. */
  readonly search?: string
  readonly origin: string
  /** The client's `queryFormat`, resolved. @default DEFAULT_QUERY_FORMAT */
  readonly queryFormat?: ResolvedQueryFormat
  /** The client's headers, sealed: what a call without headers or a body of its own carries. */
  readonly headers: RequestHeaders
  /** The client's headers plus a JSON or form body's, made on first use: most calls carry one of these. */
  readonly shared: { json?: RequestHeaders; form?: RequestHeaders }
  readonly throwHttpErrors: boolean
  /** Rules gathered from the client's `redact()` middleware. */
  readonly redaction: RedactionRules | undefined
}

/** Checks `baseURL` once, at client creation, with a message that says what to fix. */
export function parseBaseURL(baseURL: unknown): URL {
  if (typeof baseURL !== 'string' && !(baseURL instanceof URL)) {
    throw new TypeError(`baseURL must be an absolute http(s) URL string, got ${describe(baseURL)}`)
  }
  let url: URL
  try {
    url = new URL(baseURL)
  } catch {
    throw new TypeError(`baseURL must be an absolute http(s) URL such as "https://api.example.com", got "${String(baseURL)}"`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`baseURL must use http: or https:, got "${url.protocol}"`)
  }
  if (url.username || url.password) {
    throw new TypeError('baseURL must not carry credentials (user:pass@); send them in a header such as Authorization')
  }
  return url
}

/** Turns one call into the request object the pipeline sees. */
export function buildRequest(defaults: RequestDefaults, method: string, path: string, options: RequestOptions = {}): ClientRequest {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`request options must be an object, got ${describe(options)}`)
  }
  // Per call, so cheap: a loop over the few keys given and a Set lookup each.
  for (const key in options) if (!REQUEST_KEYS.has(key)) checkKeys('request options', options, [...REQUEST_KEYS])
  const route = options.params === undefined ? undefined : path
  const url = resolveURL(defaults, fillTemplate(path, options.params), queryOf(defaults, options))
  const shared = sharedHeaders(defaults, options)
  const headers = shared ?? mergeHeaders(defaults.headers, options.headers)
  const verb = checkMethod(method)
  const body = serializeBody(options, headers)
  if (!shared) headers.seal()
  if (body !== undefined && (verb === 'GET' || verb === 'HEAD')) {
    throw new TypeError(`a ${verb} request cannot have a body; send the values in options.query, or use POST`)
  }
  return {
    method: verb,
    url,
    headers,
    body,
    timeout: checkTimeout(options.timeout),
    signal: checkSignal(options.signal),
    attempt: 0,
    route,
    responseType: checkResponseType(options.responseType),
    maxResponseSize: checkMaxResponseSize('options.maxResponseSize', options.maxResponseSize, undefined),
    throwHttpErrors: options.throwHttpErrors ?? defaults.throwHttpErrors,
    redaction: options.params === undefined ? defaults.redaction : withSecretParams(defaults.redaction, options.params),
    context: options.context === undefined ? {} : { ...options.context },
    options,
    // Shared functions (no closure per request), own keys so `{ ...request }` copies keep them.
    toJSON: requestView,
    [INSPECT]: requestView,
  } as ClientRequest
}

const VERBS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
/**
 * The methods fetch forbids (https://fetch.spec.whatwg.org/#forbidden-method): no fetch sends them,
 * so neither core does, and a call is refused before anything is sent — the same on every core and
 * runtime. TRACE and TRACK echo the request into the answer, credentials included (cross-site
 * tracing); CONNECT asks for a tunnel, which the undici core would send and then wait on forever.
 */
const FORBIDDEN = new Set(['CONNECT', 'TRACE', 'TRACK'])

/**
 * The method as sent: upper-case, on both cores (as got and ky send it; fetch upper-cases only its
 * six, undici none), so `'patch'` is `PATCH` and `'propfind'` is `PROPFIND`. RFC 9110 §9.1 makes
 * methods case-sensitive, and every method in IANA's registry is upper-case.
 */
function checkMethod(method: string): string {
  if (VERBS.has(method)) return method
  if (typeof method !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(method)) {
    throw new TypeError(`method must be an HTTP method token such as "GET", got ${describe(method)}`)
  }
  const verb = method.toUpperCase()
  if (FORBIDDEN.has(verb)) {
    throw new TypeError(
      `method ${verb} is not sent: fetch forbids CONNECT, TRACE and TRACK, so no fetchline core sends them (TRACE and TRACK echo the request, credentials included, into the answer; for a tunnel through a proxy, use the client's proxy option)`,
    )
  }
  return verb
}

function fillTemplate(path: string, params: RequestOptions['params']): string {
  if (typeof path !== 'string') throw new TypeError(`path must be a string, got ${describe(path)}`)
  if (params === undefined) {
    const found = path.includes('{') ? PLACEHOLDER.exec(path) : null
    if (found) {
      throw new TypeError(
        `path "${path}" has a {${found[1]}} placeholder but no options.params: pass { params: { ${found[1]}: … } }, or percent-encode a literal brace as %7B and %7D`,
      )
    }
    return path
  }
  const used = new Set<string>()
  const filled = path.replace(TEMPLATE, (_, name: string) => {
    const value = params[name]
    if (value === undefined || value === null) {
      throw new TypeError(`params.${name} is missing for path "${path}"`)
    }
    used.add(name)
    return renderParam(name, value)
  })
  const unused = Object.keys(params).filter((name) => !used.has(name))
  if (unused.length) {
    throw new TypeError(`params ${unused.map((n) => `"${n}"`).join(', ')} have no {placeholder} in path "${path}"`)
  }
  return filled
}

/** What paths are joined to: the baseURL without query, fragment or trailing slash (`https://host/api/v1`). */
export function baseOf(baseURL: URL): string {
  return baseURL.href.replace(/[?#].*$/, '').replace(/\/$/, '')
}

/** A relative path joined to {@link baseOf}'s base, as every call joins it. */
export function joinPath(base: string, path: string): string {
  return path.startsWith('/') || path === '' ? base + path : `${base}/${path}`
}

/** The call's query string (without `?`), written as its `queryFormat` over the client's says. */
function queryOf(defaults: RequestDefaults, options: RequestOptions): string {
  if (options.query === undefined) return ''
  const base = defaults.queryFormat ?? DEFAULT_QUERY_FORMAT
  const format = options.queryFormat === undefined ? base : resolveQueryFormat(base, options.queryFormat, 'options.queryFormat')
  return serializeQuery(options.query, format)
}

/**
 * `href` with a query: `first`, then the one `href` has, then `last`, joined by `&`, before any
 * fragment. Strings in, one URL parse out: `url.searchParams.append` would write the whole query
 * again in form encoding (a `%20` the baseURL or path carries would become `+`).
 */
export function withQuery(href: string, first: string, last: string): string {
  if (!first && !last) return href
  const hash = href.indexOf('#')
  const main = hash === -1 ? href : href.slice(0, hash)
  const mark = main.indexOf('?')
  const own = mark === -1 ? '' : main.slice(mark + 1)
  let search = first
  for (const part of [own, last]) if (part) search = search ? `${search}&${part}` : part
  return `${mark === -1 ? main : main.slice(0, mark)}?${search}${hash === -1 ? '' : href.slice(hash)}`
}

function resolveURL(defaults: RequestDefaults, path: string, query: string): URL {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) {
    // An absolute URL (a next-page link) carries its whole query: the baseURL's is not added.
    const url = new URL(withQuery(path, '', query))
    if (url.username || url.password) {
      throw new TypeError('path must not carry credentials (user:pass@); send them in a header such as Authorization')
    }
    // An absolute URL to another origin would carry this client's credentials there.
    if (url.origin !== defaults.origin) {
      throw new TypeError(`path "${url.origin}…" is on another origin than baseURL (${defaults.origin}); use a client for that service`)
    }
    return url
  }
  return new URL(withQuery(joinPath(defaults.base, path), defaults.search ?? '', query))
}

/**
 * The headers a call shares with others of its client, when it brings no headers of its own: the
 * client's, or those plus a JSON or form body's (made once per client). A raw body's type depends
 * on the body, and a call's own headers are its own, so those calls get a copy.
 */
function sharedHeaders(defaults: RequestDefaults, options: RequestOptions): RequestHeaders | undefined {
  if (options.headers !== undefined || options.body !== undefined) return undefined
  if (options.json !== undefined)
    return options.form === undefined ? (defaults.shared.json ??= sealedWith(defaults.headers, JSON_BODY)) : undefined
  if (options.form !== undefined) return (defaults.shared.form ??= sealedWith(defaults.headers, FORM_BODY))
  return defaults.headers
}

/**
 * Checks a timeout in milliseconds: a number from 0 to MAX_TIMER_MS (a timer fires at once past
 * it); `0`, `false` and `undefined` mean none.
 */
export function checkTimeout(timeout: unknown, what = 'timeout'): number | undefined {
  if (timeout === undefined || timeout === false || timeout === 0) return undefined
  if (typeof timeout !== 'number' || !(timeout > 0 && timeout <= MAX_TIMER_MS)) {
    throw new RangeError(
      `${what} must be a number of milliseconds >= 0 and <= ${MAX_TIMER_MS} (about 24.8 days, the longest a timer can wait; 0 or false for none), got ${describe(timeout)}`,
    )
  }
  return timeout
}

function checkSignal(signal: unknown): AbortSignal | undefined {
  if (signal === undefined || signal instanceof AbortSignal) return signal
  throw new TypeError(`signal must be an AbortSignal, got ${describe(signal)}`)
}

function checkResponseType(type: unknown): ResponseType | undefined {
  if (type === undefined || RESPONSE_TYPES.has(type as string)) return type as ResponseType | undefined
  throw new TypeError(`responseType must be one of ${[...RESPONSE_TYPES].join(', ')}, got ${describe(type)}`)
}
