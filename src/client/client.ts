import type { StandardSchemaV1 } from '@standard-schema/spec'
import { checkTransport, openTransport } from '#transport'
import { checkKeys } from '../core/options.js'
import type { ClientRequest, ClientResponse, Middleware, Next, RequestOptions } from '../core/types.js'
import { checkWarmup, skippedWarmup, type WarmupOptions, type WarmupReport } from '../core/warmup.js'
import { createFetchCore, type FetchFunction } from '../cores/fetch.js'
import { ClientClosedError, ValidationError } from '../errors/errors.js'
import { mergeRules, REDACTION_RULES, type RedactionRules } from '../redact/redact.js'
import { RefusedParam } from '../request/params.js'
import { resolveQueryFormat } from '../request/query.js'
import { checkMaxRedirects } from '../request/redirect-policy.js'
import { baseOf, buildRequest, describe, mergeHeaders, parseBaseURL, type RequestDefaults } from '../request/request.js'
import { checkMaxResponseSize, MAX_RESPONSE_SIZE } from '../request/response-size.js'
import type { Call, Client, ClientOptions, OperationClient } from './client-types.js'
import { findReporters, probe } from './health.js'
import type { NoPaths, OpenAPIClient } from './openapi.js'

const KNOWN = [
  'baseURL',
  'headers',
  'queryFormat',
  'middleware',
  'pool',
  'dispatcher',
  'proxy',
  'fetch',
  'core',
  'throwHttpErrors',
  'maxRedirects',
  'maxResponseSize',
]
const SKIP_FETCH = 'fetch: requests go through the fetch function given to createClient, which keeps its own connections'
const DEFAULT_HEADERS = { accept: 'application/json, text/plain, */*', 'user-agent': 'fetchline' }

/**
 * A client typed by a vendor's OpenAPI document: `paths` as openapi-typescript generates it. The
 * verb methods accept only the document's paths for that verb, require exactly their `params`,
 * type `query`, `headers`, `json` / `form` / `body`, and type `data` from the 2xx answers. Types
 * only: the client is the same at run time. (Without a type argument this overload is skipped,
 * so `createClient(options)` and `ReturnType<typeof createClient>` are the plain {@link Client}.)
 *
 * @example
 * import type { paths } from './petstore' // npx openapi-typescript petstore.json -o petstore.d.ts
 * const petstore = createClient<paths>({ baseURL: 'https://petstore.example.com/v2' })
 * const { data: pet } = await petstore.get('/pet/{petId}', { params: { petId: 7 } }) // data: Pet
 */
export function createClient<Paths extends object = NoPaths>(
  options: [Paths] extends [NoPaths] ? never : ClientOptions,
): OpenAPIClient<Paths>
/**
 * Creates a client: a core wrapped in middleware, composed once. Everything per-client (URL
 * parsing, default headers, the pipeline, the pool) is done here, not per request.
 *
 * @example
 * const client = createClient({
 *   baseURL: 'https://api.example.com',
 *   headers: { authorization: `Bearer ${token}` },
 *   pool: { connections: 50 },
 * })
 * const { data } = await client.get<User>('/users/{id}', { params: { id: 123 } })
 * await client.close()
 */
