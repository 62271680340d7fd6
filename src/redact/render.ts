/**
 * How the objects fetchline hands out show themselves: a request, a response, and the causes of
 * its errors render redacted under `util.inspect` (`console.log`) and `JSON.stringify`, through
 * the same rules as errors, logs and spans. No `node:util` import: Node, Bun and Deno all honour
 * the registered `nodejs.util.inspect.custom` symbol, and a runtime that does not loses nothing.
 */

import type { ClientRequest, ClientResponse } from '../core/types.js'
import { type RedactionRules, redactBody, redactHeaders, redactURL, scrubText } from './redact.js'

/** The symbol `util.inspect` (and so `console.log`) calls on an object to render it. */
export const INSPECT: unique symbol = Symbol.for('nodejs.util.inspect.custom') as never

/** A request as it is safe to show: URL and headers redacted, the body and options summarised. */
export function renderRequest(request: ClientRequest): Record<string, unknown> {
  const rules = request.redaction
  return defined({
    method: request.method,
    url: redactURL(request.url, rules),
    headers: request.headers ? redactHeaders(request.headers, rules) : undefined,
    body: summarize(request.body),
    attempt: request.attempt,
    route: request.route,
    timeout: request.timeout,
    responseType: request.responseType,
    throwHttpErrors: request.throwHttpErrors,
    signal: request.signal && { aborted: request.signal.aborted },
    context: redactBody(request.context, rules),
  })
}

/** Without the keys whose value is `undefined`: a shorter line in a terminal. */
function defined(view: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(view)) if (view[key] === undefined) delete view[key]
  return view
}

/** A response as it is safe to show: its request, URL, headers and data redacted; `raw` left out. */
export function renderResponse(response: ClientResponse): Record<string, unknown> {
  const rules = response.request?.redaction
  return defined({
    status: response.status,
    ok: response.ok,
    url: typeof response.url === 'string' && response.url ? redactURL(response.url, rules) : response.url,
    headers: response.headers ? redactHeaders(response.headers, rules) : undefined,
    data: renderData(response.data, rules),
    request: response.request && renderRequest(response.request),
  })
}

// Shared functions, assigned once (to a class prototype, or as two more keys of a literal, both
// `toJSON` and the inspect hook): a request or response costs no closure for being renderable.
// Own enumerable keys survive the `{ ...request, headers }` copies middleware make.

/** `toJSON` and the `util.inspect` hook of a request. */
export function requestView(this: ClientRequest): Record<string, unknown> {
  return renderRequest(this)
}

/** `toJSON` and the `util.inspect` hook of a response. */
export function responseView(this: ClientResponse): Record<string, unknown> {
  return renderResponse(this)
}

function summarize(body: unknown): string | undefined {
  if (body === undefined) return undefined
  if (typeof body === 'string') return `[string: ${body.length} chars]`
  if (body instanceof Uint8Array) return `[bytes: ${body.byteLength}]`
  if (body instanceof Blob) return `[Blob: ${body.size} bytes]`
  return `[${(body as object)?.constructor?.name ?? typeof body}]`
}

function renderData(data: unknown, rules: RedactionRules | undefined): unknown {
  if (typeof data !== 'object' || data === null) return redactBody(data, rules)
  if (data instanceof ArrayBuffer) return `[ArrayBuffer: ${data.byteLength} bytes]`
  if (data instanceof Blob) return `[Blob: ${data.size} bytes]`
  if (data instanceof ReadableStream) return '[ReadableStream]'
  return redactBody(data, rules)
}

// Own properties of a foreign error that are shown as they are: they name a kind, not a value.
const KEEP = new Set(['code', 'errno', 'syscall', 'name', 'type'])

/**
 * A foreign error (a transport's, a custom fetch's) as it is safe to hand out: message, stack and
 * string properties scrubbed of URL secrets, plain-object properties redacted by key, its `cause`
 * and `errors` (AggregateError) scrubbed in turn. The copy keeps the class (prototype), `code`,
 * `errno` and `name`, so `instanceof` and code checks still work; an error with nothing to hide
 * is handed back as it is.
 *
 * @example
 * scrubError(new TypeError('request to https://h.test/?access_token=abc failed'))
 * // TypeError: request to https://h.test/?access_token=***REDACTED*** failed
 */
export function scrubError(error: unknown, rules?: RedactionRules, depth = 0): unknown {
  if (typeof error !== 'object' || error === null || depth > 8) return error
  const changes = new Map<PropertyKey, unknown>()
  for (const key of Reflect.ownKeys(error)) {
    if (typeof key === 'string' && KEEP.has(key)) continue
    const value = Reflect.get(error, key)
    const shown = scrubValue(key, value, rules, depth)
    if (shown !== value) changes.set(key, shown)
  }
  if (changes.size === 0) return error
  // A real Error underneath (not a plain object), so runtimes still print and treat it as one.
  const copy = error instanceof Error ? new Error(scrubText(error.message, rules)) : {}
  Object.setPrototypeOf(copy, Object.getPrototypeOf(error))
  for (const key of Reflect.ownKeys(error)) {
    const descriptor = Object.getOwnPropertyDescriptor(error, key) as PropertyDescriptor
    const value = changes.has(key) ? changes.get(key) : Reflect.get(error, key)
    Object.defineProperty(copy, key, { value, enumerable: descriptor.enumerable ?? false, writable: true, configurable: true })
  }
  return copy
}

function scrubValue(key: PropertyKey, value: unknown, rules: RedactionRules | undefined, depth: number): unknown {
  if (typeof value === 'string') {
    const shown = scrubText(value, rules)
    // A bare path with a query (`/x?token=…`), as some errors carry in `path` or `url`.
    return shown.startsWith('/') && shown.includes('?') ? redactURL(new URL(shown, 'http://h'), rules).slice('http://h'.length) : shown
  }
  if (Array.isArray(value)) {
    const shown = value.map((item) => scrubError(item, rules, depth + 1))
    return shown.some((item, index) => item !== value[index]) ? shown : value
  }
  if (value instanceof Error || key === 'cause') return scrubError(value, rules, depth + 1)
  if (typeof value === 'object' && value !== null && isPlain(value)) {
    const shown = redactBody(value, rules)
    return JSON.stringify(shown) === safeJSON(value) ? value : shown
  }
  return value
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function safeJSON(value: unknown): string | undefined {
  try {
    return JSON.stringify(value)
  } catch {
    return undefined
  }
}
