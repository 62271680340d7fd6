// Alipay open API v3 signatures on Web Crypto, as Alipay's own Node SDK computes them
// (alipay/alipay-sdk-nodejs-all v4, src/alipay.ts #curl and src/antcertutil.ts, commit e1676390):
// - request: `Authorization: ALIPAY-SHA256withRSA app_id=…[,app_cert_sn=…],nonce=…,timestamp=…,sign=…`,
//   SHA256withRSA over `${authString}\n${METHOD}\n${path?query}\n${body}\n[${appAuthToken}\n]`
//   (https://opendocs.alipay.com/open-v3/054q58);
// - answer: `alipay-signature` over `${alipay-timestamp}\n${alipay-nonce}\n${body}\n`, with the
//   Alipay public key, `alipay-sn` naming its certificate in cert mode (https://opendocs.alipay.com/open-v3/054d0z);
// - cert SN: MD5 hex of the issuer written `CN=…,OU=…,O=…,C=…` followed by the serial in decimal.
import { md5 } from '@noble/hashes/legacy'
import { SignatureError } from '../errors/signature-error.js'
import { certificateFields, isPkcs1, pemBlocks, pkcs1ToPkcs8 } from './der.js'

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const
const encoder = new TextEncoder()

const base64 = (bytes: Uint8Array): string => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''))

/**
 * The app's private key for signing requests: PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA
 * PRIVATE KEY`), PEM or the bare base64 Alipay's key tool writes.
 *
 * @example
 * const key = await importAlipayPrivateKey(process.env.ALIPAY_APP_PRIVATE_KEY!)
 */
export function importAlipayPrivateKey(pem: string): Promise<CryptoKey> {
  const [der] = pemBlocks(pem)
  if (!der) throw new TypeError('importAlipayPrivateKey: no key found; pass the PEM or base64 private key')
  return crypto.subtle.importKey('pkcs8', isPkcs1(der) ? pkcs1ToPkcs8(der) : der, RSA, false, ['sign'])
}

/**
 * Alipay's public key for verifying answers: the public key (PEM or bare base64, as the console
 * shows it) or, in cert mode, the Alipay public-key certificate (`alipayCertPublicKey_RSA2.crt`).
 *
 * @example
 * const alipayKey = await importAlipayPublicKey(await readFile('alipayCertPublicKey_RSA2.crt', 'utf8'))
 */
export function importAlipayPublicKey(pemOrCertificate: string): Promise<CryptoKey> {
  const [der] = pemBlocks(pemOrCertificate)
  if (!der) throw new TypeError('importAlipayPublicKey: no key found; pass the public key or the certificate')
  const spki = pemOrCertificate.includes('CERTIFICATE') ? certificateFields(der).publicKey : der
  return crypto.subtle.importKey('spki', spki, RSA, false, ['verify'])
}

/**
 * A certificate's SN as Alipay's cert mode names it (`app_cert_sn`, `alipay-sn`): MD5 hex of the
 * issuer (`CN=…,OU=…,O=…,C=…`) followed by the serial number in decimal. For the root certificate
 * file, the SNs of its RSA certificates joined by `_` (`alipay-root-cert-sn`).
 *
 * @example
 * alipayCertSn(appCertPem) // '866efef280dec9137a87d047ac446315'
 */
export function alipayCertSn(pem: string, options: { root?: boolean } = {}): string {
  const sns: string[] = []
  for (const der of pemBlocks(pem)) {
    const cert = certificateFields(der)
    // The root file also holds an ECC certificate: Alipay's SDKs leave out all but sha*WithRSA.
    if (options.root && !cert.signatureAlgorithm.startsWith('1.2.840.113549.1.1')) continue
    const issuer = [...cert.issuer]
      .reverse()
      .map(([name, value]) => `${name}=${value}`)
      .join(',')
    sns.push(Array.from(md5(encoder.encode(issuer + cert.serial.toString(10))), (b) => b.toString(16).padStart(2, '0')).join(''))
    if (!options.root) break
  }
  return sns.join('_')
}

/** What a request signature covers. */
export type AlipayRequestToSign = {
  appId: string
  /** The app certificate's SN, in cert mode. */
  appCertSn?: string | undefined
  method: string
  /** The path and query as sent: `/v3/alipay/trade/query?x=1`. */
  target: string
  /** The body exactly as sent; `''` or empty bytes for none. */
  body: string | Uint8Array
  /** The `alipay-app-auth-token` sent on behalf of a merchant (ISV), signed as its own line. */
  appAuthToken?: string | undefined
  /** @default crypto.randomUUID() */
  nonce?: string
  /** Milliseconds since the epoch. @default Date.now() */
  timestamp?: number
}

