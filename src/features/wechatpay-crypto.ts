// WeChat Pay API v3's key handling on Web Crypto alone (Node, Bun, Deno, workerd): PEM and the
// X.509 certificate walk that finds its serial and public key, SHA256withRSA (RSASSA-PKCS1-v1_5,
// SHA-256), AEAD_AES_256_GCM with the APIv3 key, and RSA-OAEP for sensitive fields. Checked
// against the official SDKs: wechatpay-go utils/sign.go, utils/aes.go, utils/rsa_crypto.go and
// wechatpay-java cipher/RSAPrivacyEncryptor.java ("RSA/ECB/OAEPWithSHA-1AndMGF1Padding").

export type Bytes = Uint8Array<ArrayBuffer>

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

/** UTF-8 bytes of a string; bytes as they are. */
export function bytesOf(input: string | Uint8Array | ArrayBuffer): Bytes {
  if (typeof input === 'string') return encoder.encode(input)
  return input instanceof ArrayBuffer ? new Uint8Array(input) : new Uint8Array(input)
}

export function base64Decode(text: string): Bytes {
  const binary = atob(text.replace(/\s+/g, ''))
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

export function base64Encode(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

/** Joins byte arrays. */
export function concat(...parts: readonly Uint8Array[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

/** The DER inside a PEM block whose label is one of `labels`; never echoes the PEM in an error. */
export function pemToDer(pem: unknown, labels: readonly string[], what: string): { label: string; der: Bytes } {
  const match = typeof pem === 'string' ? /-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\s]+)-----END \1-----/.exec(pem) : null
  const label = match?.[1] ?? ''
  if (!match || !labels.includes(label)) {
    const hint = label === 'RSA PRIVATE KEY' ? ' (this is PKCS#1: convert it with `openssl pkcs8 -topk8 -nocrypt`)' : ''
    throw new TypeError(`${what} must be a PEM block "-----BEGIN ${labels.join('" or "')}-----"${hint}`)
  }
  try {
    return { label, der: base64Decode(match[2] ?? '') }
  } catch {
    throw new TypeError(`${what} is not valid base64 inside its PEM armour`)
  }
}

type TLV = { tag: number; start: number; end: number }

/** One DER tag-length-value at `at`; `start`..`end` is its content. */
function tlv(der: Uint8Array, at: number): TLV {
  const tag = der[at]
  let length = der[at + 1]
  let start = at + 2
  if (tag === undefined || length === undefined) throw new TypeError('truncated DER')
  if (length & 0x80) {
    const count = length & 0x7f
    if (count === 0 || count > 4) throw new TypeError('unsupported DER length')
    length = 0
    for (let i = 0; i < count; i++) length = length * 256 + (der[start++] ?? Number.NaN)
  }
  const end = start + length
  if (!(end <= der.length)) throw new TypeError('truncated DER')
  return { tag, start, end }
}

function expect(der: Uint8Array, at: number, tag: number): TLV {
  const found = tlv(der, at)
  if (found.tag !== tag) throw new TypeError(`DER tag 0x${found.tag.toString(16)} where 0x${tag.toString(16)} was expected`)
  return found
}

/** What WeChat Pay calls a certificate: its serial (upper-case hex, as `Wechatpay-Serial`) and key. */
export type CertificateFacts = { serial: string; spki: Bytes }

/**
 * The serial number and SubjectPublicKeyInfo of an X.509 certificate (RFC 5280 §4.1): Certificate
 * → tbsCertificate → [0] version?, serialNumber, signature, issuer, validity, subject,
 * subjectPublicKeyInfo. Web Crypto imports keys, not certificates, hence this walk.
 */
export function certificateFacts(der: Uint8Array): CertificateFacts {
  const certificate = expect(der, 0, 0x30)
  const tbs = expect(der, certificate.start, 0x30)
  let field = tlv(der, tbs.start)
  if (field.tag === 0xa0) field = tlv(der, field.end)
  if (field.tag !== 0x02) throw new TypeError('no serialNumber in the certificate')
  let serial = ''
  for (let i = field.start; i < field.end; i++) serial += (der[i] as number).toString(16).padStart(2, '0')
  let at = field.end
  for (let i = 0; i < 4; i++) at = expect(der, at, 0x30).end // signature, issuer, validity, subject
  const spki = expect(der, at, 0x30)
  return { serial: serial.replace(/^(?:00)+(?=.)/, '').toUpperCase(), spki: der.slice(at, spki.end) }
}

const RSA_SIGN = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const
const RSA_OAEP = { name: 'RSA-OAEP', hash: 'SHA-1' } as const

/** The merchant's API private key (PKCS#8 PEM, `apiclient_key.pem`), for signing only, not extractable. */
export function importMerchantKey(pem: unknown): Promise<CryptoKey> {
  const { der } = pemToDer(pem, ['PRIVATE KEY'], 'privateKey')
  return crypto.subtle.importKey('pkcs8', der, RSA_SIGN, false, ['sign'])
}

/** The SubjectPublicKeyInfo of a `PUBLIC KEY` or `CERTIFICATE` PEM, and the certificate's serial. */
export function publicKeyInfo(pem: unknown, what: string): { spki: Bytes; serial?: string } {
  const { label, der } = pemToDer(pem, ['PUBLIC KEY', 'CERTIFICATE'], what)
  if (label === 'PUBLIC KEY') return { spki: der }
  try {
    return certificateFacts(der)
  } catch (error) {
    throw new TypeError(`${what} is not an X.509 certificate WeChat Pay issues: ${(error as Error).message}`)
  }
}

/** A WeChat Pay key (platform certificate or public key) for verifying and for encrypting. */
export type PlatformKey = { verify: CryptoKey; encrypt: CryptoKey }

export async function importPlatformKey(spki: Bytes): Promise<PlatformKey> {
  const [verify, encrypt] = await Promise.all([
    crypto.subtle.importKey('spki', spki, RSA_SIGN, false, ['verify']),
    crypto.subtle.importKey('spki', spki, RSA_OAEP, false, ['encrypt']),
  ])
  return { verify, encrypt }
}

/** SHA256withRSA over `message`, base64: what `signature="…"` and `Wechatpay-Signature` carry. */
export async function signSHA256withRSA(key: CryptoKey, message: string | Uint8Array): Promise<string> {
  return base64Encode(new Uint8Array(await crypto.subtle.sign(RSA_SIGN, key, bytesOf(message))))
}

/** Whether `signature` (base64) signs `message` under `key`; malformed base64 is `false`. */
export async function verifySHA256withRSA(key: CryptoKey, message: Uint8Array, signature: string): Promise<boolean> {
  let raw: Bytes
  try {
    raw = base64Decode(signature)
  } catch {
    return false
  }
  return crypto.subtle.verify(RSA_SIGN, key, raw, bytesOf(message))
}

/** The APIv3 key as an AES-GCM key (32 bytes for AEAD_AES_256_GCM), for decryption only. */
export function importApiV3Key(key: string | Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', bytesOf(key), { name: 'AES-GCM' }, false, ['decrypt'])
}

/** An `encrypt_certificate` or a callback's `resource`. */
export type EncryptedResource = { algorithm?: string; associated_data?: string; nonce: string; ciphertext: string }

/**
 * AEAD_AES_256_GCM: `ciphertext` is base64 of the encrypted bytes followed by the 16-byte tag;
 * `nonce` (12 characters) and `associated_data` are used as their UTF-8 bytes. Rejects when the
 * key or the data are wrong: GCM authenticates them.
 */
export async function decryptResource(key: CryptoKey, resource: EncryptedResource): Promise<string> {
  if (resource.algorithm !== undefined && resource.algorithm !== 'AEAD_AES_256_GCM') {
    throw new TypeError(`unsupported resource algorithm ${JSON.stringify(resource.algorithm)}`)
  }
  const params = { name: 'AES-GCM', iv: bytesOf(resource.nonce), additionalData: bytesOf(resource.associated_data ?? ''), tagLength: 128 }
  const plain = await crypto.subtle.decrypt(params, key, base64Decode(resource.ciphertext))
  return decoder.decode(plain)
}

/** RSA-OAEP (SHA-1, MGF1 SHA-1) of a sensitive field's UTF-8 bytes, base64, as WeChat Pay wants. */
export async function encryptOAEP(key: CryptoKey, value: string): Promise<string> {
  return base64Encode(new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, key, bytesOf(value))))
}
