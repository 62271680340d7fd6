import { recommended } from '../middleware/recommended.js'
import { createClient } from '../src/client/client.js'
import type { Client, ClientOptions } from '../src/client/client-types.js'
import { Headers } from '../src/core/headers.js'
import { checkKeys, checkMs } from '../src/core/options.js'
import type { ClientRequest, ClientResponse, Middleware } from '../src/core/types.js'
import type { FetchFunction } from '../src/cores/fetch.js'
import { SignatureError } from '../src/errors/signature-error.js'
import { type ClockOffset, createClockOffset } from '../src/features/clock-offset.js'
import type { TokenStore } from '../src/features/token-cache.js'
import {
  bytesOf,
  decryptResource,
  encryptOAEP,
  importApiV3Key,
  importMerchantKey,
  publicKeyInfo,
} from '../src/features/wechatpay-crypto.js'
import { type HeaderSource, type WeChatPaySigner, wechatpayAuthorization } from '../src/features/wechatpay-sign.js'
import { BytesBody, readBufferedBody, settle, signedBody } from '../src/request/body.js'
import { createKeyring } from './wechatpay-keys.js'

export type { SignatureFailure } from '../src/errors/signature-error.js'
export { SignatureError } from '../src/errors/signature-error.js'

/**
 * Options of {@link createWeChatPayClient}. Give `publicKey`, `platformCertificates: 'auto'`, or
 * both while WeChat Pay switches a merchant from certificates to the public key.
 *
 * @example
 * const options: WeChatPayClientOptions = { mchid: '1900009191', serialNo, privateKey, apiV3Key, publicKey: { id: 'PUB_KEY_ID_0119…', pem } }
 */
export type WeChatPayClientOptions = {
  /** The merchant id (商户号). */
  mchid: string
  /** The serial number of the merchant's API certificate (商户API证书序列号). */
  serialNo: string
  /** The merchant's API private key, PKCS#8 PEM (`apiclient_key.pem`). Used to sign; never stored or shown. */
  privateKey: string
  /** The APIv3 key (32 bytes): decrypts callbacks and downloaded certificates. Never stored or shown. */
  apiV3Key: string
  /** The WeChat Pay public key and its id (`PUB_KEY_ID_…`), from the merchant platform. */
  publicKey?: { id: string; pem: string }
  /** `'auto'`: download, decrypt and refresh the platform certificates (GET /v3/certificates). */
  platformCertificates?: 'auto' | false
  /** @default 'https://api.mch.weixin.qq.com' */
  baseURL?: string
  /** The pipeline around the signer, which is always innermost. @default recommended() */
  middleware?: readonly Middleware[]
  /** Where downloaded certificates are shared (`createRedisTokenStore` for a fleet). @default in memory */
  certificateStore?: TokenStore
  /** How long downloaded certificates are used before the next download (under 12 h). @default 3_600_000 */
  certificateRefresh?: number
  /** Which core sends the requests. @default 'fetch' */
  core?: ClientOptions['core']
  /** A fetch double for tests. */
  fetch?: FetchFunction
  pool?: ClientOptions['pool']
  proxy?: ClientOptions['proxy']
}

/** A verified, decrypted callback: WeChat Pay's envelope with `resource` as plain JSON. */
export type WeChatPayNotification<T = WeChatPayResource> = {
  id: string
  create_time: string
  /** `TRANSACTION.SUCCESS`, `REFUND.SUCCESS`, `REFUND.ABNORMAL`, `REFUND.CLOSED`, … */
  event_type: string
  resource_type: string
  summary: string
  /** The decrypted resource: a transaction for `TRANSACTION.*`, a refund for `REFUND.*`. */
  resource: T
}

/** The fields of a transaction or refund resource most handlers read; the rest come along. */
export type WeChatPayResource = {
  mchid?: string
  out_trade_no?: string
  transaction_id?: string
  trade_state?: string
  out_refund_no?: string
  refund_status?: string
  amount?: { total?: number; payer_total?: number; refund?: number; currency?: string }
  [field: string]: unknown
}

