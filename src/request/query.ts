// How a call's `query` becomes the query string on the wire: OpenAPI's parameter styles
// (https://spec.openapis.org/oas/v3.1.1.html#style-values) for arrays and objects, plus the two
// bracket forms vendor APIs use (Stripe's `expand[]=`, `items[0][price]=`), and RFC 3986
// percent-encoding by default. Hand-written rather than `qs`: qs names none of OpenAPI's styles,
// and brings ~20 CommonJS packages (side-channel, get-intrinsic, …) into a core that runs on
// Workers; this is one pure function over the value, unit-tested against OpenAPI's own table.
import { checkKeys, describe } from '../core/options.js'
import type { Query, QueryFormat } from '../core/types.js'

/** A {@link QueryFormat} with every choice made: what the serializer reads. */
export type ResolvedQueryFormat = Required<QueryFormat> & { readonly encode: (text: string) => string }

const SPACES = ['%20', '+'] as const
const ARRAYS = ['form', 'comma', 'spaceDelimited', 'pipeDelimited', 'brackets', 'indices'] as const
const OBJECTS = ['deepObject', 'form', 'comma'] as const
const DELIMITER = { comma: ',', spaceDelimited: '%20', pipeDelimited: '%7C' } as const
const OPEN = '%5B'
const CLOSE = '%5D'
/** Deeper than this is a cycle, or data no query should carry. */
const MAX_DEPTH = 20

/** The choices a client makes when it names none. */
export const DEFAULT_QUERY_FORMAT: ResolvedQueryFormat = resolveQueryFormat(undefined, undefined, 'queryFormat')

/**
 * `base` with the choices `format` makes over it, checked (a bad choice is a TypeError naming the
 * valid ones).
 *
 * @example
 * resolveQueryFormat(DEFAULT_QUERY_FORMAT, { space: '+' }, 'options.queryFormat').array // 'form'
 */
export function resolveQueryFormat(base: ResolvedQueryFormat | undefined, format: unknown, what: string): ResolvedQueryFormat {
  checkKeys(what, format, ['space', 'array', 'object'])
  const given = (format ?? {}) as QueryFormat
  const space = choice(what, 'space', given.space, SPACES) ?? base?.space ?? '%20'
  return {
    space,
    array: choice(what, 'array', given.array, ARRAYS) ?? base?.array ?? 'form',
    object: choice(what, 'object', given.object, OBJECTS) ?? base?.object ?? 'deepObject',
    encode: space === '+' ? formEncode : rfc3986,
  }
}

function choice<T extends string>(what: string, key: string, value: unknown, valid: readonly T[]): T | undefined {
  if (value === undefined || valid.includes(value as T)) return value as T | undefined
  throw new TypeError(`${what}.${key} must be one of ${valid.map((v) => `'${v}'`).join(', ')}, got ${describe(value)}`)
}

/**
 * The query string (without `?`) for `query`, written as `format` says. `undefined` and `null`
 * leave a parameter out; an empty array or object sends nothing.
 *
 * @example
 * serializeQuery({ q: 'a b', ids: [1, 2] }, DEFAULT_QUERY_FORMAT) // 'q=a%20b&ids=1&ids=2'
 */
export function serializeQuery(query: Query, format: ResolvedQueryFormat): string {
  let out = ''
  if (query instanceof URLSearchParams) {
    for (const [key, value] of query) out = join(out, `${format.encode(key)}=${format.encode(value)}`)
    return out
  }
  if (typeof query !== 'object' || query === null || Array.isArray(query)) {
    throw new TypeError(`query must be an object or URLSearchParams, got ${describe(query)}`)
  }
  for (const key of Object.keys(query)) out = join(out, add(format, format.encode(key), 'query', key, query[key], 0))
  return out
}

// Strings are joined as they are made (no parts array): a call's query is on the request path.
function join(out: string, part: string): string {
  return out === '' ? part : part === '' ? out : `${out}&${part}`
}

/** Where a value sits, for an error: `query.filter.tags[2]`. Built only when needed (it costs per call). */
function at(parent: string, key: string | number): string {
  return typeof key === 'number' ? `${parent}[${key}]` : `${parent}.${key}`
}

/** `value` (at `parent`'s `key`) written under the encoded `name`; `''` when nothing is sent. */
function add(format: ResolvedQueryFormat, name: string, parent: string, key: string | number, value: unknown, depth: number): string {
  if (value === undefined || value === null) return ''
  const text = scalar(value, parent, key)
  if (text !== undefined) return `${name}=${format.encode(text)}`
  if (depth >= MAX_DEPTH) throw new TypeError(`${at(parent, key)} nests deeper than ${MAX_DEPTH} levels: is there a cycle?`)
  if (Array.isArray(value)) return addArray(format, name, at(parent, key), value, depth)
  if (isPlainObject(value)) return addObject(format, name, at(parent, key), value, depth)
  throw new TypeError(`${at(parent, key)} must be a string, number, boolean, bigint, Date, array or plain object, got ${describe(value)}`)
}

