import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { Client } from './client.js'
import type { HTTPError } from './errors.js'
import type { ClientResponse, HeadersInput, RawBody, RequestOptions, ResponseType } from './types.js'

// Types for a client over a vendor's OpenAPI document: `createClient<paths>()`, where `paths` is
// what openapi-typescript generates (v7, and the v6 output @octokit/openapi-types still ships).
// Types only: nothing here exists at run time. Every alias below is keyed by one operation (not
// by the whole `paths`), reads the generator's own `?` markers for what is required, and picks
// answers by a pattern on the operation's few status keys, so a call costs the compiler a few
// small instantiations however large the document is.

/** The methods an OpenAPI path item can define, keyed as openapi-typescript keys them. */
export type HttpVerb = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch' | 'trace'

/**
 * The paths of `Paths` that define `M`. A verb a path lacks is `get?: never` (v7) or absent (v6):
 * neither has the required member this asks for.
 */
export type PathsWith<Paths, M extends HttpVerb> = {
  [P in keyof Paths]: Paths[P] extends { [K in M]: object } ? P : never
}[keyof Paths]

/** `Empty extends X`: every member of `X` may be left out. */
// biome-ignore lint/complexity/noBannedTypes: the empty object type is what that test needs
export type Empty = {}
type IsUnion<T> = [T] extends [UnionToIntersection<T>] ? false : true
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never

/**
 * The operation at `P`, `M`. When a call names a path the document does not have, the compiler
 * goes on with the parameter's whole constraint (every path) as `P`: that case is `never` here,
 * so one typo costs one error, not an instantiation per path of the document.
 */
export type OperationOf<Paths, P, M extends HttpVerb> = [PathsWith<Paths, M>] extends [P]
  ? IsUnion<P> extends true
    ? never
    : Pick1<Paths, P, M>
  : Pick1<Paths, P, M>
// Not distributive over `P` (the `[P]`): while a call's options object is checked, before `P` is
// inferred, the compiler reads its contextual type through `P`'s constraint, every path with
// the verb; a distributive pick would instantiate the operation types once per path there.
type Pick1<Paths, P, M extends HttpVerb> = [P] extends [keyof Paths] ? (M extends keyof Paths[P] ? Paths[P][M] : never) : never

// ---- what a call sends ---------------------------------------------------------------------------

/** What every typed call takes beside the operation's own inputs. */
export interface TypedCallBase extends Pick<RequestOptions, 'timeout' | 'signal' | 'throwHttpErrors' | 'context'> {}

// Not distributive either, for the same reason as Pick1 (`never`, a wrong path's operation, stays `never`).
type ParametersOf<Op> = [Op] extends [never] ? never : [Op] extends [{ parameters: infer X }] ? X : Empty

/**
 * `{ [Name]: X[K] }`: required when `X` requires `K`, optional when it may be left out, and
 * `?: never` when the operation has none (v7 writes `query?: never`, v6 leaves it out).
 */
type Input<X, K extends PropertyKey, Name extends string> = K extends keyof X
  ? [Exclude<X[K], undefined>] extends [never]
    ? { [N in Name]?: never }
    : Empty extends Pick<X, K>
      ? { [N in Name]?: Exclude<X[K], undefined> | undefined }
      : { [N in Name]: X[K] }
  : { [N in Name]?: never }

/** Header parameters the document declares, alongside any other header. */
type TypedHeaders<H> = H & { readonly [name: string]: string | number | null | undefined }
type HeadersPart<X> = 'header' extends keyof X
  ? [Exclude<X['header' & keyof X], undefined>] extends [never]
    ? { headers?: HeadersInput }
    : Empty extends Pick<X, 'header' & keyof X>
      ? { headers?: TypedHeaders<Exclude<X['header' & keyof X], undefined>> | Headers | undefined }
      : { headers: TypedHeaders<X['header' & keyof X]> }
  : { headers?: HeadersInput }

type NoBody = { json?: never; form?: never; body?: never }
type ContentOf<B> = B extends { content: infer C } ? C : never
type BodyOf<Op> = 'requestBody' extends keyof Op ? Exclude<Op['requestBody' & keyof Op], undefined> : never
type BodyRequired<Op> = 'requestBody' extends keyof Op ? (Empty extends Pick<Op, 'requestBody' & keyof Op> ? false : true) : false
type JsonMedia = `${string}/json` | `${string}+json` | `${string}/json;${string}`

