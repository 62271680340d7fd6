import { isHTTPError } from '../src/client/error-guards.js'
import type { HmacKey } from '../src/core/crypto.js'
import { Headers } from '../src/core/headers.js'
import { checkKeys, describe } from '../src/core/options.js'
import type { ClientRequest, ClientResponse, Middleware } from '../src/core/types.js'
import { amzDate, authorization, type SigV4Scope, sha256Hex, signingKey, signParts } from './sigv4-canonical.js'

/** AWS credentials: an access key and its secret, and the session token of temporary ones. */
export type AwsCredentials = {
  accessKeyId: string
  secretAccessKey: string
  /** The session token of temporary credentials (STS, an IAM role), sent as `X-Amz-Security-Token`. */
  sessionToken?: string | undefined
}

/**
 * Options of {@link sigv4}.
 *
 * @example
 * const options: SigV4Options = { service: 'execute-api', region: 'eu-west-1', credentials: { accessKeyId, secretAccessKey } }
 */
export type SigV4Options = {
  /** The signing name of the service: `'s3'`, `'execute-api'`, `'lambda'`, `'es'`, `'sts'`, … */
  service: string
  /** The region: `'us-east-1'`, `'eu-west-1'`, or `'auto'` for Cloudflare R2. */
  region: string
  /**
   * The credentials, or a function returning them (sync or async), called once per attempt: return
   * refreshed temporary credentials from it, cached by you (`@aws-sdk/credential-providers`' providers
   * cache on their own, `fromNodeProviderChain()` included).
   */
  credentials: AwsCredentials | (() => AwsCredentials | Promise<AwsCredentials>)
  /** The clock, in ms since the epoch: for tests. @default Date.now */
  now?: () => number
}

const KNOWN = ['service', 'region', 'credentials', 'now']
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
/** Services that take `UNSIGNED-PAYLOAD` (and want `x-amz-content-sha256` on every request). */
const S3 = new Set(['s3', 's3-object-lambda', 's3express', 's3-outposts'])
/** The AWS SDK's clock-skew error codes (`@smithy/service-error-classification`'s CLOCK_SKEW_ERROR_CODES). */
const SKEW_CODES =
  /\b(?:AuthFailure|InvalidSignatureException|RequestExpired|RequestInTheFuture|RequestTimeTooSkewed|SignatureDoesNotMatch)\b/
/** How far the server's `Date` may be from ours before we correct (the AWS SDK's `isClockSkewed`: 5 minutes). */
const SKEW_MS = 5 * 60_000

/**
 * Signs every attempt with AWS Signature Version 4 (`Authorization: AWS4-HMAC-SHA256 …`), on
 * node:crypto where there is one (Node, Deno) and Web Crypto elsewhere (Bun, workerd).
 *
 * - **Innermost**: put it last in `middleware`, after `retry()`, `idempotency()` and `trace()`, so it
 *   signs the headers that are sent; a header added after it would break the signature.
 * - **Once per attempt**: each attempt gets a fresh `X-Amz-Date` and signature, and asks
 *   `credentials` again, so a retry after a minute never carries a stale signature.
 * - **The exact bytes**: strings, bytes and Blobs are hashed as sent; a `FormData` is encoded to
 *   multipart bytes first (the boundary fixed for this attempt). A `ReadableStream` is sent as
 *   `UNSIGNED-PAYLOAD` to S3; other services need the hash, so a stream body is refused there.
 *   S3 also gets `x-amz-content-sha256`.
 * - **Clock skew**: when AWS refuses a signature for its time (`RequestTimeTooSkewed`,
 *   `InvalidSignatureException: Signature expired`, …) and its `Date` is over 5 minutes from ours,
 *   the offset is kept, every later signature uses the corrected time, and the refused request is
 *   signed again and sent once more.
 *
 * The secret never leaves the signing key's derivation: it is in no header, error or log.
 *
 * @example
 * const api = createClient({
 *   baseURL: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod',
 *   middleware: [...recommended(), sigv4({ service: 'execute-api', region: 'eu-west-1', credentials: fromNodeProviderChain() })],
 * })
 */
export function sigv4(options: SigV4Options): Middleware {
  const { service, region, credentials, now } = checkOptions(options)
  const s3 = S3.has(service)
  let offset = 0 // the server's clock minus ours, in ms
  let cached: { secret: string; date: string; key: Promise<HmacKey> } | undefined

  function keyFor(secret: string, date: string): Promise<HmacKey> {
    if (cached?.secret !== secret || cached.date !== date) cached = { secret, date, key: signingKey(secret, date, region, service) }
    return cached.key
  }

  async function sign(request: ClientRequest): Promise<ClientRequest> {
    const keys = checkCredentials(typeof credentials === 'function' ? await credentials() : credentials)
    const { body, headers, hash } = await payload(request, service, s3)
    const scope: SigV4Scope = { service, region, amzDate: amzDate(now() + offset), path: s3 ? 's3' : 'escape' }
    headers.delete('authorization')
    headers.set('x-amz-date', scope.amzDate)
    if (keys.sessionToken) headers.set('x-amz-security-token', keys.sessionToken)
    else headers.delete('x-amz-security-token')
    if (s3) headers.set('x-amz-content-sha256', hash)
    const { url } = request
    const fields = [['host', url.host] as const, ...[...headers].filter(([name]) => name !== 'host')]
    const wire = { method: request.method, path: url.pathname, query: url.search.slice(1), headers: fields, payloadHash: hash }
    const parts = await signParts(wire, scope, await keyFor(keys.secretAccessKey, scope.amzDate.slice(0, 8)))
    headers.set('authorization', authorization(keys.accessKeyId, scope, parts))
    return { ...request, headers, body }
  }

  /** Learns the server's clock from a refusal for time; whether the request is worth signing again. */
  function learn(answer: ClientResponse): boolean {
    if (answer.status !== 400 && answer.status !== 401 && answer.status !== 403) return false
    const server = Date.parse(answer.headers.get('date') ?? '')
    if (Number.isNaN(server) || Math.abs(server - (now() + offset)) < SKEW_MS) return false
    if (!SKEW_CODES.test(errorCode(answer))) return false
    offset = server - now()
    return true
  }

  return async function sigv4(request, next) {
    let refused: ClientResponse
    try {
      const response = await next(await sign(request))
      if (!learn(response)) return response
      refused = response
    } catch (error) {
      if (!isHTTPError(error) || !learn(error.response)) throw error
      if (request.body instanceof ReadableStream) throw error
      return next(await sign(request))
    }
    if (request.body instanceof ReadableStream) return refused
    if (refused.data instanceof ReadableStream) await refused.data.cancel().catch(() => {})
    return next(await sign(request))
  }
}

