// AWS Signature Version 4, the pure parts: canonical request, string to sign, signing key and
// signature, on src/core/crypto.ts (node:crypto on Node and Deno, Web Crypto on every other
// runtime). Written to the SigV4 page,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html, and checked byte
// for byte against the official test suite (test/fixtures/sigv4/, test/middleware/sign.test.ts).

import { type HmacKey, hmac, hmacHex, hmacKey, sha256Hex } from '../src/core/crypto.js'

export { sha256Hex }

/** What a signature covers: the request as it goes on the wire. */
export type SigV4Request = {
  method: string
  /** The path as sent (percent-encoded once, as a URL's `pathname`). */
  path: string
  /** The query as sent, without `?` (`url.search.slice(1)`). */
  query: string
  /** Header fields as sent; a name may repeat. `host` must be among them. */
  headers: Iterable<readonly [string, string]>
  /** Hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`. */
  payloadHash: string
}

/** Where and when: the credential scope and the timestamp. */
export type SigV4Scope = {
  service: string
  region: string
  /** `YYYYMMDDTHHMMSSZ`, what `X-Amz-Date` carries. */
  amzDate: string
  /**
   * `'escape'` (every service but S3): dot segments and empty segments removed, then every byte
   * but unreserved ones and `/` percent-encoded — so a path as sent is encoded a second time.
   * `'s3'`: nothing removed, each segment encoded once (decoded first, then RFC 3986-encoded).
   */
  path: 'escape' | 's3'
  /** Remove `.`, `..` and empty segments (`'escape'` only; the test suite's `normalize`). @default true */
  normalize?: boolean
}

/** The parts of a signature, each as the SigV4 documents name it. */
export type SigV4Signature = {
  canonicalRequest: string
  stringToSign: string
  signedHeaders: string
  /** Hex HMAC-SHA256 of the string to sign with the signing key. */
  signature: string
}

/** Headers a signature leaves out: hop-by-hop fields and ones proxies and runtimes rewrite (as the AWS SDK does). */
export const UNSIGNED_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'cache-control',
  'connection',
  'expect',
  'from',
  'keep-alive',
  'max-forwards',
  'pragma',
  'referer',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
])

/** RFC 3986 percent-encoding of everything but `A–Z a–z 0–9 - . _ ~` (SigV4's UriEncode). */
export function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text // a stray `%`: taken as it is, encoded to %25 like any other byte
  }
}

/** The canonical URI: see {@link SigV4Scope.path}. */
export function canonicalURI(path: string, mode: 'escape' | 's3', normalize = true): string {
  if (mode === 's3')
    return (
      path
        .split('/')
        .map((segment) => uriEncode(decode(segment)))
        .join('/') || '/'
    )
  let kept = path
  if (normalize) {
    const segments: string[] = []
    for (const segment of path.split('/')) {
      if (segment === '' || segment === '.') continue
      if (segment === '..') segments.pop()
      else segments.push(segment)
    }
    const trailing = segments.length > 0 && path.endsWith('/') ? '/' : ''
    kept = `/${segments.join('/')}${trailing}`
  }
  return uriEncode(kept).replace(/%2F/g, '/') || '/'
}

/** The canonical query: each name and value decoded, RFC 3986-encoded, sorted by name then value. */
export function canonicalQuery(query: string): string {
  if (query === '') return ''
  const pairs: [string, string][] = []
  for (const field of query.split('&')) {
    if (field === '') continue
    const at = field.indexOf('=')
    const [name, value] = at === -1 ? [field, ''] : [field.slice(0, at), field.slice(at + 1)]
    // `+` is a space in a query, as URLSearchParams and AWS read it.
    pairs.push([uriEncode(decode(name.replace(/\+/g, ' '))), uriEncode(decode(value.replace(/\+/g, ' ')))])
  }
  pairs.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
  return pairs.map(([name, value]) => `${name}=${value}`).join('&')
}

/** Canonical headers (lower-case names, sorted, values trimmed with inner runs of spaces made one, repeats joined by `,`) and the signed-header list. */
export function canonicalHeaders(headers: Iterable<readonly [string, string]>): { canonical: string; signed: string } {
  const fields = new Map<string, string[]>()
  for (const [rawName, value] of headers) {
    const name = rawName.toLowerCase()
    if (UNSIGNED_HEADERS.has(name)) continue
    const trimmed = value.trim().replace(/\s+/g, ' ')
    const values = fields.get(name)
    if (values) values.push(trimmed)
    else fields.set(name, [trimmed])
  }
  const names = [...fields.keys()].sort()
  return {
    canonical: names.map((name) => `${name}:${(fields.get(name) as string[]).join(',')}\n`).join(''),
    signed: names.join(';'),
  }
}

/** The credential scope: `20150830/us-east-1/iam/aws4_request`. */
export function credentialScope(scope: SigV4Scope): string {
  return `${scope.amzDate.slice(0, 8)}/${scope.region}/${scope.service}/aws4_request`
}

/**
 * The signing key, `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`,
 * as a key that can only sign (a non-extractable `CryptoKey` on Web Crypto).
 */
export async function signingKey(secretAccessKey: string, date: string, region: string, service: string): Promise<HmacKey> {
  let key = await hmac(await hmacKey(`AWS4${secretAccessKey}`), date)
  for (const part of [region, service, 'aws4_request']) key = await hmac(await hmacKey(key), part)
  return hmacKey(key)
}

/** Canonical request, string to sign and signature of `request`, signed with `key` from {@link signingKey}. */
export async function signParts(request: SigV4Request, scope: SigV4Scope, key: HmacKey): Promise<SigV4Signature> {
  const headers = canonicalHeaders(request.headers)
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalURI(request.path, scope.path, scope.normalize),
    canonicalQuery(request.query),
    headers.canonical,
    headers.signed,
    request.payloadHash,
  ].join('\n')
  const stringToSign = ['AWS4-HMAC-SHA256', scope.amzDate, credentialScope(scope), await sha256Hex(canonicalRequest)].join('\n')
  const signature = await hmacHex(key, stringToSign)
  return { canonicalRequest, stringToSign, signedHeaders: headers.signed, signature }
}

/** The `Authorization` header of a signature. */
export function authorization(accessKeyId: string, scope: SigV4Scope, signature: SigV4Signature): string {
  return `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${credentialScope(scope)}, SignedHeaders=${signature.signedHeaders}, Signature=${signature.signature}`
}

/** `YYYYMMDDTHHMMSSZ` of a time in ms. */
export function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[:-]|\.\d{3}/g, '')
}