function joined(head: string, body: string | Uint8Array, tail: string): Uint8Array<ArrayBuffer> {
  const bytes = typeof body === 'string' ? encoder.encode(body) : body
  const a = encoder.encode(head)
  const c = encoder.encode(tail)
  const out = new Uint8Array(a.byteLength + bytes.byteLength + c.byteLength)
  out.set(a)
  out.set(bytes, a.byteLength)
  out.set(c, a.byteLength + bytes.byteLength)
  return out
}

/**
 * The `Authorization` value of one request: a fresh nonce and timestamp each call, so a retry is
 * signed anew.
 *
 * @example
 * headers.set('authorization', await signAlipayRequest(key, { appId, method: 'POST', target: '/v3/alipay/trade/query', body }))
 */
export async function signAlipayRequest(privateKey: CryptoKey, request: AlipayRequestToSign): Promise<string> {
  const cert = request.appCertSn ? `,app_cert_sn=${request.appCertSn}` : ''
  const auth = `app_id=${request.appId}${cert},nonce=${request.nonce ?? crypto.randomUUID()},timestamp=${request.timestamp ?? Date.now()}`
  const token = request.appAuthToken ? `${request.appAuthToken}\n` : ''
  const content = joined(`${auth}\n${request.method.toUpperCase()}\n${request.target}\n`, request.body, `\n${token}`)
  const sign = new Uint8Array(await crypto.subtle.sign(RSA, privateKey, content))
  return `ALIPAY-SHA256withRSA ${auth},sign=${base64(sign)}`
}

/** How an answer is checked. */
export type AlipayAnswerCheck = {
  /** Alipay's public key ({@link importAlipayPublicKey}). */
  publicKey: CryptoKey
  /** In cert mode, the SN of the Alipay public-key certificate: an answer naming another fails. */
  alipayCertSn?: string | undefined
  /** Seconds `alipay-timestamp` may be away from now, either way; `Infinity`: no check. @default 300 */
  tolerance?: number
  /** @default Date.now */
  now?: () => number
}

/** Reads a header of `headers`, a `Headers` or Node's plain object. */
function header(headers: Headers | Record<string, string | string[] | undefined>, name: string): string | undefined {
  // Duck-typed: on Node the answer's Headers may be undici's class, not the global one.
  const value =
    typeof headers.get === 'function' ? (headers as Headers).get(name) : (headers as Record<string, string | string[] | undefined>)[name]
  return Array.isArray(value) ? value[0] : (value ?? undefined)
}

/**
 * Verifies an answer over its raw bytes: the signature, the certificate SN
 * it names, and its timestamp. Rejects with `SignatureError` (`reason` `'missing'`, `'serial'`,
 * `'clock'` or `'signature'`); resolves when it holds.
 *
 * @example
 * await verifyAlipayAnswer(response.headers, new Uint8Array(await response.arrayBuffer()), { publicKey })
 */
export async function verifyAlipayAnswer(
  headers: Headers | Record<string, string | string[] | undefined>,
  body: Uint8Array | string,
  check: AlipayAnswerCheck,
): Promise<void> {
  const timestamp = header(headers, 'alipay-timestamp')
  const nonce = header(headers, 'alipay-nonce')
  const signature = header(headers, 'alipay-signature')
  if (!timestamp || !nonce || !signature)
    throw new SignatureError(
      'missing',
      'The Alipay answer carries no alipay-signature, alipay-timestamp or alipay-nonce: it is not from Alipay',
    )
  const sn = header(headers, 'alipay-sn')
  if (check.alipayCertSn && sn && sn !== check.alipayCertSn)
    throw new SignatureError(
      'serial',
      `The Alipay answer is signed by certificate ${sn}, not the configured ${check.alipayCertSn}: update the Alipay public-key certificate`,
    )
  let bytes: Uint8Array<ArrayBuffer>
  try {
    bytes = Uint8Array.from(atob(signature), (c) => c.charCodeAt(0))
  } catch {
    throw new SignatureError('format', 'The Alipay answer signature is not base64')
  }
  const content = joined(`${timestamp}\n${nonce}\n`, body, '\n')
  if (!(await crypto.subtle.verify(RSA, check.publicKey, bytes, content)))
    throw new SignatureError(
      'signature',
      'The Alipay answer signature does not match its body: it was altered, or the Alipay public key is not current',
    )
  const skew = Math.abs((check.now ?? Date.now)() - Number(timestamp)) / 1000
  const tolerance = check.tolerance ?? 300
  if (!(skew <= tolerance))
    throw new SignatureError('clock', `The Alipay answer timestamp is ${Math.round(skew)} s away from now, outside ${tolerance} s`)
}
