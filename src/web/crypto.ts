// The `#crypto` edge where there is no node:crypto (Workers, Bun, browsers): SHA-256 and
// HMAC-SHA256 on Web Crypto (`crypto.subtle`), which every runtime has.

const encoder = new TextEncoder()

/** An HMAC-SHA256 key: a non-extractable `CryptoKey` here, a `KeyObject` on Node. */
export type HmacKey = object

const bytesOf = (data: string | Uint8Array | ArrayBuffer): Uint8Array<ArrayBuffer> =>
  (typeof data === 'string' ? encoder.encode(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data) as Uint8Array<ArrayBuffer>

function hex(buffer: ArrayBuffer): string {
  let out = ''
  for (const byte of new Uint8Array(buffer)) out += byte.toString(16).padStart(2, '0')
  return out
}

/** Hex SHA-256 of bytes or of a string's UTF-8. */
export async function sha256Hex(data: string | Uint8Array | ArrayBuffer): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', bytesOf(data)))
}

/** An HMAC-SHA256 key of these bytes (a string: its UTF-8), usable only to sign. */
export function hmacKey(key: string | Uint8Array | ArrayBuffer): Promise<HmacKey> {
  return crypto.subtle.importKey('raw', bytesOf(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
}

/** HMAC-SHA256 of a string's UTF-8. */
export async function hmac(key: HmacKey, text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign('HMAC', key as CryptoKey, encoder.encode(text)))
}

/** Hex HMAC-SHA256 of a string's UTF-8. */
export async function hmacHex(key: HmacKey, text: string): Promise<string> {
  return hex(await crypto.subtle.sign('HMAC', key as CryptoKey, encoder.encode(text)))
}
