// A server's check of an AWS SigV4 signature, written apart from middleware/sigv4-canonical.ts (on
// node:crypto, from what arrived on the socket: the raw request target, the raw header lines, the
// body bytes) so a test compares two implementations of the SigV4 page, not one with itself:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
import { createHash, createHmac } from 'node:crypto'

/** What arrived: `url` is the raw request target (`req.url`), `rawHeaders` node's flat list. */
export type Arrived = { method: string; url: string; rawHeaders: readonly string[]; body: Uint8Array }

export type Verdict =
  | { ok: true; accessKeyId: string; amzDate: string; signedHeaders: string[]; payload: string; token: string | undefined }
  | { ok: false; reason: string }

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/

const strict = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex')
const hmac = (key: string | Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest()

function path(raw: string, s3: boolean): string {
  if (s3)
    return raw
      .split('/')
      .map((segment) => strict(decodeURIComponent(segment)))
      .join('/')
  const kept: string[] = []
  for (const segment of raw.split('/')) {
    if (segment === '..') kept.pop()
    else if (segment !== '' && segment !== '.') kept.push(segment)
  }
  const normal = `/${kept.join('/')}${kept.length && raw.endsWith('/') ? '/' : ''}`
  return normal.split('/').map(strict).join('/')
}

function query(raw: string): string {
  const pairs = [...new URLSearchParams(raw)].map(([k, v]) => [strict(k), strict(v)] as const)
  pairs.sort(([a, x], [b, y]) => (a !== b ? (a < b ? -1 : 1) : x < y ? -1 : x > y ? 1 : 0))
  return pairs.map(([k, v]) => `${k}=${v}`).join('&')
}

/**
 * Recomputes the signature of what arrived with `secrets[accessKeyId]`, for `service` in `region`,
 * and says whether it matches (and why not).
 */
export function verifySigV4(arrived: Arrived, secrets: Readonly<Record<string, string>>, service: string, region: string): Verdict {
  const fields = new Map<string, string[]>()
  for (let i = 0; i < arrived.rawHeaders.length; i += 2) {
    const name = (arrived.rawHeaders[i] as string).toLowerCase()
    fields.set(name, [...(fields.get(name) ?? []), (arrived.rawHeaders[i + 1] as string).trim().replace(/\s+/g, ' ')])
  }
  const match = AUTH.exec(fields.get('authorization')?.[0] ?? '')
  if (!match) return { ok: false, reason: 'no AWS4-HMAC-SHA256 Authorization header' }
  const [, keyId, date, inRegion, inService, signedList, signature] = match as unknown as string[]
  const secret = secrets[keyId as string]
  if (secret === undefined) return { ok: false, reason: 'unknown access key id' }
  if (inRegion !== region || inService !== service) return { ok: false, reason: `scope ${inRegion}/${inService}` }
  const amzDate = fields.get('x-amz-date')?.[0] ?? ''
  if (!amzDate.startsWith(date as string)) return { ok: false, reason: 'x-amz-date does not match the credential date' }
  const signed = (signedList as string).split(';')
  if (!signed.includes('host') || !signed.includes('x-amz-date')) return { ok: false, reason: 'host and x-amz-date must be signed' }
  for (const name of fields.keys())
    if (name.startsWith('x-amz-') && !signed.includes(name)) return { ok: false, reason: `${name} not signed` }
  const s3 = service === 's3'
  const declared = fields.get('x-amz-content-sha256')?.[0]
  if (s3 && declared === undefined) return { ok: false, reason: 'S3 needs x-amz-content-sha256' }
  const payload = s3 && declared === 'UNSIGNED-PAYLOAD' ? declared : sha256(arrived.body)
  if (declared !== undefined && declared !== payload) return { ok: false, reason: 'x-amz-content-sha256 is not the body hash' }
  const at = arrived.url.indexOf('?')
  const canonical = [
    arrived.method,
    path(at === -1 ? arrived.url : arrived.url.slice(0, at), s3),
    at === -1 ? '' : query(arrived.url.slice(at + 1)),
    signed.map((name) => `${name}:${(fields.get(name) ?? []).join(',')}\n`).join(''),
    signedList,
    payload,
  ].join('\n')
  const scope = `${date}/${region}/${service}/aws4_request`
  const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256(canonical)}`
  let key = hmac(`AWS4${secret}`, date as string)
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part)
  if (hmac(key, toSign).toString('hex') !== signature) return { ok: false, reason: 'signature mismatch' }
  return { ok: true, accessKeyId: keyId as string, amzDate, signedHeaders: signed, payload, token: fields.get('x-amz-security-token')?.[0] }
}
