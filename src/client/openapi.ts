import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { ClientResponse, HeadersInput, RawBody, RequestOptions, ResponseType } from '../core/types.js'
import type { HTTPError } from '../errors/errors.js'
import type { Client } from './client-types.js'

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

/**
 * What every typed call takes beside the operation's own inputs. `queryFormat` is the call's:
 * openapi-typescript's types carry no parameter `style`, so a document's `deepObject`,
 * `pipeDelimited` or `explode: false` is chosen here or on the client (see `QueryFormat`).
 */
export interface TypedCallBase extends Pick<RequestOptions, 'timeout' | 'signal' | 'context' | 'queryFormat' | 'maxResponseSize'> {}

// Not distributive either, for the same reason as Pick1 (`never`, a wrong path's operation, stays `never`).
type ParametersOf<Op> = [Op] extends [never] ? never : [Op] extends [{ parameters: infer X }] ? X : Empty

/**
 * `{ [Name]: X[K] }`: required when `X` requires `K`, optional when it may be left out, and
 * `?: never` when the operation has none (v7 writes `query?: never`, v6 leaves it out).
 */
type Input<X, K extends PropertyKey, Name extends string, Value = X[K & keyof X]> = K extends keyof X
  ? [Exclude<X[K], undefined>] extends [never]
    ? { [N in Name]?: never }
    : Empty extends Pick<X, K>
      ? { [N in Name]?: Exclude<Value, undefined> | undefined }
      : { [N in Name]: Value }
  : { [N in Name]?: never }

/**
 * An optional query or header parameter may also be `undefined`, which the client leaves out (as
 * it does for untyped calls), so `query: { state }` compiles with `state?: …` under
 * `exactOptionalPropertyTypes`. Required ones stay required.
 */
type Loose<T> = { [K in keyof T]: undefined extends T[K] ? T[K] | undefined : T[K] }

/** Header parameters the document declares, alongside any other header. */
type TypedHeaders<H> = Loose<H> & { readonly [name: string]: string | number | null | undefined }
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
type JsonMedia = `${string}/json` | `${string}+json`

/**
 * The option that carries a body of media type `K` (parameters such as `; charset` left out):
 * `json`, `form`, or a raw `body`, the other two refused. Spelled out case by case on purpose: the
 * same thing built from a key and a mapped type costs the compiler 3.5× the instantiations on 50
 * GitHub calls (51,267 → 179,182, `npm run bench:types`); with `Omit`, 4.3×.
 */
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
  : { [K in keyof ContentOf<BodyOf<Op>>]-?: MediaOption<Essence<K>, ContentOf<BodyOf<Op>>[K], BodyRequired<Op>> }[keyof ContentOf<
      BodyOf<Op>
    >]

/** The inputs an operation takes: `params`, `query`, `headers` and its body, each as the document says. */
export type OperationInput<Op> = Input<ParametersOf<Op>, 'path', 'params'> &
  Input<ParametersOf<Op>, 'query', 'query', Loose<ParametersOf<Op>['query' & keyof ParametersOf<Op>]>> &
  HeadersPart<ParametersOf<Op>> &
  BodyPart<Op>

/** The options of a typed call to `Op`. `S`: a schema whose output then types `data`. */
export type TypedOptions<Op, S = undefined, R = undefined, T = boolean | undefined> = TypedCallBase &
  OperationInput<Op> & { schema?: S; responseType?: R; throwHttpErrors?: T }

/** The options argument of a call to `Op`: required when the operation requires any input, else optional. */
export type OptionsArgs<Op, Options> = Empty extends OperationInput<Op> ? [options?: Options] : [options: Options]

// ---- what a call answers ---------------------------------------------------------------------------

type Code<K> = `${K & (string | number)}`
type SuccessKeys<R> = { [K in keyof R]: Code<K> extends `2${string}` ? K : never }[keyof R]
type ErrorKeys<R> = { [K in keyof R]: Code<K> extends `4${string}` | `5${string}` | 'default' ? K : never }[keyof R]
/** A media type without its parameters, as the client matches it: `application/json; charset=utf-8` → `application/json`. */
type Essence<K> = K extends `${infer E};${string}` ? (E extends `${infer F} ` ? F : E) : K
/** What the client parses as JSON (src/request/body.ts `JSON_TYPE`): `application/json`, `application/…+json`. */
type ReadAsJson = 'application/json' | `application/${string}+json`
/** What the client reads as text (src/request/body.ts `TEXT_TYPE`); anything else it reads as bytes. */
type ReadAsText =
  | `text/${string}`
  | 'application/xml'
  | `${string}+xml`
  | 'application/javascript'
  | 'application/ecmascript'
  | 'application/x-www-form-urlencoded'