/** The option that carries a body of media type `K`: `json`, `form`, or a raw `body`. */
type MediaOption<K, T, Required> = K extends JsonMedia
  ? Required extends true
    ? { json: T; form?: never; body?: never }
    : { json?: T; form?: never; body?: never }
  : K extends 'application/x-www-form-urlencoded'
    ? Required extends true
      ? { form: T; json?: never; body?: never }
      : { form?: T; json?: never; body?: never }
    : Required extends true
      ? { body: RawBodyFor<K>; json?: never; form?: never }
      : { body?: RawBodyFor<K>; json?: never; form?: never }
type RawBodyFor<K> = K extends 'multipart/form-data' ? FormData : K extends `text/${string}` ? string : RawBody
type BodyPart<Op> = [ContentOf<BodyOf<Op>>] extends [never]
  ? NoBody
  : { [K in keyof ContentOf<BodyOf<Op>>]-?: MediaOption<K, ContentOf<BodyOf<Op>>[K], BodyRequired<Op>> }[keyof ContentOf<BodyOf<Op>>]

/** The inputs an operation takes: `params`, `query`, `headers` and its body, each as the document says. */
export type OperationInput<Op> = Input<ParametersOf<Op>, 'path', 'params'> &
  Input<ParametersOf<Op>, 'query', 'query'> &
  HeadersPart<ParametersOf<Op>> &
  BodyPart<Op>

/** The options of a typed call to `Op`. `S`: a schema whose output then types `data`. */
export type TypedOptions<Op, S = undefined, R = undefined> = TypedCallBase & OperationInput<Op> & { schema?: S; responseType?: R }

/** The options argument: required when the operation requires any input, else optional. */
type OptionsArg<Op, S, R> = Empty extends OperationInput<Op> ? [options?: TypedOptions<Op, S, R>] : [options: TypedOptions<Op, S, R>]

// ---- what a call answers ---------------------------------------------------------------------------

type Code<K> = `${K & (string | number)}`
type SuccessKeys<R> = { [K in keyof R]: Code<K> extends `2${string}` ? K : never }[keyof R]
type ErrorKeys<R> = { [K in keyof R]: Code<K> extends `4${string}` | `5${string}` | 'default' ? K : never }[keyof R]
/** Non-JSON content, typed as fetchline reads it (see `ResponseType`): text-like → string, else bytes. */
type RuntimeBody<K> = K extends
  | `text/${string}`
  | `${string}/xml`
  | `${string}+xml`
  | 'application/x-www-form-urlencoded'
  | 'application/javascript'
  ? string
  : ArrayBuffer
/** A response's body: JSON first (`application/json`, then any `…/json` or `…+json`), no content → `undefined`. */
type MediaBody<C> = [C] extends [never]
  ? undefined
  : 'application/json' extends keyof C
    ? C['application/json' & keyof C]
    : [Extract<keyof C, JsonMedia>] extends [never]
      ? RuntimeBody<keyof C>
      : C[Extract<keyof C, JsonMedia>]
/** One answer's body; 204 and 205 have none (v7 `content?: never`, v6 `content: never`). */
type ResponseBody<Res, K> = Code<K> extends '204' | '205' ? undefined : Res extends { content: infer C } ? MediaBody<C> : undefined

/**
 * `data` of a call to `Op`: the union of its 2xx answers' bodies. With no 2xx in the document,
 * the `default` answer's body, else `unknown`.
 */
export type SuccessData<Op> = Op extends { responses: infer R }
  ? [SuccessKeys<R>] extends [never]
    ? 'default' extends keyof R
      ? ResponseBody<R['default' & keyof R], 'default'>
      : unknown
    : { [K in SuccessKeys<R>]: ResponseBody<R[K], K> }[SuccessKeys<R>]
  : unknown

/** What `responseType` makes of `data`; `undefined` (or `'json'`) keeps the document's type. */
type ReadAs<R, D> = R extends 'text'
  ? string
  : R extends 'arrayBuffer'
    ? ArrayBuffer
    : R extends 'blob'
      ? Blob
      : R extends 'stream'
        ? ReadableStream<Uint8Array>
        : D
type DataOf<Op, M, S, R> = S extends StandardSchemaV1
  ? StandardSchemaV1.InferOutput<S>
  : M extends 'head'
    ? undefined
    : ReadAs<R, SuccessData<Op>>

