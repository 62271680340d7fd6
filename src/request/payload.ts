// The outgoing request's headers and body: a call's headers merged over the client's (pairs
// append as Headers appends, null removes), and its json, form or raw body serialized with the
// content-type it implies. request.ts builds the request from these.
import { isHeaders, RequestHeaders } from '../core/headers.js'
import { describe } from '../core/options.js'
import type { FormFields, HeadersInput, RawBody, RequestBody, RequestOptions } from '../core/types.js'

const BODY_KINDS = ['json', 'form', 'body'] as const
export const JSON_BODY = [
  ['content-type', 'application/json'],
  ['accept', 'application/json'],
] as const
export const FORM_BODY = [['content-type', 'application/x-www-form-urlencoded']] as const

function appendFields(target: URLSearchParams, query: FormFields, what: string): void {
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

export function sealedWith(base: RequestHeaders, pairs: readonly (readonly [string, string])[]): RequestHeaders {
  const headers = new RequestHeaders(base)
  for (const [name, value] of pairs) setDefault(headers, name, value)
  return headers.seal()
}

/**
 * `base` with `extra` merged over it, as headers of their own, still open for a body's defaults;
 * the caller seals them. A `null` value removes a header, `undefined` leaves it as it is ("not
 * given", as everywhere in the options). Pairs and a `Headers` append as `Headers` does: the first
 * of a name replaces `base`'s value, the next ones add to it.
 */
export function mergeHeaders(base: HeadersInit, extra: HeadersInput | undefined, what = 'options.headers'): RequestHeaders {
  const headers = new RequestHeaders(base)
  if (extra === undefined) return headers
  if (typeof extra !== 'object' || extra === null) throw new TypeError(`${what} must be an object or Headers, got ${describe(extra)}`)
  if (isHeaders(extra) || Array.isArray(extra)) {
    mergePairs(headers, extra as Iterable<unknown>, what)
    return headers
  }
  const record = extra as Readonly<Record<string, unknown>>
  for (const name of Object.keys(record)) {
    const value = record[name]
    if (value === null) headers.delete(name)
    else if (value !== undefined) headers.set(name, String(value))
  }
  return headers
}

function mergePairs(headers: RequestHeaders, pairs: Iterable<unknown>, what: string): void {
  const given = new Set<string>()
  let index = 0
  for (const pair of pairs) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string') {
      throw new TypeError(`${what}[${index}] must be a [name, value] pair, got ${describe(pair)}`)
    }
    index++
    const [name, value] = pair as [string, unknown]
    const key = name.toLowerCase()
    if (value === null) headers.delete(name)
    else if (value === undefined) continue
    else if (given.has(key)) headers.append(name, String(value))
    else headers.set(name, String(value))
    given.add(key)
  }
}

export function serializeBody(options: RequestOptions, headers: RequestHeaders): RequestBody | undefined {
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
    appendFields(form, options.form, 'form')
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
