// The pure parts of paginate(): where the next call goes, whether it was fetched already, and
// what the caller's options may be. The loop that sends the pages is in paginate.ts.
import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { Client } from '../client/client-types.js'
import { checkKeys, describe } from '../core/options.js'
import type { ClientResponse, Query, RequestOptions } from '../core/types.js'
import { PaginationError } from '../errors/errors.js'
import { redactURL } from '../redact/redact.js'
import { REQUEST_KEYS } from '../request/request.js'

/**
 * What `next` returns: options for the next call (merged over this page's: `query` key by key, a
 * key set to `undefined` dropped; the other options replaced), a URL or path (resolved against
 * this page's URL, as a link is), or `undefined`, `null`, `false` or `''` to stop.
 */
export type NextPage = RequestOptions | string | URL | undefined | null | false

/** What `next` is told besides the response. */
export type PageContext<Item = unknown> = {
  /** This page's number: 1 for the first. */
  readonly page: number
  /** This page's items (empty in pages mode when `data` is not an array and there is no `items`). */
  readonly items: readonly Item[]
}

/**
 * Options of {@link paginate}: those of a call (`query`, `headers`, `signal`, `schema`, …), sent
 * with the first page and carried over to the next, plus how to walk the listing.
 *
 * @example
 * const options: PaginateOptions<Charge, { data: Charge[]; has_more: boolean }> = {
 *   query: { limit: 100 },
 *   items: (response) => response.data.data,
 *   next: (response, { items }) => response.data.has_more && { query: { starting_after: items.at(-1)?.id } },
 * }
 * type Charge = { id: string }
 */
export type PaginateOptions<Item = unknown, Page = unknown> = Omit<RequestOptions, 'schema'> & {
  /** The method of every page request. @default 'GET' */
  method?: string
  /**
   * The next page, from this one. By default, the target of the `Link: <…>; rel="next"` header
   * (RFC 8288: several links and header lines, any case, relative URLs), else the end.
   */
  next?: (response: ClientResponse<Page>, context: PageContext<Item>) => NextPage | Promise<NextPage>
  /** Picks a page's items out of the response; by default `data`, which must then be an array. */
  items?: (response: ClientResponse<Page>) => readonly Item[] | Promise<readonly Item[]>
  /** Yield whole responses (pages) instead of items; `limit` then counts pages. @default false */
  pages?: boolean
  /**
   * How many items (pages with `pages: true`) to yield at most; no page is requested past them.
   * @default Infinity
   */
  limit?: number
  /**
   * A guard against runaway listings (got's `requestLimit`): a listing with a next page after
   * this many requests rejects with `PaginationError` (`reason: 'max-requests'`).
   * @default 10000
   */
  maxRequests?: number
  /** A Standard Schema every page's `data` must match (see `RequestOptions.schema`). */
  schema?: StandardSchemaV1<unknown, Page>
}

/** What paginate needs of a client: `createClient()`'s, or an operation's. */
export type Pageable = Pick<Client, 'request'>

/** One page's call: a path (or, after a link, an absolute URL) and its options. */
export type Call = { path: string; options: RequestOptions }

const OWN = ['method', 'next', 'items', 'pages', 'limit', 'maxRequests']
const CALL_KEYS = [...REQUEST_KEYS]
const KNOWN = [...CALL_KEYS, ...OWN]

/** The URL a page's links are relative to: the one that answered (after redirects). */
export function pageURL(response: ClientResponse): string {
  return response.url || response.request.url.href
}

