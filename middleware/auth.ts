import type { OperationClient } from '../src/client/client-types.js'
import { isHTTPError } from '../src/client/error-guards.js'
import { Headers } from '../src/core/headers.js'
import { checkKeys, checkMs, describe, withDefaults } from '../src/core/options.js'
import type { ClientRequest, ClientResponse, Middleware, Next } from '../src/core/types.js'
import { HTTPError } from '../src/errors/errors.js'
import { createTokenCache, type IssuedToken, type TokenCache, type TokenStore } from '../src/features/token-cache.js'
import { mergeRules } from '../src/redact/redact.js'
import { basicCredentials, grantError, grantForm, readToken, tokenKey } from './oauth2-grant.js'

/** What `getToken` is told after the server answered 401 to `rejected`: hand back a fresh token. */
export type TokenHint = { refresh: true; rejected: string }

/**
 * Options of {@link bearer}: one token source, `getToken` or `tokens`.
 *
 * @example
 * bearer({ getToken: () => process.env.VENDOR_TOKEN! })
 */
export type BearerOptions = {
  /**
   * Your token source, sync or async, called for every request (keep it cheap: cache inside it, or
   * pass `tokens`). After a 401 it is called once with `{ refresh: true, rejected }`: return a token
   * other than `rejected`. Concurrent 401s for one token share that one call.
   */
  getToken?: (hint?: TokenHint) => string | Promise<string>
  /** A `createTokenCache()`: cached until shortly before expiry, one fetch for concurrent callers, shareable across a fleet. */
  tokens?: TokenCache
}

/** Where a middleware gets its tokens: a fresh one after a rejection. */
type Source<C> = { get(context: C): Promise<string>; refresh(rejected: string, context: C): Promise<string> }

const NOT_REPLAYED =
  ' (not replayed with a fresh token: the request body is a stream, which can be sent only once; send a string, bytes or a Blob for a 401 to be recovered)'

/**
 * Sends `Authorization: Bearer <token>` on every request. When the server answers 401, asks the
 * source for a fresh token once and replays the request once — never in a loop (a second 401 is
 * the caller's, as `HTTPError`), and never when the body is a one-shot stream. Put it before
 * `retry()` (outermost): see {@link oauth2} for why. The token is redacted from every log, span and
 * error (`Authorization` is a secret header).
 *
 * @example
 * const api = createClient({ baseURL, middleware: [bearer({ getToken: async () => vault.read('vendor-token') }), ...recommended()] })
 */
export function bearer(options: BearerOptions): Middleware {
  checkKeys('bearer', options, ['getToken', 'tokens'])
  const { getToken, tokens } = options
  if ((getToken === undefined) === (tokens === undefined))
    throw new TypeError('bearer needs one token source: getToken (a function returning the token) or tokens (a createTokenCache())')
  if (getToken !== undefined && typeof getToken !== 'function')
    throw new TypeError(`bearer: getToken must be a function returning the token, got ${describe(getToken)}`)
  if (tokens !== undefined && (typeof tokens?.get !== 'function' || typeof tokens.refresh !== 'function'))
    throw new TypeError('bearer: tokens must be a TokenCache from createTokenCache()')
  const source: Source<void> = tokens ?? fromGetToken(getToken as NonNullable<BearerOptions['getToken']>)
  return function bearer(request, next) {
    return authorize(source, request, next, undefined)
  }
}

function fromGetToken(getToken: NonNullable<BearerOptions['getToken']>): Source<void> {
  const call = async (hint?: TokenHint): Promise<string> => checkToken(await (hint ? getToken(hint) : getToken()))
  // The last refresh, kept after it resolved: a late 401 for the same rejected token reuses it.
  let last: { rejected: string; token: Promise<string> } | undefined
  return {
    get: () => call(),
    refresh(rejected) {
      if (last?.rejected === rejected) return last.token
      const entry = { rejected, token: call({ refresh: true, rejected }) }
      last = entry
      entry.token.catch(() => {
        if (last === entry) last = undefined // a failed refresh is tried again by the next 401
      })
      return entry.token
    },
  }
}

/** A token must fit an Authorization header; the error never shows it. */
function checkToken(token: unknown): string {
  if (typeof token === 'string' && /^[\x21-\x7e]+$/.test(token)) return token
  const what = typeof token === 'string' ? `a string of ${token.length} characters, some not visible ASCII` : describe(token)
  throw new TypeError(`bearer: getToken must return a token of visible ASCII characters (RFC 6750), got ${what}`)
}

/** The shared loop of bearer() and oauth2(): send with the token; on a 401, refresh once and replay once. */
async function authorize<C>(source: Source<C>, request: ClientRequest, next: Next, context: C): Promise<ClientResponse> {
  const token = await source.get(context)
  let rejected: ClientResponse | HTTPError
  try {
    const response = await next(withToken(request, token))
    if (response.status !== 401) return response
    rejected = response
  } catch (error) {
    if (!isHTTPError(error) || error.status !== 401) throw error
    rejected = error
  }
  if (request.body instanceof ReadableStream) {
    if (!isHTTPError(rejected)) return rejected
    rejected.message += NOT_REPLAYED
    throw rejected
  }
  // With throwHttpErrors: false the 401 arrived as a response; a streamed one holds its socket.
  if (!isHTTPError(rejected) && rejected.data instanceof ReadableStream) await rejected.data.cancel().catch(() => {})
  return next(withToken(request, await source.refresh(token, context)))
}

