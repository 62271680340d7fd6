// The public types of a client: the options of createClient(), the client it hands back and the
// verb methods. Types only: client.ts builds them, openapi.ts types them by a document. The contract
// of a runtime's `#transport` edge is src/cores/transport.ts.

import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { Agent, Dispatcher } from 'undici'
import type { ClientResponse, HeadersInput, Middleware, QueryFormat, RequestOptions } from '../core/types.js'
import type { WarmupOptions, WarmupReport } from '../core/warmup.js'
import type { FetchFunction } from '../cores/fetch.js'
import type { HealthCheckOptions, HealthReport } from './health.js'

/**
 * Options of {@link createClient}.
 *
 * @example
 * const options: ClientOptions = { baseURL: 'https://api.example.com/v1', headers: { 'x-api-key': key } }
 */
export type ClientOptions = {
  /** Absolute http(s) URL every path is joined to; its path is a prefix (`/api/v1` + `/users`). */
  baseURL: string | URL
  /** Headers sent with every request; a request's own headers win (see {@link HeadersInput}). */
  headers?: HeadersInput
  /**
   * How every call's `query` is written: spaces, arrays, objects (see {@link QueryFormat}); a
   * call's own `queryFormat` overrides it key by key.
   * @default { space: '%20', array: 'form', object: 'deepObject' }
   * @example
   * createClient({ baseURL: 'https://api.stripe.com/v1', queryFormat: { array: 'brackets' } })
   */
  queryFormat?: QueryFormat
  /**
   * Middleware, outermost first (koa's order: the first sees the call first and the answer last;
   * undici's interceptors list the other way round). Composed once, here.
   * @default []
   */
  middleware?: readonly Middleware[]
  /**
   * Options of the undici `Agent` this client owns and closes: `connections` per origin,
   * `keepAliveTimeout`, `connect: { timeout }`, … Not allowed with `fetch`, nor where there is no
   * undici Agent (Cloudflare Workers, Bun, browsers: the platform's fetch pools connections itself).
   * @default {}
   */
  pool?: Agent.Options
  /**
   * Any undici Dispatcher the caller made — a `ProxyAgent`, an `EnvHttpProxyAgent`, a `MockAgent`,
   * an Agent composed with interceptors — sent on by both cores. fetchline never closes it:
   * `close()` waits for this client's requests in flight, then leaves the dispatcher open (the
   * caller closes it; other clients may share it). Not with `pool` (configure the dispatcher
   * itself), `proxy` or `fetch`; Node and Deno only.
   * @default undefined (the client's own undici Agent)
   * @example
   * createClient({ baseURL, dispatcher: new ProxyAgent('http://proxy.internal:3128') })
   */
  dispatcher?: Dispatcher
  /**
   * Send through a forward proxy, with an undici proxy agent the client owns and closes.
   * `'env'` reads `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` (lower case too) through undici's
   * `EnvHttpProxyAgent`; a URL (`'http://user:pass@proxy.internal:3128'`) uses a `ProxyAgent`, its
   * credentials sent to the proxy as `Proxy-Authorization` and never shown in errors or logs.
   * HTTPS goes through a CONNECT tunnel, plain HTTP in absolute form. `pool` still applies, its
   * `connect` TLS options to the origin inside the tunnel. Node and Deno only.
   * @default undefined (no proxy; HTTP_PROXY is ignored unless 'env' is given)
   * @example
   * createClient({ baseURL: 'https://api.weixin.qq.com', proxy: 'http://egress:secret@10.0.8.2:3128' })
   */
  proxy?: 'env' | (string & {}) | URL
  /** A fetch function to send through instead of the built-in transport (msw, `mockFetch`, a proxy). */
  fetch?: FetchFunction
  /**
   * `'fetch'`: ofetch over undici's fetch on Node and Deno, over the platform's fetch on
   * Cloudflare Workers, Bun and browsers, or over `fetch` when given — WHATWG semantics, works
   * with any fetch double. `'undici'`: `Dispatcher.dispatch` on the pool, no fetch layer: the fast
   * path for high-volume service-to-service traffic, on Node and Deno only.
   * @default 'fetch'
   */
  core?: 'fetch' | 'undici'
  /** Reject with `HTTPError` for statuses >= 400; `false` resolves with the response instead. @default true */
  throwHttpErrors?: boolean
  /**
   * How many redirects (301, 302, 303, 307, 308) a call follows, on both cores; one more rejects
   * with `MaxRedirectsError`. `0` follows none: the 3xx is the answer. A redirect to another
   * origin never carries a header the client's redaction rules hide (API keys, tokens, cookies).
   * @default 20 (fetch's limit)
   */
  maxRedirects?: number
  /**
   * The most bytes an answer's body may decode to (counted after gzip, br, deflate or zstd are
   * undone, so a small decompression bomb is caught too), on both cores and every runtime. Past it
   * the read stops at once, the connection is closed, and the call rejects with
   * `MaxResponseSizeError`. A call's own `maxResponseSize` overrides it. A body read as a stream
   * (`responseType: 'stream'`) is limited only by the call's own. `Infinity`: no limit.
   * @default 33554432 (32 MiB; see docs/reference.md, "Response size")
   */
  maxResponseSize?: number
}

