// The error a signed exchange fails with: a webhook whose HMAC does not match, a vendor's answer or
// callback (WeChat Pay, Alipay) whose signature, serial or clock does not hold. Its message names
// what failed and how to fix it, and a key only by its public serial or id: never a secret, a key
// or the signed bytes.
import type { ClientRequest } from '../core/types.js'
import { ClientError, KIND, where } from './client-error.js'

/**
 * What did not hold: `'signature'` (no signature matched the raw bytes), `'serial'` (the key or
 * certificate the answer names is not one we trust), `'clock'` (the signed timestamp is outside the
 * window), `'probe'` (a vendor's deliberate test signature, `WECHATPAY/SIGNTEST/…`, which must never
 * pass), `'missing'` (no signature, timestamp or body), `'format'` (an unreadable header, or a body
 * that is not raw bytes), `'decrypt'` (an encrypted resource did not authenticate under the key).
 */
export type SignatureFailure = 'signature' | 'serial' | 'clock' | 'probe' | 'missing' | 'format' | 'decrypt'

const WHY: Record<SignatureFailure, string> = {
  signature: 'the signature does not match the raw body',
  serial: 'no certificate or public key is known by the serial it names',
  clock: 'its timestamp is outside the allowed window',
  probe: 'it carries a signature probe (a deliberately invalid signature)',
  missing: 'a signature header is missing or malformed',
  format: 'its signature header cannot be read',
  decrypt: 'its encrypted resource does not decrypt under the key',
}

/** Where a signature check happened: the request it answers, and the key it named. */
export type SignatureContext = { request?: ClientRequest | undefined; serial?: string | undefined; cause?: unknown }

/**
 * A signature did not verify: the answer was not parsed nor handed on, and it is never retried.
 * `reason` says which check failed; the message says what to fix and never shows a secret, a key,
 * or the signed body.
 *
 * @example
 * try { await verifyWebhook(rawBody, req.headers['stripe-signature'], { secret }) } catch (error) {
 *   if (isSignatureError(error)) return reply.code(400).send(error.reason)
 * }
 */
export class SignatureError extends ClientError {
  override name = 'SignatureError'
  static override readonly [KIND]: string = 'SignatureError'
  override readonly code: 'FL_ERR_SIGNATURE' = 'FL_ERR_SIGNATURE'
  /** Which check failed. */
  readonly reason: SignatureFailure
  /** The key the answer named (`Wechatpay-Serial`, `alipay-sn`): a certificate serial or a public key id. */
  readonly serial: string | undefined

  constructor(reason: SignatureFailure, message: string, context: SignatureContext = {}) {
    super(message, { code: 'FL_ERR_SIGNATURE', request: context.request, cause: context.cause })
    this.reason = reason
    this.serial = context.serial
  }

  /** The error for `what` (`'the answer'`, `'the callback'`) failing `reason`, in the standard words. */
  static of(what: string, reason: SignatureFailure, context: SignatureContext = {}): SignatureError {
    const subject = context.request ? `${what} to ${where(context.request)}` : what
    const named = context.serial ? ` (serial ${context.serial})` : ''
    return new SignatureError(reason, `${subject} failed verification: ${WHY[reason]}${named}`, context)
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason, serial: this.serial }
  }
}