export function createClient(options: ClientOptions): Client
export function createClient(options: ClientOptions): Client {
  checkOptions(options)
  const baseURL = parseBaseURL(options.baseURL)
  const middleware = checkMiddleware(options.middleware)
  const headers = mergeHeaders(DEFAULT_HEADERS, options.headers, 'headers').seal()
  const rules = middleware.flatMap((mw) => {
    const set = (mw as { [REDACTION_RULES]?: RedactionRules })[REDACTION_RULES]
    return set ? [set] : []
  })
  const defaults: RequestDefaults = {
    redaction: mergeRules(rules),
    base: baseOf(baseURL),
    search: baseURL.search.slice(1),
    origin: baseURL.origin,
    queryFormat: resolveQueryFormat(undefined, options.queryFormat, 'queryFormat'),
    headers,
    shared: {},
    throwHttpErrors: options.throwHttpErrors ?? true,
  }
  const builtIn = options.fetch ? undefined : openTransport(options)
  const core =
    builtIn?.core ??
    createFetchCore(
      options.fetch as FetchFunction,
      undefined,
      { maxRedirects: checkMaxRedirects(options.maxRedirects) },
      checkMaxResponseSize('maxResponseSize', options.maxResponseSize, MAX_RESPONSE_SIZE),
    )
  // Every `next` a middleware is handed returns a promise, never throws: a middleware that throws
  // before returning one (a plain function, not async) rejects instead, so `next(request).then(…)`
  // needs no guard of its own.
  const pipeline: Next = middleware.reduceRight<Next>(
    (next, mw) => (request) => {
      try {
        return mw(request, next)
      } catch (error) {
        return Promise.reject(error)
      }
    },
    core,
  )
  const reporters = findReporters(middleware)

  // Requests and operations in flight: close() waits until none is left.
  let inflight = 0
  let drained: (() => void) | undefined
  let closing: Promise<void> | undefined
  const settled = (): void => {
    if (--inflight === 0) drained?.()
  }

  async function send<T>(
    method: string,
    path: string,
    callOptions: RequestOptions | undefined,
    member: boolean,
  ): Promise<ClientResponse<T>> {
    if (closing && !member) throw new ClientClosedError()
    const built = buildCall(defaults, method, path, callOptions)
    // Aborted already: reject with the caller's reason before any middleware (a breaker, a rate
    // limit) can answer with an error of its own.
    if (built.signal?.aborted) throw built.signal.reason
    inflight++
    try {
      const response = await pipeline(built)
      return (callOptions?.schema ? await validate(response, callOptions.schema) : response) as ClientResponse<T>
    } finally {
      settled()
    }
  }
  const request = <T>(method: string, path: string, callOptions?: RequestOptions): Promise<ClientResponse<T>> =>
    send<T>(method, path, callOptions, false)

  async function operation<T>(fn: (client: OperationClient) => Promise<T>): Promise<T> {
    if (closing) throw new ClientClosedError()
    if (typeof fn !== 'function') throw new TypeError(`operation needs a function (client) => Promise, got ${describe(fn)}`)
    inflight++
    // The handle is what marks a request as the operation's (no AsyncLocalStorage: this runs on
    // Workers too); once the operation ends, it is a plain caller again.
    let open = true
    const scoped = methods(<R>(method: string, path: string, callOptions?: RequestOptions) => send<R>(method, path, callOptions, open))
    try {
      return await fn(scoped)
    } finally {
      open = false
      settled()
    }
  }

  async function warmup(warmupOptions?: WarmupOptions): Promise<WarmupReport> {
    if (closing) throw new ClientClosedError()
    const checked = checkWarmup(warmupOptions)
    if (checked.signal?.aborted) throw checked.signal.reason
    if (!builtIn) return skippedWarmup(SKIP_FETCH)
    const report = await builtIn.warmup(baseURL.origin, checked)
    // close() during the warm-up closed what it opened.
    if (closing) throw new ClientClosedError()
    return report
  }

  function close(): Promise<void> {
    closing ??= (async () => {
      if (inflight > 0) await new Promise<void>((resolve) => (drained = resolve))
      await builtIn?.close()
    })()
    return closing
  }

  return {
    ...methods(request),
    operation,
    warmup,
    health: (healthOptions) => probe(core, defaults, reporters, healthOptions, closing !== undefined),
    close,
    [Symbol.asyncDispose]: close,
    get closed() {
      return closing !== undefined
    },
    baseURL,
  }
}

type Send = <T>(method: string, path: string, options?: RequestOptions) => Promise<ClientResponse<T>>

function methods(send: Send): OperationClient {
  const verb =
    (method: string): Call =>
    (path: string, callOptions?: RequestOptions) =>
      send(method, path, callOptions)
  return {
    get: verb('GET'),
    head: verb('HEAD'),
    post: verb('POST'),
    put: verb('PUT'),
    patch: verb('PATCH'),
    delete: verb('DELETE'),
    options: verb('OPTIONS'),
    request: send as Client['request'],
  }
}

