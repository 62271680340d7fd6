import { recommended } from '../middleware/recommended.js'
import { Headers } from '../src/core/headers.js'
import { checkKeys } from '../src/core/options.js'
import { where } from '../src/errors/client-error.js'
import { SignatureError } from '../src/errors/signature-error.js'
import {
  alipayCertSn,
  importAlipayPrivateKey,
  importAlipayPublicKey,
  signAlipayRequest,
  verifyAlipayAnswer,
} from '../src/features/alipay-sign.js'
import { type ClockOffset, createClockOffset } from '../src/features/clock-offset.js'
import type { ClientRequest, ClientResponse, FetchFunction, Middleware } from '../src/index.js'
import { type Client, type ClientOptions, createClient } from '../src/index.js'
import { BytesBody, readBufferedBody, settle, signedBody } from '../src/request/body.js'

/**
 * Options of {@link createAlipayClient}. Key mode: `alipayPublicKey` is the public key. Cert mode:
 * it is the Alipay public-key certificate, with `appCert` and `alipayRootCert`; the SNs are
 * worked out from the certificates.
 *
 * @example
 * const options: AlipayClientOptions = { appId: '2021…', privateKey: process.env.ALIPAY_KEY!, alipayPublicKey: process.env.ALIPAY_PUBLIC_KEY! }
 */
export type AlipayClientOptions = {
  appId: string
  /** The app's RSA2 private key: PKCS#1 or PKCS#8, PEM or bare base64. */
  privateKey: string
  /** Alipay's public key (PEM or base64), or its public-key certificate in cert mode. */
  alipayPublicKey: string
  /** Cert mode: the app's public-key certificate (`appCertPublicKey_….crt`), named by `app_cert_sn`. */
  appCert?: string
  /** Cert mode: Alipay's root certificate file, named by the `alipay-root-cert-sn` header. */
  alipayRootCert?: string
  /** @default 'https://openapi.alipay.com' */
  baseURL?: string
  /** The pipeline; the signer goes innermost, after it. @default recommended() */
  middleware?: readonly Middleware[]
  /** Seconds an answer's `alipay-timestamp` may be off, either way. @default 300 */
  tolerance?: number
  core?: ClientOptions['core']
  fetch?: FetchFunction
  pool?: ClientOptions['pool']
  proxy?: ClientOptions['proxy']
}