/**
 * The `HTTPError`s a call to `Op` can reject with, as the document declares them: a union by
 * status (`data` typed per status; `default` and `4XX`-style ranges have `status: number`).
 */
export type OperationError<Op> = Op extends { responses: infer R }
  ? [ErrorKeys<R>] extends [never]
    ? HTTPError
    : { [K in ErrorKeys<R>]: HTTPError<ResponseBody<R[K], K>> & { readonly status: K extends number ? K : number } }[ErrorKeys<R>]
  : HTTPError

// ---- the client ---------------------------------------------------------------------------------

/**
 * A verb method of a typed client: only paths that define the verb, exactly their `params`, their
 * `query`, `headers` and body, and `data` typed from the 2xx answers (or from `schema`).
 */
export type TypedCall<Paths, M extends HttpVerb> = <
  P extends PathsWith<Paths, M>,
  S extends StandardSchemaV1 | undefined = undefined,
  R extends ResponseType | undefined = undefined,
>(
  path: P,
  ...options: OptionsArg<OperationOf<Paths, P, M>, S, R>
) => Promise<ClientResponse<DataOf<OperationOf<Paths, P, M>, M, S, R>>>

/** Marks a typed client with its `paths`, for the compiler only: the property never exists. */
declare const OPENAPI: unique symbol
/** Anything that carries a typed client's `paths` (the client, an operation's client). */
export type WithPaths<Paths> = { readonly [OPENAPI]?: Paths }
/** Not a typed client: the untyped overloads of `paginate` take only these, so a typo in a typed call cannot fall through to them. */
export type WithoutPaths = { readonly [OPENAPI]?: never }

declare const NO_PATHS: unique symbol
/** `createClient`'s type argument when none is given: that call is the plain `Client`. */
export interface NoPaths {
  readonly [NO_PATHS]: true
}

type Verbs = 'get' | 'head' | 'post' | 'put' | 'patch' | 'delete' | 'options'

/** The typed verbs of an operation's client (`client.operation(fn)`), and the untyped `request`. */
export interface OpenAPIOperationClient<Paths> extends WithPaths<Paths> {
  readonly get: TypedCall<Paths, 'get'>
  readonly head: TypedCall<Paths, 'head'>
  readonly post: TypedCall<Paths, 'post'>
  readonly put: TypedCall<Paths, 'put'>
  readonly patch: TypedCall<Paths, 'patch'>
  readonly delete: TypedCall<Paths, 'delete'>
  readonly options: TypedCall<Paths, 'options'>
  readonly request: Client['request']
}

/**
 * A client typed by a vendor's OpenAPI document (`createClient<paths>()`): the verb methods are
 * typed per path; `request(method, path)` stays untyped, for what the document leaves out.
 * Everything else is the plain {@link Client}.
 *
 * @example
 * import type { paths } from './github' // npx openapi-typescript github.json -o github.d.ts
 * const github = createClient<paths>({ baseURL: 'https://api.github.com' })
 * const { data } = await github.get('/repos/{owner}/{repo}', { params: { owner: 'nodejs', repo: 'undici' } })
 */
export interface OpenAPIClient<Paths> extends Omit<Client, Verbs | 'operation'>, OpenAPIOperationClient<Paths> {
  readonly request: Client['request']
  /** As {@link Client.operation}, with the typed verbs. */
  operation<T>(fn: (client: OpenAPIOperationClient<Paths>) => Promise<T>): Promise<T>
}

/** The `data` of a successful call to `Path` with `Method`. @example type Repo = ResponseData<paths, '/repos/{owner}/{repo}', 'get'> */
export type ResponseData<Paths, Path extends keyof Paths, Method extends HttpVerb> = SuccessData<OperationOf<Paths, Path, Method>>

/** The `HTTPError`s a call to `Path` with `Method` can reject with. @example type E = ErrorOf<paths, '/user', 'get'> */
export type ErrorOf<Paths, Path extends keyof Paths, Method extends HttpVerb> = OperationError<OperationOf<Paths, Path, Method>>

/** The options of a call to `Path` with `Method`. @example type Body = RequestOptionsOf<paths, '/user', 'patch'>['json'] */
export type RequestOptionsOf<Paths, Path extends keyof Paths, Method extends HttpVerb> = TypedOptions<OperationOf<Paths, Path, Method>>