/** The call `next` asked for, and the key that tells whether it was fetched already. */
export function follow(method: string, call: Call, following: RequestOptions | string | URL, response: ClientResponse): [Call, string] {
  if (typeof following === 'string' || following instanceof URL) {
    const url = new URL(following, pageURL(response))
    if (url.origin !== response.request.url.origin) {
      throw new PaginationError(
        response.request,
        'origin',
        `the next page is on another origin (${url.origin}); paginate follows pages on the client's origin only, where its headers are meant to go`,
      )
    }
    // The URL carries its own query; the path template was filled for the first page already.
    const { query: _query, params: _params, ...options } = call.options
    // A literal brace in a query would read as a {placeholder} to the client.
    const path = url.href.replaceAll('{', '%7B').replaceAll('}', '%7D')
    return [{ path, options }, urlKey(method, path, options)]
  }
  if (typeof following !== 'object') {
    throw new TypeError(
      `paginate: next() must return request options ({ query: { cursor } }), a URL or path, or a falsy value (undefined, false) to stop, got ${describe(following)}`,
    )
  }
  checkKeys('paginate: the options next() returned', following, CALL_KEYS)
  const options = { ...call.options, ...following }
  if (following.query !== undefined) {
    const query = mergeQuery(call.options.query, following.query)
    if (query !== undefined) options.query = query
  }
  const nextCall = { path: call.path, options }
  return [nextCall, optionsKey(nextCall)]
}

export function loopError(response: ClientResponse, call: Call): PaginationError {
  const rules = response.request.redaction
  const where = /^[a-z][a-z0-9+.-]*:/i.test(call.path) ? redactURL(call.path, rules) : `the same options (${describeQuery(call)})`
  return new PaginationError(
    response.request,
    'loop',
    `the next page is ${where}, which was fetched already: stopping a pagination loop (check what next() returns, or the server's Link header)`,
  )
}

function describeQuery(call: Call): string {
  const keys = call.options.query === undefined ? [] : Object.keys(asObject(call.options.query))
  return keys.length ? `query keys: ${keys.join(', ')}` : 'no query'
}

/** `base` with `extra` over it, key by key (a key set to `undefined` is dropped by the client). */
function mergeQuery(base: Query | undefined, extra: Query): Query | undefined {
  if (base === undefined || typeof base !== 'object' || typeof extra !== 'object' || extra === null) return extra
  return { ...asObject(base), ...asObject(extra) }
}

function asObject(query: Query): Exclude<Query, URLSearchParams> {
  if (!(query instanceof URLSearchParams)) return query
  const out: Record<string, string | string[]> = {}
  for (const key of new Set(query.keys())) {
    const all = query.getAll(key)
    out[key] = all.length === 1 ? (all[0] as string) : all
  }
  return out
}

// Keys of pages fetched: by URL (with the body, for listings paged by POST) and by options.
export function urlKey(method: string, href: string, options: RequestOptions): string {
  return `url ${method} ${href} ${serialize([options.json, options.form, typeof options.body === 'string' ? options.body : undefined])}`
}

export function optionsKey(call: Call): string {
  const { query, params, json, form, body } = call.options
  return `options ${call.path} ${serialize([query, params, json, form, typeof body === 'string' ? body : undefined])}`
}

function serialize(value: unknown): string {
  return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v instanceof URLSearchParams ? `?${v}` : v))
}

export function checkOptions(client: Pageable, path: string, options: PaginateOptions): PaginateOptions {
  if (typeof client?.request !== 'function') {
    throw new TypeError(`paginate needs a client (from createClient) as its first argument, got ${describe(client)}`)
  }
  if (typeof path !== 'string') throw new TypeError(`paginate: path must be a string such as '/items', got ${describe(path)}`)
  checkKeys('paginate', options, KNOWN)
  for (const name of ['next', 'items'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new TypeError(`paginate: ${name} must be a function (response) => …, got ${describe(options[name])}`)
    }
  }
  checkCount('limit', options.limit, 0)
  checkCount('maxRequests', options.maxRequests, 1)
  if (options.pages !== undefined && typeof options.pages !== 'boolean') {
    throw new TypeError(`paginate: pages must be true (yield responses) or false (yield items), got ${describe(options.pages)}`)
  }
  if (options.method !== undefined && typeof options.method !== 'string') {
    throw new TypeError(`paginate: method must be a string such as 'GET', got ${describe(options.method)}`)
  }
  return options
}

function checkCount(name: string, value: unknown, min: number): void {
  if (value === undefined || value === Number.POSITIVE_INFINITY) return
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new TypeError(`paginate: ${name} must be a whole number >= ${min} (or Infinity for no limit), got ${describe(value)}`)
  }
}
