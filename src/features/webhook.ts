// Webhook HMAC verification, Stripe's scheme (https://docs.stripe.com/webhooks#verify-manually):
// `Stripe-Signature: t=<unix seconds>,v1=<hex>,v1=<hex>` over the bytes `${t}.` + raw body,
// HMAC-SHA256 keyed by the endpoint secret. On Web Crypto: the same on Node, Bun, Deno, workerd.
import { checkKeys } from '../core/options.js'
import { SignatureError } from '../errors/signature-error.js'

/** A webhook body exactly as it arrived: the text, or its bytes (a Node `Buffer` is a `Uint8Array`). */
export type RawWebhookBody = string | Uint8Array | ArrayBuffer

/**
 * Options of {@link createWebhookVerifier}. Give `secret`, or `secrets` during a rotation: a
 * delivery passes when any of its signatures matches any of them.
 *
 * @example
 * const options: WebhookVerifierOptions = { secrets: [process.env.WHSEC_NEW!, process.env.WHSEC_OLD!] }
 */
export type WebhookVerifierOptions = {
  /** The endpoint's signing secret (Stripe: the whole `whsec_…` string). */
  secret?: string | Uint8Array
  /** Several secrets at once, while one replaces another. */
  secrets?: ReadonlyArray<string | Uint8Array>
  /**
   * Seconds the signed timestamp may be away from now, either way. `Infinity` turns the check off
   * (replaying stored events); `0` allows no skew at all.
   * @default 300
   */
  tolerance?: number
  /** The signature scheme read from the header. @default 'v1' */
  scheme?: string
  /** The clock, in milliseconds since the epoch (tests). @default Date.now */
  now?: () => number
}

/** What a verified delivery carries besides its body. */
export type VerifiedWebhook = {
  /** The signed timestamp, in seconds since the epoch. */
  timestamp: number
}

/** Checks one delivery; rejects with `SignatureError` when it does not hold. */
export type WebhookVerifier = (rawBody: RawWebhookBody, header: string | readonly string[] | null | undefined) => Promise<VerifiedWebhook>

const encoder = new TextEncoder()
const HEX = /^[0-9a-f]{64}$/i

function secretsOf(options: WebhookVerifierOptions): Array<string | Uint8Array> {
  const list = options.secrets ? [...options.secrets] : options.secret === undefined ? [] : [options.secret]
  if (options.secret !== undefined && options.secrets) throw new TypeError('createWebhookVerifier: give secret or secrets, not both')
  if (list.length === 0)
    throw new TypeError('createWebhookVerifier needs secret (or secrets during a rotation): the endpoint signing secret')
  for (const [i, s] of list.entries()) {
    if (typeof s === 'string' ? s === '' : !(s instanceof Uint8Array) || s.byteLength === 0)
      throw new TypeError(`createWebhookVerifier: secret #${i + 1} must be a non-empty string or Uint8Array`)
    // Stripe's own hint (stripe-node Webhooks.ts): a stray newline from an env file never matches.
    if (typeof s === 'string' && s.trim() !== s)
      throw new TypeError(`createWebhookVerifier: secret #${i + 1} has leading or trailing whitespace (an extra newline in the env file?)`)
  }
  return list
}

const importKey = (secret: string | Uint8Array): Promise<CryptoKey> =>
  crypto.subtle.importKey(
    'raw',
    typeof secret === 'string' ? encoder.encode(secret) : secret.slice(),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  )

/** The body's bytes; anything else (a parsed object) is refused with what to pass instead. */
function bytesOf(rawBody: unknown): Uint8Array {
  if (typeof rawBody === 'string') return encoder.encode(rawBody)
  if (rawBody instanceof Uint8Array) return rawBody
  if (rawBody instanceof ArrayBuffer) return new Uint8Array(rawBody)
  throw new SignatureError(
    'format',
    `Webhook body must be the raw request body (string, Buffer, Uint8Array or ArrayBuffer), got ${rawBody === null ? 'null' : typeof rawBody}: a parsed and re-serialized body never matches the signature (stripe-node#396). Read the raw body (express.raw(), Fastify's rawBody, await request.arrayBuffer()) before any JSON parser.`,
  )
}

/** `t` and the scheme's signatures of a `t=…,v1=…,v1=…` header. */
function parseHeader(header: string, scheme: string): { timestamp: number; signatures: Array<Uint8Array<ArrayBuffer>> } {
  let timestamp = Number.NaN
  const signatures: Array<Uint8Array<ArrayBuffer>> = []
  let found = false
  for (const item of header.split(',')) {
    const at = item.indexOf('=')
    const key = item.slice(0, at).trim()
    const value = item.slice(at + 1).trim()
    if (at < 0) continue
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value)
    if (key !== scheme) continue
    found = true
    // A value that is not 32 bytes of hex can match nothing: skip it, as Stripe's compare would fail.
    if (HEX.test(value)) signatures.push(Uint8Array.from(value.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16)))
  }
  if (Number.isNaN(timestamp))
    throw new SignatureError('format', 'Unable to extract timestamp and signatures from the webhook signature header (expected t=…,v1=…)')
  if (!found) throw new SignatureError('format', `No signatures found with the expected scheme ${scheme} in the webhook signature header`)
  return { timestamp, signatures }
}