/**
 * buildRequest(), with a `params` value that would send the call to another path refused as the
 * `ValidationError` it is (request.ts cannot make one: errors.ts imports it). Nothing is sent.
 */
function buildCall(defaults: RequestDefaults, method: string, path: string, options: RequestOptions | undefined): ClientRequest {
  try {
    return buildRequest(defaults, method, path, options)
  } catch (error) {
    if (!(error instanceof RefusedParam)) throw error
    // The template's path only: its query, or the userinfo of an absolute one, could hold a secret.
    const call = `${String(method).toUpperCase()} ${path.replace(/[?#].*$/s, '').replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '')}`
    throw new ValidationError(call, undefined, [{ message: error.reason, path: ['params', error.param] }])
  }
}

async function validate(response: ClientResponse, schema: StandardSchemaV1): Promise<ClientResponse> {
  if (typeof schema?.['~standard']?.validate !== 'function') {
    throw new TypeError('options.schema must be a Standard Schema (zod, valibot, arktype, …): it has no ~standard.validate')
  }
  const result = await schema['~standard'].validate(response.data)
  if (result.issues) throw new ValidationError(response.request, response.status, result.issues, response.data)
  // Copy the descriptors, not the values: the undici core's headers and raw stay lazy.
  return Object.create(Object.getPrototypeOf(response), {
    ...Object.getOwnPropertyDescriptors(response),
    data: { value: result.value, enumerable: true },
  }) as ClientResponse
}

function checkOptions(options: ClientOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`createClient needs an options object such as { baseURL: 'https://api.example.com' }, got ${describe(options)}`)
  }
  checkKeys('createClient', options, KNOWN)
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new TypeError(`fetch must be a fetch-compatible function, got ${describe(options.fetch)}`)
  }
  if (options.fetch && options.pool) {
    throw new TypeError('pool and fetch cannot be used together: pool configures the built-in transport, a custom fetch brings its own')
  }
  checkDispatch(options)
  checkMaxRedirects(options.maxRedirects)
  checkMaxResponseSize('maxResponseSize', options.maxResponseSize, MAX_RESPONSE_SIZE)
  if (options.core !== undefined && options.core !== 'fetch' && options.core !== 'undici') {
    throw new TypeError(`core must be 'fetch' or 'undici', got ${describe(options.core)}`)
  }
  if (options.core === 'undici' && options.fetch) {
    throw new TypeError("core: 'undici' and fetch cannot be used together: the undici core does not go through fetch")
  }
  checkTransport(options)
}

/** `fetch`, `dispatcher` and `proxy` each say how requests leave: at most one of them. */
function checkDispatch(options: ClientOptions): void {
  const { dispatcher, proxy, pool } = options
  if (dispatcher !== undefined && proxy !== undefined) {
    throw new TypeError(
      'proxy and dispatcher cannot be used together: proxy makes a proxy agent the client owns; to send through your own, pass it as dispatcher alone (new ProxyAgent(…))',
    )
  }
  if (options.fetch && (dispatcher !== undefined || proxy !== undefined)) {
    throw new TypeError(
      `${dispatcher === undefined ? 'proxy' : 'dispatcher'} and fetch cannot be used together: a custom fetch brings its own transport`,
    )
  }
  if (dispatcher !== undefined && pool !== undefined) {
    throw new TypeError(
      'pool and dispatcher cannot be used together: pool configures the Agent fetchline makes; give those options to your dispatcher instead',
    )
  }
}

function checkMiddleware(middleware: unknown): readonly Middleware[] {
  if (middleware === undefined) return []
  if (!Array.isArray(middleware)) {
    throw new TypeError(`middleware must be an array of middleware functions, got ${describe(middleware)}`)
  }
  middleware.forEach((mw, index) => {
    if (typeof mw !== 'function') {
      throw new TypeError(`middleware[${index}] must be a function (request, next) => Promise<ClientResponse>, got ${describe(mw)}`)
    }
  })
  return [...middleware]
}
