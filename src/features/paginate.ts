import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { OperationInput, OperationOf, OptionsArgs, PathsWith, SuccessData, WithoutPaths, WithPaths } from '../client/openapi.js'
import type { ClientResponse } from '../core/types.js'
import { PaginationError } from '../errors/errors.js'
import { findLink } from './link.js'
import {
  type Call,
  checkOptions,
  follow,
  loopError,
  optionsKey,
  type Pageable,
  type PaginateOptions,
  pageURL,
  urlKey,
} from './paginate-policy.js'

export type { NextPage, Pageable, PageContext, PaginateOptions } from './paginate-policy.js'

type ElementOf<T> = T extends readonly (infer E)[] ? E : unknown
/** paginate's options on a typed client: the operation's own inputs, each page typed as its 2xx answer. */
type TypedPaginateOptions<Op, Item, Pages extends boolean> = Omit<
  PaginateOptions<Item, SuccessData<Op>>,
  'method' | 'schema' | 'query' | 'params' | 'headers' | 'json' | 'form' | 'body' | 'pages'
> &
  OperationInput<Op> &
  (Pages extends true ? { pages: true } : { pages?: false })
type TypedPaginateArgs<Op, Item, Pages extends boolean> = OptionsArgs<Op, TypedPaginateOptions<Op, Item, Pages>>
type Page = { response: ClientResponse; items: readonly unknown[] }
type Plan = {
  client: Pageable
  method: string
  next: NonNullable<PaginateOptions['next']>
  items: PaginateOptions['items']
  pages: boolean
  limit: number
  maxRequests: number
}

/**
 * {@link paginate} on a client typed by an OpenAPI document (`createClient<paths>()`): the path
 * must define a GET, the options are that operation's `params`, `query` and `headers`, and items
 * are typed as the elements of its 2xx answer's array (or as what `items` returns).
 *
 * @example
 * for await (const issue of paginate(github, '/repos/{owner}/{repo}/issues', { params: { owner: 'nodejs', repo: 'undici' }, limit: 50 })) {
 *   console.log(issue.number, issue.title)
 * }
 * declare const github: OpenAPIClient<paths>
 * type paths = import('@octokit/openapi-types').paths
 */
export function paginate<Paths, P extends PathsWith<Paths, 'get'>, Item = ElementOf<SuccessData<OperationOf<Paths, P, 'get'>>>>(
  client: Pageable & WithPaths<Paths>,
  path: P,
  ...options: TypedPaginateArgs<OperationOf<Paths, P, 'get'>, Item, false>
): AsyncGenerator<Item, void, undefined>
export function paginate<Paths, P extends PathsWith<Paths, 'get'>>(
  client: Pageable & WithPaths<Paths>,
  path: P,
  options: TypedPaginateOptions<OperationOf<Paths, P, 'get'>, unknown, true>,
): AsyncGenerator<ClientResponse<SuccessData<OperationOf<Paths, P, 'get'>>>, void, undefined>
/**
 * Walks a paginated listing, one page request at a time, each through the client's whole pipeline
 * (retry, rate limit, log, trace). Yields items (or, with `pages: true`, responses). Stops at the
 * last page (one without a next), at `limit`, at `break`, or when `signal` aborts (rejecting with
 * its reason). An empty page with a next page goes on, as got does. A next page already fetched,
 * or one on another origin than the client's, rejects with `PaginationError`.
 *
 * @example
 * for await (const repo of paginate<Repo>(github, '/user/repos', { query: { per_page: 100 }, limit: 500 })) {
 *   console.log(repo.full_name)
 * }
 * type Repo = { full_name: string }
 * declare const github: Pageable
 */
