import { describe } from '../core/options.js'
import type { RedactionRules } from '../core/types.js'
import { isSecretQueryParam } from '../redact/redact.js'

export type { ParamScalar, ParamValue } from '../core/types.js'

// How one `params` value becomes one path segment. Two promises:
// - It reaches the wire as written, in OpenAPI's default style for path parameters (`style: simple`,
//   `explode: false`, RFC 6570 §3.2.2): a list `1,2,3`, a flat object `a,1,b,2`, a Date in ISO 8601
//   as `query` sends it, each item percent-encoded and the commas literal.
//   https://spec.openapis.org/oas/v3.1.0#style-values
// - It never changes which path is requested. `encodeURIComponent` leaves nothing the URL parser
//   reads as structure (`/`, `\`, `?`, `#` and `%` itself are escaped, so `%2e` goes out as `%252e`)
//   but dots: a value `.` or `..` is a dot segment the parser removes (WHATWG URL, "single-dot and
//   double-dot path segments"), moving the call to another resource with the client's credentials.
//   Those are refused, and so is a value with such a segment between `/` or `\` (`../admin`):
//   nginx decodes `%2F` and then resolves the dots (`/users/..%2Fadmin` is its `/admin`), as other
//   servers decoding `%2F` or `%5C` do; the same once more for a server that decodes twice (`%2e`,
//   `..%2F`). An empty value, or one of only separators, leaves `//`, which nginx merges: another
//   path too. Unicode dots stay Unicode for the URL parser and nginx, but NFKC folds them.
//   https://url.spec.whatwg.org/#single-dot-path-segment
//   https://github.com/google/adk-python/issues/7065 (the same split on `/` and `\`)
//   https://github.com/openai/openai-node/blob/master/src/internal/utils/path.ts (`.`, `..`, `%2e`)

/**
 * A `params` value that is well typed but would not name one resource: a dot segment, an empty
 * value, an invalid Date, NaN or an infinity, a lone surrogate. The client turns it into a `ValidationError` before
 * anything is sent (request.ts cannot import errors.ts, which imports it).
 *
 * @example
 * try { renderParam('id', '..') } catch (error) { if (error instanceof RefusedParam) console.warn(error.param) } // 'id'
 */
export class RefusedParam extends Error {
  override name = 'RefusedParam'
  constructor(
    /** The parameter's name. */
    readonly param: string,
    /** What is wrong and what to do, without the value (it may be a secret). */
    readonly reason: string,
  ) {
    super(`params.${param} ${reason}`)
  }
}

// A segment that is `.` or `..` once decoded: `%2e` is a dot to a server that decodes twice, and
// NFKC (which some servers apply) turns U+FF0E, U+2024, U+FE52 and U+2025 into dots. Such a
// segment has at most 6 characters, each from at most 2 UTF-16 units (`𝟐` is one of `%2e`'s).
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i
// What a server may read as a separator once it decoded the value, once or twice.
const SEPARATOR = /[/\\]|%2f|%5c/i
// Values without these (most ids) need no closer look; only non-ASCII ones need NFKC.
const SUSPECT = /[./\\%\u0080-\uffff]/
const NON_ASCII = /[\u0080-\uffff]/
const MAY_SPLIT = /[/\\%]/

/**
 * The value's text as it goes into the path, percent-encoded (`/` too). Throws `RefusedParam` for
 * a value that could move the call to another path, `TypeError` for one of the wrong type.
 *
 * @example
 * renderParam('ids', [1, 2, 3]) // '1,2,3'
 * renderParam('name', 'a/b c') // 'a%2Fb%20c'
 */
export function renderParam(name: string, value: unknown): string {
  if (typeof value !== 'object' || value === null || value instanceof Date) return encode(name, checked(name, scalarText(name, value, '')))
  const items = itemsOf(name, value)
  checked(name, items.join(','))
  return items.map((item) => encode(name, item)).join(',')
}

/**
 * `text`, unless a server could read it as no segment (empty, or only separators: nginx decodes
 * `%2F` and merges `//`) or as one with a dot segment: the call would then go to another path.
 */
