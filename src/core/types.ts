import type { StandardSchemaV1 } from '@standard-schema/spec'

/** An HTTP method. The common ones are listed for completion; any token is accepted. */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS' | (string & {})

/**
 * How a response body is read. Without one, the `content-type` decides:
 * JSON types (`application/json`, `*+json`) → `json`; `text/*`, XML, JavaScript
 * and urlencoded forms → `text`; anything else → `arrayBuffer`. An empty body,
 * a `HEAD` request and statuses 204/205/304 give `undefined`.
 */
export type ResponseType = 'json' | 'text' | 'arrayBuffer' | 'blob' | 'stream'

/** A value of a query parameter or form field. `undefined` and `null` are left out. */
export type QueryValue = string | number | boolean | bigint | Date | null | undefined

/** A query parameter: a value, an array, or a plain object, nested as `queryFormat` says. */
export type QueryParam = QueryValue | readonly QueryParam[] | { readonly [key: string]: QueryParam }

/**
 * Query parameters: an object or a ready `URLSearchParams`. Arrays repeat the key and objects
 * are sent as `name[key]=` unless `queryFormat` chooses otherwise (see {@link QueryFormat}).
 */
export type Query = Readonly<Record<string, QueryParam>> | URLSearchParams

/**
 * How `query` is written into the URL: the client's `queryFormat`, overridden key by key by a
 * call's. Each choice is named after OpenAPI's `style` (and `explode`) where OpenAPI has one
 * (https://spec.openapis.org/oas/v3.1.1.html#style-examples).
 *
 * | choice | `{ ids: [1, 2] }` / `{ filter: { a: 1, b: 2 } }` | OpenAPI |
 * | --- | --- | --- |
 * | `array: 'form'` (default) | `ids=1&ids=2` | form, explode: true |
 * | `array: 'comma'` | `ids=1,2` | form, explode: false |
 * | `array: 'spaceDelimited'` | `ids=1%202` | spaceDelimited |
 * | `array: 'pipeDelimited'` | `ids=1%7C2` | pipeDelimited |
 * | `array: 'brackets'` | `ids%5B%5D=1&ids%5B%5D=2` (`ids[]=`) | — (Stripe, Rails, PHP) |
 * | `array: 'indices'` | `ids%5B0%5D=1&ids%5B1%5D=2` (`ids[0]=`) | — (qs's default) |
 * | `object: 'deepObject'` (default) | `filter%5Ba%5D=1&filter%5Bb%5D=2` (`filter[a]=`) | deepObject |
 * | `object: 'form'` | `a=1&b=2` | form, explode: true |
 * | `object: 'comma'` | `filter=a,1,b,2` | form, explode: false |
 *
 * Styles nest: a value inside an object or an indexed array is written by its own kind under
 * the name built so far (`fields[articles]=title,body` with `array: 'comma'`). Only `'indices'`
 * can carry arrays or objects as items (`items[0][price]=…`); the other array styles refuse them.
 *
 * @example
 * const stripe: QueryFormat = { array: 'brackets' } // expand[]=customer&metadata[order]=7
 */
export type QueryFormat = {
  /**
   * How a space (and every other character) is percent-encoded. `'%20'`: RFC 3986 — everything
   * but `A–Z a–z 0–9 - . _ ~` is escaped, which every server decodes the same and signature
   * schemes (AWS SigV4, OAuth 1.0a) require. `'+'`: HTML form encoding, byte for byte what
   * `URLSearchParams` writes, for a server that wants it.
   * @default '%20'
   */
  space?: '%20' | '+'
  /** How an array is sent (see the table above). @default 'form' */
  array?: 'form' | 'comma' | 'spaceDelimited' | 'pipeDelimited' | 'brackets' | 'indices'
  /** How a plain object is sent (see the table above). @default 'deepObject' */
  object?: 'deepObject' | 'form' | 'comma'
}

/** Form fields: an object (arrays repeat the key) or a ready `URLSearchParams`. */
export type FormFields = Readonly<Record<string, QueryValue | readonly QueryValue[]>> | URLSearchParams

/**
 * Headers for a request, merged over the client's. In an object, `null` removes a header the
 * client would send and `undefined` is "not given" (the client's stays), so `{ authorization:
 * maybeToken }` keeps the client's token when `maybeToken` is unset. `[name, value]` pairs (and a
 * `Headers`) append as `Headers` does: the first pair of a name replaces the client's value, the
 * next ones add to it (`[['accept', 'a'], ['accept', 'b']]` sends `accept: a, b`).
 */