export function paginate<Page = unknown, Item = unknown>(
  client: Pageable & WithoutPaths,
  path: string,
  options: PaginateOptions<Item, Page> & { pages: true },
): AsyncGenerator<ClientResponse<Page>, void, undefined>
export function paginate<S extends StandardSchemaV1, Item = ElementOf<StandardSchemaV1.InferOutput<S>>>(
  client: Pageable & WithoutPaths,
  path: string,
  options: PaginateOptions<Item, StandardSchemaV1.InferOutput<S>> & { schema: S; pages?: false },
): AsyncGenerator<Item, void, undefined>
export function paginate<Item = unknown, Page = unknown>(
  client: Pageable & WithoutPaths,
  path: string,
  options?: PaginateOptions<Item, Page> & { pages?: false },
): AsyncGenerator<Item, void, undefined>
export function paginate(client: Pageable, path: string, options: PaginateOptions = {}): AsyncGenerator<unknown, void, undefined> {
  const { method, next, items, pages, limit, maxRequests, ...request } = checkOptions(client, path, options)
  const plan: Plan = {
    client,
    method: method ?? 'GET',
    next: next ?? linkNext,
    items,
    pages: pages ?? false,
    limit: limit ?? Number.POSITIVE_INFINITY,
    maxRequests: maxRequests ?? 10_000,
  }
  const first = { path, options: request }
  return plan.pages ? eachPage(plan, first) : eachItem(plan, first, request.signal)
}

async function* eachItem(plan: Plan, first: Call, signal: AbortSignal | undefined): AsyncGenerator<unknown, void, undefined> {
  if (plan.limit === 0) return
  let count = 0
  for await (const page of walk(plan, first)) {
    for (const item of page.items) {
      // Items of a page already read are not handed out once the caller has aborted.
      signal?.throwIfAborted()
      yield item
      if (++count >= plan.limit) return
    }
  }
}

async function* eachPage(plan: Plan, first: Call): AsyncGenerator<ClientResponse, void, undefined> {
  if (plan.limit === 0) return
  let count = 0
  for await (const page of walk(plan, first)) {
    yield page.response
    if (++count >= plan.limit) return
  }
}

/**
 * The pages, one request each. The next one is worked out only once the caller asks for more, so
 * `break`, `limit` or an abort leave no request behind.
 */
async function* walk(plan: Plan, first: Call): AsyncGenerator<Page, void, undefined> {
  const fetched = new Set<string>()
  let call = first
  for (let page = 1; ; page++) {
    const response = await plan.client.request(plan.method, call.path, call.options)
    fetched.add(urlKey(plan.method, response.request.url.href, call.options))
    fetched.add(optionsKey(call))
    const items = await pickItems(plan, response)
    yield { response, items }
    const following = await plan.next(response, { page, items })
    // Every falsy answer stops: `cursor && { query: { cursor } }` gives '' for an empty cursor.
    if (!following) return
    const [nextCall, key] = follow(plan.method, call, following, response)
    if (fetched.has(key)) throw loopError(response, nextCall)
    if (page >= plan.maxRequests) {
      throw new PaginationError(
        response.request,
        'max-requests',
        `stopped after ${page} page requests (maxRequests) with a next page still to fetch: raise maxRequests, or set limit to take fewer`,
      )
    }
    call = nextCall
  }
}

/** The default `next`: the `Link: <…>; rel="next"` target, resolved against the page's URL. */
function linkNext(response: ClientResponse): URL | undefined {
  return findLink(response.headers.get('link'), pageURL(response), 'next')
}

async function pickItems(plan: Plan, response: ClientResponse): Promise<readonly unknown[]> {
  const items = plan.items ? await plan.items(response) : response.data
  if (Array.isArray(items)) return items
  if (!plan.items && (items === undefined || plan.pages)) return []
  const shown =
    typeof items === 'object' && items !== null && !plan.items
      ? `an object (keys: ${Object.keys(items).slice(0, 8).join(', ') || 'none'})`
      : items === null
        ? 'null'
        : typeof items
  const fix = plan.items
    ? 'items() must return an array'
    : 'pass items to pick the list out of each page, e.g. items: (response) => response.data.results'
  throw new PaginationError(response.request, 'not-a-list', `the page's data is ${shown}, not an array: ${fix}`)
}