function checked(name: string, text: string): string {
  if (text !== '' && !SUSPECT.test(text)) return text
  const pieces = MAY_SPLIT.test(text) ? text.split(SEPARATOR) : [text]
  let solid = false
  for (const piece of pieces) {
    solid ||= piece !== ''
    if (!isDotSegment(piece)) continue
    const where = piece === text ? `is "${piece}"` : `has a "${piece}" segment between "/" or "\\" (or %2F, %5C)`
    throw new RefusedParam(
      name,
      `${where}: a URL parser or server resolves it as a dot segment, which would send the call to another path. A value naming one resource is never "." or ".."; check where it came from`,
    )
  }
  if (solid) return text
  throw new RefusedParam(
    name,
    text === ''
      ? 'is empty: the path would get an empty segment (`//`), another path to most servers'
      : 'is only "/" or "\\": a server that decodes %2F merges it away (nginx reads `/users/%2F/orders` as `/users/orders`), another path',
  )
}

function isDotSegment(piece: string): boolean {
  if (piece.length > 12) return false
  return DOT_SEGMENT.test(piece) || (NON_ASCII.test(piece) && DOT_SEGMENT.test(piece.normalize('NFKC')))
}

function itemsOf(name: string, value: object): string[] {
  if (Array.isArray(value)) {
    const items: string[] = []
    // Indexed, not mapped: a hole is an undefined item, refused as one.
    for (let i = 0; i < value.length; i++) items.push(scalarText(name, value[i], `[${i}]`))
    return items
  }
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) {
    throw new TypeError(
      `params.${name} must be a string, number, bigint, boolean, Date, or an array or plain object of those, got ${describe(value)}; pass String(value) if its text is meant`,
    )
  }
  const items: string[] = []
  for (const [key, member] of Object.entries(value)) {
    if (member !== undefined && member !== null) items.push(key, scalarText(name, member, `.${key}`))
  }
  return items
}

function scalarText(name: string, value: unknown, at: string): string {
  switch (typeof value) {
    case 'string':
      return value
    case 'number':
      if (Number.isFinite(value)) return String(value)
      throw new RefusedParam(
        `${name}${at}`,
        `is ${value}, which names no resource: check the number it came from (parseInt('x') makes NaN)`,
      )
    case 'bigint':
    case 'boolean':
      return String(value)
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new RefusedParam(`${name}${at}`, 'is an invalid Date; pass a valid one or a string')
    return value.toISOString()
  }
  const shown = value === undefined ? 'undefined' : describe(value)
  throw new TypeError(
    at
      ? `params.${name}${at} must be a string, number, bigint, boolean or Date (a path segment holds a flat list or object), got ${shown}`
      : `params.${name} must be a string, number, bigint, boolean or Date, got ${shown}`,
  )
}

function encode(name: string, text: string): string {
  try {
    return encodeURIComponent(text)
  } catch {
    // A lone surrogate has no UTF-8 form (URIError); toWellFormed() would change the value.
    throw new RefusedParam(name, 'is not well-formed Unicode (a lone surrogate); fix the value, or pass value.toWellFormed()')
  }
}

/**
 * How a secret `params` value shows: as written (a list joined by commas) and as sent, so
 * redaction finds it in a URL and in text alike.
 *
 * @example
 * paramTexts('token', 'a b') // ['a b', 'a%20b']
 */
export function paramTexts(name: string, value: unknown): string[] {
  const sent = renderParam(name, value)
  const written = decodeURIComponent(sent)
  return written === sent ? [sent] : [written, sent]
}

/**
 * The request's rules plus the values of its secret `params` (names judged by the query rules:
 * `/bot{token}/sendMessage`), hidden wherever its URL is rendered. Requests without a secret
 * param keep the client's rules object: nothing is made for them.
 *
 * @example
 * withSecretParams(undefined, { token: '123:abc', chat: 7 }) // { path: ['123:abc', '123%3Aabc'] }
 */
export function withSecretParams(rules: RedactionRules | undefined, params: Readonly<Record<string, unknown>>): RedactionRules | undefined {
  let hidden: string[] | undefined
  for (const name in params) {
    const value = params[name]
    if (value !== undefined && value !== null && isSecretQueryParam(name, rules)) (hidden ??= []).push(...paramTexts(name, value))
  }
  return hidden ? { ...rules, path: [...(rules?.path ?? []), ...hidden] } : rules
}