/** What {@link createAlipayClient} returns: the signed client, and `close()`. */
export type AlipayClient = {
  /** Every verb; each attempt signed, each answer verified over its bytes before it is parsed. */
  client: Client
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

/** The caller's answer from verified bytes, read as the caller asked (the cores' own reader). */
async function answer(request: ClientRequest, response: ClientResponse, bytes: Uint8Array): Promise<ClientResponse> {
  const data = await readBufferedBody(request, response.status, response.headers.get('content-type') ?? '', new BytesBody(bytes))
  const { status, ok, headers, url } = response
  return settle({
    status,
    ok,
    headers,
    url,
    data,
    request,
    get raw() {
      return response.raw
    },
  })
}

export { SignatureError, type SignatureFailure } from '../src/errors/signature-error.js'
export {
  type AlipayAnswerCheck,
  type AlipayRequestToSign,
  alipayCertSn,
  importAlipayPrivateKey,
  importAlipayPublicKey,
  signAlipayRequest,
  verifyAlipayAnswer,
} from '../src/features/alipay-sign.js'

type Signer = { privateKey: CryptoKey; publicKey: CryptoKey }

/**
 * The innermost middleware: signs each attempt, verifies each answer before it is parsed. The
 * signatures' timestamps follow Alipay's clock: learned from a verified answer's signed
 * `alipay-timestamp`, or from the `Date` of a 401 (Alipay's v3 gateway answers an authorization
 * it refuses with 401 and a JSON `{ code, message }`, alipay-sdk-nodejs-all v4 test/alipay.test.ts).
 */
function alipaySign(options: AlipayClientOptions, keys: () => Promise<Signer>, clock: ClockOffset): Middleware {
  const appCertSn = options.appCert ? alipayCertSn(options.appCert) : undefined
  const certMode = options.alipayPublicKey.includes('CERTIFICATE')
  const alipaySn = certMode ? alipayCertSn(options.alipayPublicKey) : undefined
  const rootSn = options.alipayRootCert ? alipayCertSn(options.alipayRootCert, { root: true }) : undefined
  const tolerance = options.tolerance ?? 300
  return async function alipay(request, next) {
    const { privateKey, publicKey } = await keys()
    const headers = new Headers(request.headers)
    const target = `${request.url.pathname}${request.url.search}`
    const appAuthToken = headers.get('alipay-app-auth-token') ?? undefined
    const body = await signedBody(
      request,
      `${where(request)}: Alipay signs the request body; send json, a string or bytes, not a stream or FormData`,
    )
    headers.set(
      'authorization',
      await signAlipayRequest(privateKey, {
        appId: options.appId,
        appCertSn,
        method: request.method,
        target,
        body,
        appAuthToken,
        timestamp: clock.now(),
      }),
    )
    if (rootSn) headers.set('alipay-root-cert-sn', rootSn)
    const response = await next({ ...request, headers, responseType: 'arrayBuffer', throwHttpErrors: false })
    const bytes = response.data instanceof ArrayBuffer ? new Uint8Array(response.data) : new Uint8Array()
    // As Alipay's SDK does: 2xx answers are signed; an error answer is an error either way.
    if (response.status < 400) {
      await verifyAlipayAnswer(response.headers, bytes, { publicKey, alipayCertSn: alipaySn, tolerance }).catch((error: unknown) => {
        if (!(error instanceof SignatureError)) throw error
        throw new SignatureError(error.reason, `${where(request)}: ${error.message}`, { request })
      })
      clock.signed(Number(response.headers.get('alipay-timestamp')))
    } else if (response.status === 401) clock.refused(response.headers.get('date'))
    return answer(request, response, bytes)
  }
}

/**
 * An Alipay open API v3 client (`https://openapi.alipay.com/v3/…`): each attempt signed with the
 * app key (`ALIPAY-SHA256withRSA`, a fresh nonce and timestamp on every retry), each 2xx answer
 * verified with Alipay's key over its raw bytes before it is parsed; an answer that fails rejects
 * with `SignatureError` (`FL_ERR_SIGNATURE`). Key mode and cert mode. A clock that is off is
 * corrected for the next signatures (from a verified answer's signed `alipay-timestamp` 5 s or more
 * away, or the `Date` of a 401 a minute or more away); answers are judged on this host's clock.
 *
 * @example
 * await using alipay = createAlipayClient({ appId, privateKey, alipayPublicKey })
 * const { data } = await alipay.client.post('/v3/alipay/trade/query', { json: { out_trade_no: '20150320010101001' } })
 */
export function createAlipayClient(options: AlipayClientOptions): AlipayClient {
  for (const name of ['appId', 'privateKey', 'alipayPublicKey'] as const) {
    if (typeof options?.[name] !== 'string' || options[name] === '')
      throw new TypeError(`createAlipayClient needs ${name}: from the Alipay open platform console`)
  }
  const known = [
    'appId',
    'privateKey',
    'alipayPublicKey',
    'appCert',
    'alipayRootCert',
    'baseURL',
    'middleware',
    'tolerance',
    'core',
    'fetch',
    'pool',
    'proxy',
  ]
  checkKeys('createAlipayClient', options, known)
  let signer: Promise<Signer> | undefined
  const keys = (): Promise<Signer> =>
    (signer ??= Promise.all([importAlipayPrivateKey(options.privateKey), importAlipayPublicKey(options.alipayPublicKey)]).then(
      ([privateKey, publicKey]) => ({ privateKey, publicKey }),
    ))
  const client = createClient({
    baseURL: options.baseURL ?? 'https://openapi.alipay.com',
    middleware: [...(options.middleware ?? recommended()), alipaySign(options, keys, createClockOffset())],
    ...(options.core ? { core: options.core } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.pool ? { pool: options.pool } : {}),
    ...(options.proxy ? { proxy: options.proxy } : {}),
  })
  return { client, close: client.close, [Symbol.asyncDispose]: client.close }
}