function withToken(request: ClientRequest, token: string): ClientRequest {
  const headers = new Headers(request.headers)
  headers.set('authorization', `Bearer ${token}`)
  return { ...request, headers }
}

/**
 * Options of {@link oauth2}.
 *
 * @example
 * const options: OAuth2Options = { tokenURL: 'https://auth.vendor.example/oauth/token', clientId: 'billing', clientSecret, scope: 'invoices:read' }
 */
export type OAuth2Options = {
  /** The token endpoint, an absolute http(s) URL. */
  tokenURL: string | URL
  clientId: string
  clientSecret: string
  /** Scopes asked for (RFC 6749 §3.3); an array is joined with spaces. */
  scope?: string | readonly string[]
  /** The API the token is for, as Auth0 and others name it. */
  audience?: string
  /** Extra form fields of the token request, such as RFC 8707's `resource`. */
  params?: Readonly<Record<string, string>>
  /**
   * How the client authenticates (RFC 6749 §2.3.1): `'basic'`, HTTP Basic — the one every server
   * must support, and the body method is "NOT RECOMMENDED" — or `'body'`, `client_id` and
   * `client_secret` in the form, for the providers that accept only that.
   * @default 'basic'
   */
  clientAuth?: 'basic' | 'body'
  /** Where tokens live; `createRedisTokenStore()` shares one token across a fleet. @default in memory */
  store?: TokenStore
  /** The store key. @default from tokenURL, clientId, scope, audience and params; never the secret */
  key?: string
  /** Refresh this many ms before expiry (at most half the token's lifetime). @default 60_000 */
  refreshMargin?: number
  /** Seconds a token is taken to live when the server sends no `expires_in`. @default 3600 */
  defaultExpiresIn?: number
  /** Milliseconds one attempt of the token request may take. @default 10_000 */
  timeout?: number
  /** Send token requests through this client (its pipeline); tokenURL must be on its origin. @default the pipeline after oauth2() */
  client?: Pick<OperationClient, 'post'>
}

const defaults = { clientAuth: 'basic', refreshMargin: 60_000, defaultExpiresIn: 3600, timeout: 10_000 } as const
const KNOWN = ['tokenURL', 'clientId', 'clientSecret', 'scope', 'audience', 'params', 'store', 'key', 'client', ...Object.keys(defaults)]

/** Who asked for a token: its request and the rest of the pipeline, which the token request takes too. */
type Asker = { request: ClientRequest; next: Next }

/**
 * The OAuth2 client-credentials grant (RFC 6749 §4.4) as a middleware: fetches a token, caches it
 * until `refreshMargin` before it expires (one fetch for any number of concurrent calls, and one
 * for a fleet with a shared `store`), sends it as a bearer token, and on a 401 drops it (only if
 * it is still the current one), fetches a fresh one and replays the call once.
 *
 * The token request goes through the rest of the pipeline after oauth2() (so the client's pool,
 * proxy, TLS options and its retry, timeout, log and trace apply), never through oauth2() itself.
 * So put oauth2() first, before `retry()`: then a token endpoint answering 500 or failing to
 * connect is retried like any call (the token request is marked safe to repeat: it only issues a
 * token), and the replay after a 401 gets retry's attempts afresh — a stale token is not a
 * failing service, so it is not counted against the retry budget. A refusal (`invalid_client`,
 * `invalid_scope`, …) rejects with `OAuth2Error`, not retried.
 *
 * @example
 * const api = createClient({
 *   baseURL: 'https://api.vendor.example',
 *   middleware: [oauth2({ tokenURL: 'https://auth.vendor.example/oauth/token', clientId, clientSecret, scope: 'invoices:read' }), ...recommended()],
 * })
 */