/** The body as it will be sent, the headers to send it with, and its hash. */
async function payload(
  request: ClientRequest,
  service: string,
  s3: boolean,
): Promise<{ body: ClientRequest['body']; headers: globalThis.Headers; hash: string }> {
  const headers = new Headers(request.headers)
  const { body } = request
  if (body === undefined) return { body, headers, hash: EMPTY_SHA256 }
  if (typeof body === 'string' || body instanceof Uint8Array) return { body, headers, hash: await sha256Hex(body) }
  if (body instanceof Blob) return { body, headers, hash: await sha256Hex(await body.arrayBuffer()) }
  if (body instanceof FormData) {
    // Encoded here, as the cores would (src/request/body.ts), so the boundary signed is the one sent.
    const encoded = new Response(body)
    headers.set('content-type', encoded.headers.get('content-type') ?? 'multipart/form-data')
    const bytes = new Uint8Array(await encoded.arrayBuffer())
    return { body: bytes, headers, hash: await sha256Hex(bytes) }
  }
  if (s3) return { body, headers, hash: 'UNSIGNED-PAYLOAD' }
  throw new TypeError(
    `sigv4: the request body is a ReadableStream, which cannot be hashed before it is sent; service "${service}" needs the body's SHA-256 in the signature (only S3 accepts UNSIGNED-PAYLOAD). Send a string, Uint8Array or Blob instead (read the stream into one first, e.g. new Uint8Array(await new Response(stream).arrayBuffer())).`,
  )
}

/** An AWS error code from the answer: `x-amzn-errortype`, a JSON `__type`/`code`, or an XML `<Code>`. */
function errorCode(answer: ClientResponse): string {
  const header = answer.headers.get('x-amzn-errortype')
  if (header) return header
  const { data } = answer
  if (typeof data === 'string') return /<Code>([^<]*)<\/Code>/.exec(data)?.[1] ?? ''
  if (typeof data !== 'object' || data === null) return ''
  const fields = data as Record<string, unknown>
  const found = fields.__type ?? fields.code ?? fields.Code ?? (fields.Error as Record<string, unknown> | undefined)?.Code
  return typeof found === 'string' ? found : ''
}

type Checked = { service: string; region: string; credentials: SigV4Options['credentials']; now: () => number }

function checkOptions(options: SigV4Options): Checked {
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`sigv4 needs options { service, region, credentials }, got ${describe(options)}`)
  checkKeys('sigv4', options, KNOWN)
  const { service, region, credentials, now = Date.now } = options
  for (const [name, value, example] of [
    ['service', service, "'s3', 'execute-api'"],
    ['region', region, "'us-east-1'"],
  ] as const)
    if (typeof value !== 'string' || !/^[a-z0-9][a-z0-9.-]*$/.test(value))
      throw new TypeError(`sigv4: ${name} must be the lower-case AWS ${name} name, such as ${example}, got ${describe(value)}`)
  if (typeof credentials !== 'function') checkCredentials(credentials)
  if (typeof now !== 'function') throw new TypeError(`sigv4: now must be a function returning ms since the epoch, got ${describe(now)}`)
  return { service, region, credentials, now }
}

/** Credentials as they must be; no message shows a secret or a token, only what kind of value was wrong. */
function checkCredentials(credentials: unknown): AwsCredentials {
  const what = 'sigv4: credentials'
  if (typeof credentials !== 'object' || credentials === null)
    throw new TypeError(
      `${what} must be { accessKeyId, secretAccessKey, sessionToken? } or a function returning them, got ${credentials === null ? 'null' : typeof credentials}`,
    )
  const { accessKeyId, secretAccessKey, sessionToken } = credentials as Record<string, unknown>
  if (typeof accessKeyId !== 'string' || !/^[\x21-\x7e]+$/.test(accessKeyId))
    throw new TypeError(`${what}.accessKeyId must be the access key id (such as "AKIA…"), got ${kind(accessKeyId)}`)
  if (typeof secretAccessKey !== 'string' || secretAccessKey === '')
    throw new TypeError(`${what}.secretAccessKey must be the secret access key, a non-empty string, got ${kind(secretAccessKey)}`)
  if (sessionToken !== undefined && (typeof sessionToken !== 'string' || !/^[\x21-\x7e]+$/.test(sessionToken)))
    throw new TypeError(`${what}.sessionToken must be the session token (visible ASCII) or undefined, got ${kind(sessionToken)}`)
  return credentials as AwsCredentials
}

/** What a bad credential value is, never what it says. */
function kind(value: unknown): string {
  if (typeof value === 'string') return value === '' ? 'an empty string' : `a string of ${value.length} characters, some not visible ASCII`
  return value === null ? 'null' : typeof value
}