export type HeadersInput =
  | Readonly<Record<string, string | number | null | undefined>>
  | Headers
  | ReadonlyArray<readonly [string, string | null | undefined]>

/** A raw request body, sent as is. */
export type RawBody = string | Uint8Array | ArrayBuffer | Blob | FormData | URLSearchParams | ReadableStream<Uint8Array>

/**
 * Options of one call. At most one of `json`, `form` and `body` may be given.
 *
 * @example
 * await client.get('/users/{id}', { params: { id: 7 }, query: { expand: ['team', 'roles'] }, timeout: 5_000 })
 */
export type RequestOptions = {
  /**
   * Query parameters appended to the URL, after any the `baseURL` and the path carry
   * (`baseURL: 'https://x/v4?api-version=1'` + `{ page: 2 }` → `?api-version=1&page=2`).
   */
  query?: Query
  /** How `query` is written, over the client's `queryFormat` key by key (see {@link QueryFormat}). */
  queryFormat?: QueryFormat
  /**
   * Values for `{name}` placeholders in the path, URL-encoded (`/` too). Every placeholder needs a
   * value and every value a placeholder. Lists and flat objects go as OpenAPI's `style: simple`
   * (`[1, 2]` → `1,2`; `{ a: 1 }` → `a,1`), a `Date` in ISO 8601. A value that would send the call
   * to another path (`.`, `..`, `../x`, empty) rejects with `ValidationError` before anything is
   * sent. The template is kept as `request.route`.
   */
  params?: Readonly<Record<string, ParamValue>>
  /**
   * Headers merged over the client's; the request wins, `null` removes a client header and
   * `undefined` leaves it (see {@link HeadersInput}).
   */
  headers?: HeadersInput
  /** A value sent as JSON, with `content-type: application/json`. */
  json?: unknown
  /** Fields sent as `application/x-www-form-urlencoded`; arrays repeat the key. */
  form?: FormFields
  /** A raw body: string, bytes, Blob, FormData (multipart) or a ReadableStream (streamed, not replayable). */
  body?: RawBody
  /** Milliseconds one attempt may take, headers and body; `0` or `false` turns a default off. */
  timeout?: number | false
  /** Cancels the call: an aborted call rejects with the signal's reason. */
  signal?: AbortSignal
  /** How to read the body; by default the `content-type` decides (see {@link ResponseType}). */
  responseType?: ResponseType
  /**
   * The most bytes the answer's body may decode to (counted after gzip, br, … are undone); past
   * it the read stops, the connection is closed and the call rejects with `MaxResponseSizeError`.
   * `Infinity`: no limit. Overrides the client's `maxResponseSize` (32 MiB by default); a
   * `responseType: 'stream'` body is limited only by this, when given.
   */
  maxResponseSize?: number
  /** Reject with `HTTPError` for statuses >= 400. Defaults to the client's `throwHttpErrors`. */
  throwHttpErrors?: boolean
  /** A free-form bag for middleware, copied onto `request.context`. */
  context?: Record<string, unknown>
  /**
   * A Standard Schema (zod, valibot, arktype, …) the parsed body must match: `data` is then its
   * output type, and a mismatch rejects with `ValidationError` instead of passing bad data on.
   */
  schema?: StandardSchemaV1
}

/** A request body after the options were turned into bytes, a form or a stream. */
export type RequestBody = string | Uint8Array | Blob | FormData | ReadableStream<Uint8Array>

/**
 * One call on its way through the pipeline. Immutable by convention: a middleware that changes
 * it passes a new object to `next` (`next({ ...request, headers })`), so a retry never carries
 * what an inner middleware added to the previous attempt.
 */
export type ClientRequest = {
  /** Upper-case method. */
  readonly method: string
  /** Absolute URL: baseURL, path, params and query already joined. */
  readonly url: URL
  /** Headers to send, read-only (a change in place throws): copy to change, `new Headers(request.headers)`. */
  readonly headers: Headers
  /** The serialised body, or `undefined`. A `ReadableStream` cannot be sent twice. */
  readonly body: RequestBody | undefined
  /** Milliseconds this attempt may take; `undefined` for no limit. The core enforces it. */
  readonly timeout: number | undefined
  /** The caller's signal. */
  readonly signal: AbortSignal | undefined
  /** 0 for the first try, 1 for the first retry, … */
  readonly attempt: number
  /** The path template when `params` were used (`/users/{id}`): a low-cardinality route name. */
  readonly route: string | undefined
  /** How the core reads the body; `undefined` lets the content type decide. */
  readonly responseType: ResponseType | undefined
  /**
   * The call's own limit on the body's decoded size, in bytes (`Infinity`: none); `undefined`: the
   * client's `maxResponseSize` for a body read whole, none for a stream. The core enforces it.
   */
  readonly maxResponseSize?: number | undefined
  /** Whether a status >= 400 rejects with `HTTPError`. */
  readonly throwHttpErrors: boolean
  /**
   * Extra redaction rules (from the client's `redact()` middleware) that every renderer of this
   * request — errors, logs, spans, metrics — applies on top of the defaults.
   */
  readonly redaction: RedactionRules | undefined
  /** Per-call bag for middleware: shared by all attempts of one call. */
  readonly context: Record<string, unknown>
  /** The options the caller passed, untouched. */
  readonly options: Readonly<RequestOptions>
}