/** What {@link createWeChatPayClient} returns. */
export type WeChatPayClient = {
  /** The signed client: every request signed per attempt, every answer verified before it is parsed. */
  client: Client
  /** Verifies a callback over its raw body and decrypts its resource; rejects with `SignatureError`. */
  parseNotification<T = WeChatPayResource>(
    headers: HeaderSource,
    rawBody: string | Uint8Array | ArrayBuffer,
  ): Promise<WeChatPayNotification<T>>
  // Without a type argument, and where a framework helper infers from it: the common resource.
  parseNotification(headers: HeaderSource, rawBody: string | Uint8Array | ArrayBuffer): Promise<WeChatPayNotification>
  /** RSA-OAEP of a sensitive field with the key every request names in `Wechatpay-Serial`. */
  encrypt(value: string): Promise<string>
  close(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

const KNOWN = ['mchid', 'serialNo', 'privateKey', 'apiV3Key', 'publicKey', 'platformCertificates', 'baseURL', 'middleware']
const MORE = ['certificateStore', 'certificateRefresh', 'core', 'fetch', 'pool', 'proxy']
const EMPTY = new Uint8Array(0)
const decoder = new TextDecoder()

/** The caller's answer from verified bytes: parsed as asked, `HTTPError` when the status calls for it. */
async function answer(request: ClientRequest, response: ClientResponse, bytes: Uint8Array): Promise<ClientResponse> {
  const data = await readBufferedBody(request, response.status, response.headers.get('content-type') ?? '', new BytesBody(bytes))
  return settle({ ...response, data, request, raw: response.raw })
}

function checkOptions(options: WeChatPayClientOptions): void {
  for (const name of ['mchid', 'serialNo'] as const) {
    if (typeof options?.[name] !== 'string' || options[name] === '')
      throw new TypeError(`createWeChatPayClient needs ${name}: from the merchant platform`)
  }
  checkKeys('createWeChatPayClient', options, [...KNOWN, ...MORE])
  if (typeof options.apiV3Key !== 'string' || bytesOf(options.apiV3Key).length !== 32) {
    throw new TypeError('createWeChatPayClient: apiV3Key must be the 32-byte APIv3 key set in the merchant platform')
  }
  if (!options.publicKey && options.platformCertificates !== 'auto') {
    throw new TypeError(
      "createWeChatPayClient needs publicKey: { id: 'PUB_KEY_ID_…', pem } or platformCertificates: 'auto' (or both) to verify answers",
    )
  }
  if (options.publicKey && (typeof options.publicKey.id !== 'string' || options.publicKey.id === '')) {
    throw new TypeError('createWeChatPayClient: publicKey.id must be the public key id (PUB_KEY_ID_…)')
  }
}

/**
 * The innermost middleware: signs each attempt (a fresh timestamp and nonce, over the exact bytes
 * sent), names the encryption key in `Wechatpay-Serial`, reads the answer as raw bytes and verifies
 * it before anything parses it. A 2xx must be signed; another status is verified when it is.
 * WeChat Pay's clock is learned for the next timestamps from a verified answer's signed
 * `Wechatpay-Timestamp`, or the `Date` of a 401 (it refuses a timestamp too far from its clock).
 */
function signAndVerify(signer: Promise<WeChatPaySigner>, keys: ReturnType<typeof createKeyring>, clock: ClockOffset): Middleware {
  return async function wechatpay(request, next) {
    const body = await signedBody(
      request,
      'createWeChatPayClient: a FormData or stream body cannot be signed; send JSON (uploads sign their `meta` JSON)',
    )
    const headers = new Headers(request.headers)
    headers.set('authorization', await wechatpayAuthorization(await signer, request.method, request.url, body, clock.now()))
    const serial = keys.serialNow()
    if (serial && !headers.has('wechatpay-serial')) headers.set('wechatpay-serial', serial)
    if (!headers.has('accept')) headers.set('accept', 'application/json')
    const sent: ClientRequest = {
      ...request,
      headers,
      body: body === '' ? undefined : body,
      responseType: 'arrayBuffer',
      throwHttpErrors: false,
    }
    const response = await next(sent)
    const bytes = response.data instanceof ArrayBuffer ? new Uint8Array(response.data) : EMPTY
    if (response.ok || response.headers.has('wechatpay-signature')) {
      await keys.verify(response.headers, bytes, "WeChat Pay's answer", request)
      clock.signed(Number(response.headers.get('wechatpay-timestamp')) * 1000)
    } else if (response.status === 401) clock.refused(response.headers.get('date'))
    return answer(request, response, bytes)
  }
}

/**
 * WeChat Pay API v3 (微信支付): a client whose every request is signed with the merchant key
 * (`WECHATPAY2-SHA256-RSA2048`, once per attempt) and whose every answer is verified over its raw
 * bytes with the WeChat Pay public key or a platform certificate (both during a switch), a 300 s
 * window, `WECHATPAY/SIGNTEST/` probes refused — before parsing, with `SignatureError`.
 * Certificates are downloaded, decrypted and refreshed through the same client, shared by a fleet
 * through `certificateStore`. `parseNotification` does the same for callbacks and decrypts them;
 * `encrypt` seals sensitive fields (RSA-OAEP). Keys live as non-extractable Web Crypto keys.
 *
 * @example
 * await using pay = createWeChatPayClient({ mchid, serialNo, privateKey, apiV3Key, publicKey: { id: 'PUB_KEY_ID_0119…', pem } })
 * const { data } = await pay.client.post<{ code_url: string }>('/v3/pay/transactions/native', {
 *   json: { appid, mchid, description: 'Coffee', out_trade_no: 'T20261207001', notify_url, amount: { total: 100 } },
 * })
 */
export function createWeChatPayClient(options: WeChatPayClientOptions): WeChatPayClient {
  checkOptions(options)
  const { mchid, serialNo } = options
  const signer = importMerchantKey(options.privateKey).then((key) => ({ mchid, serialNo, key }))
  const apiV3Key = importApiV3Key(options.apiV3Key)
  for (const key of [signer, apiV3Key]) void key.catch(() => undefined) // reported on first use
  const publicKey = options.publicKey && { id: options.publicKey.id, spki: publicKeyInfo(options.publicKey.pem, 'publicKey.pem').spki }
  const refresh = checkMs('createWeChatPayClient: certificateRefresh', options.certificateRefresh ?? 3_600_000, false)
  if (refresh >= 12 * 3_600_000) throw new RangeError('createWeChatPayClient: certificateRefresh must be under 12 hours')
  let client: Client | undefined
  const keys = createKeyring({
    mchid,
    apiV3Key,
    publicKey,
    certificates: options.platformCertificates === 'auto',
    store: options.certificateStore,
    refreshInterval: refresh,
    client: () => client as Client,
    now: Date.now,
  })
  client = createClient({
    baseURL: options.baseURL ?? 'https://api.mch.weixin.qq.com',
    middleware: [...(options.middleware ?? recommended()), signAndVerify(signer, keys, createClockOffset())],
    ...(options.core ? { core: options.core } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.pool ? { pool: options.pool } : {}),
    ...(options.proxy ? { proxy: options.proxy } : {}),
  })

  async function parseNotification<T>(
    headers: HeaderSource,
    rawBody: string | Uint8Array | ArrayBuffer,
  ): Promise<WeChatPayNotification<T>> {
    const bytes = bytesOf(rawBody)
    const serial = await keys.verify(headers, bytes, 'a WeChat Pay notification')
    try {
      const envelope = JSON.parse(decoder.decode(bytes)) as WeChatPayNotification<unknown> & {
        resource: Parameters<typeof decryptResource>[1]
      }
      const resource = JSON.parse(await decryptResource(await apiV3Key, envelope.resource)) as T
      const { id, create_time, event_type, resource_type, summary } = envelope
      return { id, create_time, event_type, resource_type, summary, resource }
    } catch (cause) {
      throw SignatureError.of('a WeChat Pay notification', 'decrypt', { serial, cause })
    }
  }

  return {
    client,
    parseNotification,
    encrypt: async (value) => {
      const { key } = await keys.encryption()
      return encryptOAEP(key, value)
    },
    close: client.close,
    [Symbol.asyncDispose]: client.close,
  }
}