/** A string, number, boolean, bigint or Date as text; `undefined` for anything else. */
function scalar(value: unknown, parent: string, key: string | number): string | undefined {
  const type = typeof value
  if (type === 'string') return value as string
  if (type === 'number' && !Number.isFinite(value)) {
    throw new TypeError(
      `${at(parent, key)} is ${value}: check the number it came from (parseInt('x') makes NaN), or pass the text you mean`,
    )
  }
  if (type === 'number' || type === 'boolean' || type === 'bigint') return String(value)
  if (!(value instanceof Date)) return undefined
  if (Number.isNaN(value.getTime())) throw new TypeError(`${at(parent, key)} is an invalid Date`)
  return value.toISOString()
}

function addArray(format: ResolvedQueryFormat, name: string, path: string, items: readonly unknown[], depth: number): string {
  const style = format.array
  let out = ''
  if (style === 'indices') {
    // Numbered by the items sent, so a list with holes left out stays a list (0, 1, 2, …).
    let index = 0
    for (const item of items) {
      if (item === undefined || item === null) continue
      out = join(out, add(format, `${name}${OPEN}${index}${CLOSE}`, path, index, item, depth + 1))
      index++
    }
    return out
  }
  const prefix = style === 'brackets' ? `${name}${OPEN}${CLOSE}=` : `${name}=`
  const separator = style === 'form' || style === 'brackets' ? `&${prefix}` : DELIMITER[style]
  for (let index = 0; index < items.length; index++) {
    const item = items[index]
    if (item === undefined || item === null) continue
    const text = scalar(item, path, index)
    if (text === undefined) {
      throw new TypeError(
        `${at(path, index)} is ${kind(item)}: with queryFormat.array '${style}' an array can hold only strings, numbers, booleans, bigints and Dates; use array: 'indices' for items[0][key]=…`,
      )
    }
    out = out === '' ? prefix + format.encode(text) : out + separator + format.encode(text)
  }
  return out
}

function addObject(format: ResolvedQueryFormat, name: string, path: string, object: object, depth: number): string {
  let out = ''
  const style = format.object
  for (const [key, value] of Object.entries(object)) {
    if (style === 'deepObject') out = join(out, add(format, `${name}${OPEN}${format.encode(key)}${CLOSE}`, path, key, value, depth + 1))
    else if (style === 'form') out = join(out, add(format, format.encode(key), path, key, value, depth + 1))
    else if (value !== undefined && value !== null) {
      const text = scalar(value, path, key)
      if (text === undefined) {
        throw new TypeError(
          `${at(path, key)} is ${kind(value)}: with queryFormat.object 'comma' an object can hold only strings, numbers, booleans, bigints and Dates; use object: 'deepObject' for nested values`,
        )
      }
      out = `${out === '' ? `${name}=` : `${out},`}${format.encode(key)},${format.encode(text)}`
    }
  }
  return out
}

function kind(value: unknown): string {
  return Array.isArray(value) ? 'an array' : isPlainObject(value) ? 'an object' : describe(value)
}

/** An object literal (or `Object.create(null)`): not a Map, a URL, a class instance. */
function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

// encodeURIComponent leaves A–Z a–z 0–9 - _ . ! ~ * ' ( ): RFC 3986 unreserved is those but ! * ' ( ).
const NOT_UNRESERVED = /[!'()*]/g
const HAS_NOT_UNRESERVED = /[!'()*]/
// URLSearchParams (application/x-www-form-urlencoded) leaves A–Z a–z 0–9 * - . _ and writes a space as +.
const NOT_FORM = /[!'()~]|%20/g

/** ASCII codes a mode leaves as they are: most keys and values are all such, and skip encoding. */
function asciiTable(extra: string): Uint8Array {
  const table = new Uint8Array(128)
  for (const c of `ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789${extra}`) table[c.charCodeAt(0)] = 1
  return table
}
const UNRESERVED = asciiTable('-._~')
const FORM_SAFE = asciiTable('*-._')

/** Whether every character of `text` is one `table` leaves (a code past 127 never is). */
function kept(text: string, table: Uint8Array): boolean {
  for (let i = 0; i < text.length; i++) if (table[text.charCodeAt(i)] !== 1) return false
  return true
}

/** RFC 3986 §2: every character but the unreserved ones percent-encoded (UTF-8). */
function rfc3986(text: string): string {
  if (kept(text, UNRESERVED)) return text
  const encoded = encodeUTF8(text)
  return HAS_NOT_UNRESERVED.test(encoded) ? encoded.replace(NOT_UNRESERVED, hex) : encoded
}

/** WHATWG URL's application/x-www-form-urlencoded serializer, as URLSearchParams writes it. */
function formEncode(text: string): string {
  if (kept(text, FORM_SAFE)) return text
  return encodeUTF8(text).replace(NOT_FORM, (c) => (c === '%20' ? '+' : hex(c)))
}

function hex(char: string): string {
  return `%${char.charCodeAt(0).toString(16).toUpperCase()}`
}

/** encodeURIComponent, with a lone surrogate written as U+FFFD (as URLSearchParams does) instead of a URIError. */
function encodeUTF8(text: string): string {
  try {
    return encodeURIComponent(text)
  } catch {
    return encodeURIComponent((text as string & { toWellFormed(): string }).toWellFormed())
  }
}
