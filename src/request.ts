import { isHeaders, RequestHeaders } from './headers.js'
import { checkKeys, describe, MAX_TIMER_MS } from './options.js'
import { type RedactionRules, withSecretParams } from './redact.js'
import { INSPECT, requestView } from './render.js'
import { checkMaxResponseSize } from './response-size.js'
import type { ClientRequest, HeadersInput, Query, RawBody, RequestBody, RequestOptions, ResponseType } from './types.js'

export { describe }

const RESPONSE_TYPES = new Set<string>(['json', 'text', 'arrayBuffer', 'blob', 'stream'])
const BODY_KINDS = ['json', 'form', 'body'] as const
const TEMPLATE = /\{([^{}]+)\}/g
const PLACEHOLDER = /\{([^{}]+)\}/
/** The keys of {@link RequestOptions}: what a call accepts (paginate() checks its options against them too). */
export const REQUEST_KEYS: ReadonlySet<string> = new Set([
  'query',
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
  readonly origin: string
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
  const url = resolveURL(defaults, fillTemplate(path, options.params))
  if (options.query !== undefined) appendQuery(url.searchParams, options.query, 'query')
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

function checkMethod(method: string): string {
  if (VERBS.has(method)) return method
  if (typeof method !== 'string' || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(method)) {
    throw new TypeError(`method must be an HTTP method token such as "GET", got ${describe(method)}`)
  }
  return method.toUpperCase()
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
    return encodeURIComponent(String(value))
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

function resolveURL(defaults: RequestDefaults, path: string): URL {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) {
    const url = new URL(path)
    if (url.username || url.password) {
      throw new TypeError('path must not carry credentials (user:pass@); send them in a header such as Authorization')
    }
    // An absolute URL to another origin would carry this client's credentials there.
    if (url.origin !== defaults.origin) {
      throw new TypeError(`path "${url.origin}…" is on another origin than baseURL (${defaults.origin}); use a client for that service`)
    }
    return url
  }
  return new URL(joinPath(defaults.base, path))
}

function appendQuery(target: URLSearchParams, query: Query, what: string): void {
  if (query instanceof URLSearchParams) {
    for (const [key, value] of query) target.append(key, value)
    return
  }
  if (typeof query !== 'object' || query === null) {
    throw new TypeError(`${what} must be an object or URLSearchParams, got ${describe(query)}`)
  }
  for (const key of Object.keys(query)) {
    const value = query[key]
    if (Array.isArray(value)) {
      for (const item of value) appendValue(target, key, item, what)
    } else {
      appendValue(target, key, value, what)
    }
  }
}

function appendValue(target: URLSearchParams, key: string, value: unknown, what: string): void {
  if (value === undefined || value === null) return
  const type = typeof value
  if (value instanceof Date) target.append(key, value.toISOString())
  else if (type === 'string' || type === 'number' || type === 'boolean' || type === 'bigint') target.append(key, String(value))
  else throw new TypeError(`${what}.${key} must be a string, number, boolean, bigint or Date (or an array of them), got ${describe(value)}`)
}

const JSON_BODY = [
  ['content-type', 'application/json'],
  ['accept', 'application/json'],
] as const
const FORM_BODY = [['content-type', 'application/x-www-form-urlencoded']] as const

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

function sealedWith(base: RequestHeaders, pairs: readonly (readonly [string, string])[]): RequestHeaders {
  const headers = new RequestHeaders(base)
  for (const [name, value] of pairs) setDefault(headers, name, value)
  return headers.seal()
}

/**
 * `base` with `extra` merged over it (a `null` or `undefined` value removes a header), as headers
 * of their own, still open for a body's defaults; the caller seals them.
 */
export function mergeHeaders(base: HeadersInit, extra: HeadersInput | undefined, what = 'options.headers'): RequestHeaders {
  const headers = new RequestHeaders(base)
  if (extra === undefined) return headers
  if (typeof extra !== 'object' || extra === null) throw new TypeError(`${what} must be an object or Headers, got ${describe(extra)}`)
  const entries = isHeaders(extra) || Array.isArray(extra) ? extra : Object.entries(extra)
  for (const [name, value] of entries as Iterable<[string, unknown]>) {
    if (value === null || value === undefined) headers.delete(name)
    else headers.set(name, String(value))
  }
  return headers
}

function serializeBody(options: RequestOptions, headers: RequestHeaders): RequestBody | undefined {
  const given = BODY_KINDS.filter((kind) => options[kind] !== undefined)
  if (given.length > 1) {
    throw new TypeError(`options ${given.join(' and ')} cannot be used together: a request has one body`)
  }
  if (options.json !== undefined) {
    for (const [name, value] of JSON_BODY) setDefault(headers, name, value)
    const text = JSON.stringify(options.json)
    if (text === undefined) throw new TypeError(`options.json cannot be serialised to JSON (got ${describe(options.json)})`)
    return text
  }
  if (options.form !== undefined) {
    for (const [name, value] of FORM_BODY) setDefault(headers, name, value)
    const form = new URLSearchParams()
    appendQuery(form, options.form, 'form')
    return form.toString()
  }
  return options.body === undefined ? undefined : rawBody(options.body, headers)
}

function rawBody(body: RawBody, headers: RequestHeaders): RequestBody {
  if (typeof body === 'string') {
    setDefault(headers, 'content-type', 'text/plain;charset=UTF-8')
    return body
  }
  if (body instanceof URLSearchParams) {
    setDefault(headers, 'content-type', 'application/x-www-form-urlencoded;charset=UTF-8')
    return body.toString()
  }
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  if (body instanceof Uint8Array || body instanceof FormData || body instanceof ReadableStream) return body
  if (body instanceof Blob) {
    if (body.type) setDefault(headers, 'content-type', body.type)
    return body
  }
  throw new TypeError(
    `options.body must be a string, Uint8Array, ArrayBuffer, Blob, FormData, URLSearchParams or ReadableStream, got ${describe(body)}; use options.json for objects`,
  )
}

function setDefault(headers: RequestHeaders, name: string, value: string): void {
  if (!headers.has(name)) headers.set(name, value)
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