export function oauth2(options: OAuth2Options): Middleware {
  const o = checkOAuth2(options)
  const url = new URL(o.tokenURL)
  const scope = typeof o.scope === 'string' || o.scope === undefined ? o.scope : o.scope.join(' ')
  const grant = {
    clientId: o.clientId,
    clientSecret: o.clientSecret,
    clientAuth: o.clientAuth,
    scope,
    audience: o.audience,
    params: o.params,
  }
  const form = grantForm(grant)
  const basic = o.clientAuth === 'basic' ? basicCredentials(o.clientId, o.clientSecret) : undefined
  const secrets = [o.clientSecret, ...(basic ? [basic.slice(6)] : [])]
  // Known secret values are hidden wherever the token request is rendered (logged bodies, an
  // error_description echoing the secret), on top of the client's own rules.
  const hidden = { path: secrets }

  function tokenRequest({ request }: Asker): ClientRequest {
    const headers = new Headers({ accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' })
    const agent = request.headers.get('user-agent')
    if (agent) headers.set('user-agent', agent)
    if (basic) headers.set('authorization', basic)
    // The asker's request lends its rendering hooks and redaction rules; not its signal (other
    // callers wait on this fetch too), body, context or options.
    const context = { idempotencyKey: crypto.randomUUID() } // marks it safe to repeat for retry()
    const timeout = o.timeout
    return {
      ...request,
      method: 'POST',
      url: new URL(url),
      headers,
      body: form,
      timeout,
      signal: undefined,
      attempt: 0,
      route: undefined,
      responseType: undefined,
      maxResponseSize: undefined, // the client's limit, not the asker's
      throwHttpErrors: false,
      redaction: mergeRules(request.redaction ? [request.redaction, hidden] : [hidden]),
      context,
      options: { timeout }, // an explicit timeout: timeout() leaves it as it is
    }
  }

  async function fetchToken(asker: Asker): Promise<IssuedToken> {
    const response = o.client
      ? await o.client.post(url.href, {
          body: new URLSearchParams(form),
          headers: basic ? { authorization: basic } : {},
          timeout: o.timeout,
          throwHttpErrors: false,
          context: { idempotencyKey: crypto.randomUUID() },
        })
      : await asker.next(tokenRequest(asker))
    if (response.status < 300) {
      const issued = readToken(response.request, response.status, response.data, o.defaultExpiresIn, secrets)
      const margin = Math.min(o.refreshMargin / 1000, issued.expiresIn / 2)
      return { token: issued.token, expiresIn: issued.expiresIn - margin }
    }
    if (response.status < 500) throw grantError(response.request, response.status, response.data, secrets) ?? new HTTPError(response)
    throw new HTTPError(response) // 5xx: a failing service, not a refusal; an outer retry() may try again
  }

  const tokens = createTokenCache<Asker>({
    key: o.key ?? tokenKey(url.href, o.clientId, scope, o.audience, o.params),
    fetchToken,
    refreshMargin: 0, // applied in fetchToken, capped by the lifetime
    ...(o.store ? { store: o.store } : {}),
  })
  return function oauth2(request, next) {
    return authorize(tokens, request, next, { request, next })
  }
}

type CheckedOAuth2 = OAuth2Options & { clientAuth: 'basic' | 'body'; refreshMargin: number; defaultExpiresIn: number; timeout: number }

/** The options with their defaults, checked once; no message ever shows the secret. */
function checkOAuth2(options: OAuth2Options): CheckedOAuth2 {
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`oauth2 needs options { tokenURL, clientId, clientSecret }, got ${describe(options)}`)
  checkKeys('oauth2', options, KNOWN)
  const o = withDefaults(defaults, options) as CheckedOAuth2
  let url: URL | undefined
  try {
    url = new URL(o.tokenURL)
  } catch {}
  if (!url || !/^https?:$/.test(url.protocol) || url.username || url.password)
    throw new TypeError(
      'oauth2: tokenURL must be an absolute http(s) URL without credentials, such as "https://auth.example.com/oauth/token"',
    )
  if (typeof o.clientId !== 'string' || o.clientId === '')
    throw new TypeError(`oauth2: clientId must be a non-empty string, got ${describe(o.clientId)}`)
  if (typeof o.clientSecret !== 'string' || o.clientSecret === '')
    throw new TypeError(
      `oauth2: clientSecret must be a non-empty string, got ${typeof o.clientSecret === 'string' ? 'an empty string' : typeof o.clientSecret}`,
    )
  if (o.clientAuth !== 'basic' && o.clientAuth !== 'body')
    throw new TypeError(`oauth2: clientAuth must be 'basic' or 'body', got ${describe(o.clientAuth)}`)
  const scopes = typeof o.scope === 'string' ? [o.scope] : (o.scope ?? [])
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string'))
    throw new TypeError(`oauth2: scope must be a string or an array of strings, got ${describe(o.scope)}`)
  for (const name of ['audience', 'key'] as const)
    if (o[name] !== undefined && typeof o[name] !== 'string')
      throw new TypeError(`oauth2: ${name} must be a string, got ${describe(o[name])}`)
  if (o.params !== undefined && (typeof o.params !== 'object' || !Object.values(o.params).every((v) => typeof v === 'string')))
    throw new TypeError(`oauth2: params must be an object of string values, got ${describe(o.params)}`)
  checkMs('oauth2: refreshMargin', o.refreshMargin)
  checkMs('oauth2: timeout', o.timeout, false)
  if (!(typeof o.defaultExpiresIn === 'number' && o.defaultExpiresIn > 0))
    throw new RangeError(`oauth2: defaultExpiresIn must be a number of seconds > 0, got ${describe(o.defaultExpiresIn)}`)
  if (o.store !== undefined && typeof o.store?.lock !== 'function')
    throw new TypeError('oauth2: store must be a TokenStore (createMemoryTokenStore(), createRedisTokenStore())')
  if (o.client !== undefined && typeof o.client?.post !== 'function') throw new TypeError('oauth2: client must be a fetchline client')
  return o
}
