// The error a signed exchange fails with: a webhook whose HMAC does not match, a vendor's answer
// whose signature, serial or clock does not hold. Its message names what failed and how to fix it,
// never a secret, a key or the signed bytes.
import type { ClientRequest } from '../core/types.js'
import { ClientError, KIND } from './client-error.js'

/**
 * What did not hold: `'signature'` (no signature matched), `'serial'` (the key or certificate the
 * answer names is not one we trust), `'clock'` (the signed timestamp is outside the window),
 * `'probe'` (a vendor's deliberate test signature, which must never pass), `'missing'` (no
 * signature, timestamp or body), `'format'` (unreadable header, or a body that is not raw bytes).
 */
export type SignatureFailure = 'signature' | 'serial' | 'clock' | 'probe' | 'missing' | 'format'

/**
 * A signature did not verify. `reason` says which check failed; the message says what to fix and
 * never shows a secret, a key, or the signed body.
 *
 * @example
 * try { await verifyWebhook(rawBody, req.headers['stripe-signature'], { secret }) } catch (error) {
 *   if (error instanceof SignatureError) return reply.code(400).send(error.reason)
 * }
 */
export class SignatureError extends ClientError {
  override name = 'SignatureError'
  static override readonly [KIND]: string = 'SignatureError'
  override readonly code: 'FL_ERR_SIGNATURE' = 'FL_ERR_SIGNATURE'
  /** Which check failed. */
  readonly reason: SignatureFailure

  constructor(reason: SignatureFailure, message: string, init: { request?: ClientRequest | undefined; cause?: unknown } = {}) {
    super(message, { code: 'FL_ERR_SIGNATURE', ...init })
    this.reason = reason
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason }
  }
}