/** `${t}.` followed by the body's bytes, exactly as they arrived (never decoded and re-encoded). */
function signedContent(timestamp: number, body: Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`${timestamp}.`)
  const content = new Uint8Array(prefix.byteLength + body.byteLength)
  content.set(prefix)
  content.set(body, prefix.byteLength)
  return content
}

/**
 * A verifier for Stripe-style webhook signatures (`t=…,v1=…`): HMAC-SHA256 over `${t}.${rawBody}`,
 * compared in constant time by Web Crypto's `verify`, any signature against any secret (a
 * rotation sends one signature per active secret), the timestamp within `tolerance` seconds either
 * way. The keys are imported once. Rejects with `SignatureError` (`code` `FL_ERR_SIGNATURE`,
 * `reason` `'missing' | 'format' | 'signature' | 'clock'`); a bad option throws a `TypeError`.
 *
 * @example
 * const verify = createWebhookVerifier({ secret: process.env.STRIPE_WEBHOOK_SECRET! })
 * app.post('/stripe', express.raw({ type: 'application/json' }), async (req, res) => {
 *   await verify(req.body, req.headers['stripe-signature'])
 *   const event = JSON.parse(req.body.toString('utf8'))
 * })
 */
export function createWebhookVerifier(given: WebhookVerifierOptions): WebhookVerifier {
  checkKeys('createWebhookVerifier', given, ['secret', 'secrets', 'tolerance', 'scheme', 'now'])
  const options = given ?? {}
  const tolerance = options.tolerance ?? 300
  if (typeof tolerance !== 'number' || !(tolerance >= 0))
    throw new RangeError(`createWebhookVerifier: tolerance must be a number of seconds >= 0 (Infinity: no check), got ${String(tolerance)}`)
  const scheme = options.scheme ?? 'v1'
  const now = options.now ?? Date.now
  let keys: Promise<CryptoKey[]> | undefined
  const secrets = secretsOf(options)

  return async function verifyWebhook(rawBody, header) {
    if (Array.isArray(header)) throw new SignatureError('format', 'The webhook signature header came as a list: pass the one header value')
    if (rawBody === null || rawBody === undefined || rawBody === '')
      throw new SignatureError('missing', 'No webhook body was provided: pass the raw request body')
    const body = bytesOf(rawBody)
    if (typeof header !== 'string' || header === '') throw new SignatureError('missing', 'No webhook signature header was provided')
    const { timestamp, signatures } = parseHeader(header, scheme)
    keys ??= Promise.all(secrets.map(importKey))
    const content = signedContent(timestamp, body)
    let matched = false
    for (const key of await keys) {
      for (const signature of signatures) if (await crypto.subtle.verify('HMAC', key, signature, content)) matched = true
    }
    if (!matched)
      throw new SignatureError(
        'signature',
        'No webhook signature matches the body: pass the raw request body as received (a parsed or re-serialized body never matches), and check the endpoint secret',
      )
    const skew = Math.abs(Math.floor(now() / 1000) - timestamp)
    if (skew > tolerance)
      throw new SignatureError('clock', `Webhook timestamp is ${skew} s away from now, outside the tolerance of ${tolerance} s`)
    return { timestamp }
  }
}

/**
 * Verifies one delivery: {@link createWebhookVerifier}`(options)(rawBody, header)`. A verifier
 * made once imports the keys once.
 *
 * @example
 * await verifyWebhook(rawBody, headers.get('stripe-signature'), { secret })
 */
export function verifyWebhook(
  rawBody: RawWebhookBody,
  header: string | readonly string[] | null | undefined,
  options: WebhookVerifierOptions,
): Promise<VerifiedWebhook> {
  return createWebhookVerifier(options)(rawBody, header)
}

/**
 * A `t=…,v1=…` header for `rawBody`: to send webhooks of your own in this scheme, or to test a
 * receiver (Stripe's `generateTestHeaderString`).
 *
 * @example
 * const header = await signWebhook(body, { secret: 'whsec_test' }) // 't=1733600000,v1=5f0c…'
 */
export async function signWebhook(
  rawBody: RawWebhookBody,
  options: { secret: string | Uint8Array; timestamp?: number; scheme?: string },
): Promise<string> {
  const timestamp = Math.floor(options.timestamp ?? Date.now() / 1000)
  const key = await importKey(options.secret)
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, signedContent(timestamp, bytesOf(rawBody))))
  return `t=${timestamp},${options.scheme ?? 'v1'}=${Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('')}`
}