type JsonKeys<C> = { [K in keyof C]: Essence<K> extends ReadAsJson ? K : never }[keyof C]
/**
 * Non-JSON content, typed as the client reads it (see `ResponseType`): text-like → string, else
 * bytes. A wildcard (`*\/*`, `application/*`, springdoc's default) says nothing of what is sent:
 * the client reads by the answer's own type, so the document's schema is the best guess.
 */
type Unparsed<E, T> = E extends ReadAsText ? string : E extends '*/*' | 'application/*' ? T : ArrayBuffer
/**
 * A response's body: JSON first (`application/json`, then any other type the client parses as
 * JSON, parameters such as `; charset=utf-8` ignored), no content → `undefined`.
 */
type MediaBody<C> = [C] extends [never]
  ? undefined
  : 'application/json' extends keyof C
    ? C['application/json' & keyof C]
    : [JsonKeys<C>] extends [never]
      ? { [K in keyof C]-?: Unparsed<Essence<K>, C[K]> }[keyof C]
      : C[JsonKeys<C>]
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
/** `throwHttpErrors: false` on the call: an error answer resolves too, with its body in `data`. */
type DataOf<Op, M, S, R, T> = S extends StandardSchemaV1
  ? StandardSchemaV1.InferOutput<S>
  : M extends 'head'
    ? undefined
    : ReadAs<R, T extends false ? SuccessData<Op> | ErrorData<Op> : SuccessData<Op>>

/**
 * An error answer's body. One the document gives no content is `unknown`, not `undefined`: error
 * bodies also come from layers the document does not describe (the framework's default handler, a
 * gateway), and the client reads whatever arrives; it is `undefined` only when the body is empty.
 */
type ErrorBody<Res> = Res extends { content: infer C } ? ([C] extends [never] ? unknown : MediaBody<C>) : unknown

/** The bodies of `Op`'s declared error answers (`unknown` when it declares none). */
export type ErrorData<Op> = Op extends { responses: infer R }
  ? [ErrorKeys<R>] extends [never]
    ? unknown
    : { [K in ErrorKeys<R>]: ErrorBody<R[K]> }[ErrorKeys<R>]
  : unknown

/**
 * The `HTTPError`s a call to `Op` can reject with, as the document declares them: a union by
 * status (`data` typed per status; `default` and `4XX`-style ranges have `status: number`).
 */
export type OperationError<Op> = Op extends { responses: infer R }
  ? [ErrorKeys<R>] extends [never]
    ? HTTPError
    : { [K in ErrorKeys<R>]: HTTPError<ErrorBody<R[K]>> & { readonly status: K extends number ? K : number } }[ErrorKeys<R>]
  : HTTPError

// ---- the client ---------------------------------------------------------------------------------

/**
 * A verb method of a typed client: only paths that define the verb, exactly their `params`, their
 * `query`, `headers` and body, and `data` typed from the 2xx answers (or from `schema`; with
 * `throwHttpErrors: false` on the call, from the declared error answers too).
 */
export type TypedCall<Paths, M extends HttpVerb> = <
  P extends PathsWith<Paths, M>,
  S extends StandardSchemaV1 | undefined = undefined,
  R extends ResponseType | undefined = undefined,
  T extends boolean | undefined = undefined,
>(
  path: P,
  ...options: OptionsArgs<OperationOf<Paths, P, M>, TypedOptions<OperationOf<Paths, P, M>, S, R, T>>
) => Promise<ClientResponse<DataOf<OperationOf<Paths, P, M>, M, S, R, T>>>

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

/**
 * The options of a call to `Path` with `Method` (`throwHttpErrors` only `true` here: `false` changes
 * the type of `data`, so give it on the call itself).
 *
 * @example type Body = RequestOptionsOf<paths, '/user', 'patch'>['json']
 */
export type RequestOptionsOf<Paths, Path extends keyof Paths, Method extends HttpVerb> = TypedOptions<
  OperationOf<Paths, Path, Method>,
  undefined,
  undefined,
  true | undefined
>