/** Options of a call that validates its answer with a Standard Schema. */
export type SchemaOptions<S extends StandardSchemaV1> = RequestOptions & { schema: S }

/** A verb method: `data` is typed by `schema` when one is given, else by the type argument. */
export type Call = {
  <S extends StandardSchemaV1>(path: string, options: SchemaOptions<S>): Promise<ClientResponse<StandardSchemaV1.InferOutput<S>>>
  <T = unknown>(path: string, options?: RequestOptions): Promise<ClientResponse<T>>
}

/** A client: one method per HTTP verb, `request`, `health`, and `close`. */
export type Client = {
  readonly get: Call
  readonly head: Call
  readonly post: Call
  readonly put: Call
  readonly patch: Call
  readonly delete: Call
  readonly options: Call
  /** Any method: `client.request('PATCH', '/users/1', { json })`. */
  request<S extends StandardSchemaV1>(
    method: string,
    path: string,
    options: SchemaOptions<S>,
  ): Promise<ClientResponse<StandardSchemaV1.InferOutput<S>>>
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<ClientResponse<T>>
  /** Probes the service once, with no retries; never throws. */
  health(options?: HealthCheckOptions): Promise<HealthReport>
  /**
   * Runs `fn` as one operation of several requests (fetch a token, then send): `close()` (and a
   * registry's `closeAll()`) waits for the whole operation, and the requests `fn` makes through
   * the `client` it is handed are sent even after `close()` began. Requests made through the
   * client itself are not part of it. After `close()`, `operation()` rejects with
   * `ClientClosedError`.
   *
   * @example
   * const sent = await client.operation(async (api) => {
   *   const { data } = await api.post('/oauth/token', { form: { grant_type: 'client_credentials' } })
   *   return api.post('/messages', { json: message, headers: { authorization: `Bearer ${data.access_token}` } })
   * })
   */
  operation<T>(fn: (client: OperationClient) => Promise<T>): Promise<T>
  /**
   * Opens up to `connections` pool connections to the baseURL's origin (TCP, TLS, ALPN) before
   * traffic, so the first burst does not wait for connects; each waits `ttl` ms for a request,
   * then closes. Never rejects for a connect failure (the report counts it), so a vendor down at
   * start-up does not stop the service; rejects with a TypeError for bad options, the signal's
   * reason on abort, and `ClientClosedError` after `close()`. Opens nothing (the report says why
   * in `skipped`) with a `dispatcher`, a `proxy`, a custom `fetch`, or on Cloudflare Workers, Bun
   * and browsers.
   *
   * @example
   * const report = await client.warmup({ connections: 16 })  // before reporting ready
   */
  warmup(options?: WarmupOptions): Promise<WarmupReport>
  /**
   * Waits for requests and operations in flight, then closes the pool (or proxy agent) the client
   * made — never a `dispatcher` the caller passed. Idempotent; later requests reject.
   */
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
  /** Whether `close()` was called. */
  readonly closed: boolean
  /** The parsed `baseURL`. */
  readonly baseURL: URL
}

/** What an operation's function is handed: the client's request methods, for that operation only. */
export type OperationClient = Pick<Client, 'get' | 'head' | 'post' | 'put' | 'patch' | 'delete' | 'options' | 'request'>
