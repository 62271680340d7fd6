// WeChat Pay API v3's signatures: the request's `Authorization` (WECHATPAY2-SHA256-RSA2048 over
// METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n) and the verification of an answer or callback
// (TIMESTAMP\nNONCE\nRAW BODY\n, the key named by Wechatpay-Serial, a 300 s window, signature
// probes refused). Byte for byte as the official SDKs build them: wechatpay-go
// core/consts/const.go (SignatureMessageFormat, HeaderAuthorizationFormat),
// core/auth/validators/wechat_pay_validator.go; wechatpay-java auth/WechatPay2Credential.java,
// auth/WechatPay2Validator.java. Docs: https://pay.weixin.qq.com/docs/merchant/development/interface-rules/signature-generation.html
// and …/build-verify-sign-src.html; probes: https://pay.weixin.qq.com/doc/v3/partner/4013059030.
import type { ClientRequest } from '../core/types.js'
import { SignatureError } from '../errors/signature-error.js'
import { type Bytes, bytesOf, concat, signSHA256withRSA, verifySHA256withRSA } from './wechatpay-crypto.js'

/** The `Authorization` scheme (`WECHATPAY2-` + the signer's algorithm). */
export const WECHATPAY_SCHEMA = 'WECHATPAY2-SHA256-RSA2048'
/** How far an answer's timestamp may be from now, in seconds: 5 minutes, as both SDKs reject `>= 5 min`. */
export const WECHATPAY_CLOCK_WINDOW = 300
/** WeChat Pay sends deliberately invalid signatures starting with this; they must fail. */
export const WECHATPAY_PROBE = 'WECHATPAY/SIGNTEST/'

const SYMBOLS = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
const NEWLINE = bytesOf('\n')

/** A random string of letters and digits (32, as the SDKs' `nonce_str`), without modulo bias. */
export function createNonce(length = 32): string {
  let nonce = ''
  while (nonce.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < 248 && nonce.length < length) nonce += SYMBOLS[byte % 62]
    }
  }
  return nonce
}

/**
 * The request's signed message: method, the URL's path and query as sent (after the host), the
 * timestamp in seconds, the nonce, and the body's bytes (empty for a GET), each line ending `\n`.
 */
export function requestMessage(method: string, url: URL, timestamp: number, nonce: string, body: string | Uint8Array): Bytes {
  return concat(bytesOf(`${method}\n${url.pathname}${url.search}\n${timestamp}\n${nonce}\n`), bytesOf(body), NEWLINE)
}

/** Who signs: the merchant id, its API certificate's serial, and its private key. */
export type WeChatPaySigner = { mchid: string; serialNo: string; key: CryptoKey }

/** A fresh `Authorization` value for one attempt: new timestamp and nonce each time. */
export async function wechatpayAuthorization(
  signer: WeChatPaySigner,
  method: string,
  url: URL,
  body: string | Uint8Array,
  now: number = Date.now(),
): Promise<string> {
  const timestamp = Math.floor(now / 1000)
  const nonce = createNonce()
  const signature = await signSHA256withRSA(signer.key, requestMessage(method, url, timestamp, nonce, body))
  return `${WECHATPAY_SCHEMA} mchid="${signer.mchid}",nonce_str="${nonce}",timestamp="${timestamp}",serial_no="${signer.serialNo}",signature="${signature}"`
}

/** Headers as `Headers`, or a plain object as node:http and most frameworks give them. */
export type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | number | undefined>>

function headerOf(headers: HeaderSource, name: string): string | undefined {
  // Any realm's Headers (undici's npm copy on Node is not the global class).
  if (typeof headers.get === 'function') return (headers as Headers).get(name)?.trim() || undefined
  const record = headers as Readonly<Record<string, string | readonly string[] | number | undefined>>
  for (const key in record) {
    if (key.toLowerCase() !== name) continue
    const value = record[key]
    // Two values of one signature header: ambiguous, so refused as malformed.
    if (Array.isArray(value)) return value.length === 1 ? String(value[0]).trim() || undefined : undefined
    return value === undefined ? undefined : String(value).trim() || undefined
  }
  return undefined
}

/** What {@link verifyWeChatPay} needs besides the headers and the bytes. */
export type VerifyOptions = {
  /** What is verified, for the error's message: `'the answer'`, `'a notification'`. */
  what: string
  request?: ClientRequest | undefined
  /** The verifying key named by `Wechatpay-Serial`, or `undefined` when none is known by it. */
  keyFor: (serial: string) => Promise<CryptoKey | undefined>
  /** @default Date.now() */
  now?: number
  /** @default 300 (seconds) */
  window?: number
}

/**
 * Verifies a WeChat Pay answer or callback over its raw bytes, in this order: the four headers
 * present, no probe, the timestamp within the window, a key known by the serial, the signature.
 * Resolves to the serial; rejects with `SignatureError` naming the reason.
 */
export async function verifyWeChatPay(headers: HeaderSource, body: Uint8Array, options: VerifyOptions): Promise<string> {
  const timestamp = headerOf(headers, 'wechatpay-timestamp')
  const nonce = headerOf(headers, 'wechatpay-nonce')
  const signature = headerOf(headers, 'wechatpay-signature')
  const serial = headerOf(headers, 'wechatpay-serial')
  const fail = (reason: SignatureError['reason']) => SignatureError.of(options.what, reason, { request: options.request, serial })
  if (!timestamp || !nonce || !signature || !serial || !/^\d{1,12}$/.test(timestamp)) throw fail('missing')
  if (signature.startsWith(WECHATPAY_PROBE)) throw fail('probe')
  const now = (options.now ?? Date.now()) / 1000
  if (Math.abs(now - Number(timestamp)) >= (options.window ?? WECHATPAY_CLOCK_WINDOW)) throw fail('clock')
  const key = await options.keyFor(serial)
  if (!key) throw fail('serial')
  const message = concat(bytesOf(`${timestamp}\n${nonce}\n`), body, NEWLINE)
  if (!(await verifySHA256withRSA(key, message, signature))) throw fail('signature')
  return serial
}