/** The answer to a request. `data` is parsed by content type or as `responseType` asks. */
export type ClientResponse<T = unknown> = {
  readonly status: number
  /** `true` for 2xx. */
  readonly ok: boolean
  readonly headers: Headers
  /** The URL that answered (after redirects). */
  readonly url: string
  readonly data: T
  /** The request this answers (the last attempt's). */
  readonly request: ClientRequest
  /** The underlying `Response`. On the undici core it is built on first access, without a body. */
  readonly raw: Response
  /**
   * What `cache()` did for this call: `'hit'` (a fresh stored answer, no request), `'miss'` (a full
   * answer from the origin), `'revalidated'` (the origin said 304: the stored body, status as
   * stored), `'stale'` (a stale stored answer: `stale-while-revalidate`, `stale-if-error`,
   * `max-stale`). `undefined` when no `cache()` ran or it let the call pass (not a GET, a body,
   * a stream, the caller's own conditional or range headers).
   */
  readonly cache?: CacheResult | undefined
}

/** What `cache()` did for a call; see {@link ClientResponse.cache}. */
export type CacheResult = 'hit' | 'miss' | 'revalidated' | 'stale'

/** The innermost function of the pipeline, or what a middleware calls to go on. */
export type Next = (request: ClientRequest) => Promise<ClientResponse>

/**
 * A middleware: gets the request and the rest of the pipeline. It may change the request (pass a
 * new object on), call `next` any number of times (retry), or handle failure in one place:
 * `try { return await next(request) } catch (error) { … }`.
 *
 * @example
 * const stamp: Middleware = async function stamp(request, next) {
 *   const headers = new Headers(request.headers)
 *   headers.set('x-sent-at', new Date().toISOString())
 *   return next({ ...request, headers })
 * }
 */
export type Middleware = (request: ClientRequest, next: Next) => Promise<ClientResponse>

/** A core sends one request and reads its answer; it knows nothing of retries or logs. */
export type Core = Next

/** A primitive a path segment can carry. */
export type ParamScalar = string | number | bigint | boolean | Date
/**
 * A `params` value: a primitive or a `Date`, a list of them (`1,2,3`), or a flat object of them
 * (`a,1,b,2`; `undefined` and `null` members are left out).
 */
export type ParamValue = ParamScalar | ReadonlyArray<ParamScalar> | Readonly<Record<string, ParamScalar | null | undefined>>

/**
 * Extra rules. In `deny` mode (the default) the listed names are hidden on top of the defaults;
 * in `allow` mode only the listed names are shown and every other value is hidden.
 *
 * @example
 * const rules: RedactionRules = { headers: ['x-tenant-signature'], query: [/^sign/i] }
 */
export type RedactionRules = {
  /** Header names (case-insensitive strings or patterns). */
  headers?: ReadonlyArray<string | RegExp>
  /** Query parameter names (case-insensitive strings or patterns); `params` names are judged by them too. */
  query?: ReadonlyArray<string | RegExp>
  /** Keys whose values are hidden in logged JSON bodies. */
  bodyKeys?: ReadonlyArray<string | RegExp>
  /**
   * Secrets in the URL's path (as sent, percent-encoded), hidden in every mode: a RegExp hides
   * its capture groups, or its whole match when it has none (`/\/bot([^/]+)/` for Telegram's
   * `/bot<token>/…`); a string is a secret value hidden wherever it appears in the path.
   */
  path?: ReadonlyArray<string | RegExp>
  /**
   * `'allow'`: show only the listed header, query and body-key names; every other value is
   * hidden. The built-in secret names stay hidden in both modes.
   * @default 'deny'
   */
  mode?: 'deny' | 'allow'
}
