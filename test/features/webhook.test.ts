// Stripe's own webhook cases (stripe/stripe-node test/Webhook.spec.ts, commit 66394216, "verifyHeader"
// and "constructEvent" suites) ported as black-box cases, plus what that suite does not hold us to:
// a window both ways, rotations, bytes that are not UTF-8, and secrets that never leak.
import { createHmac } from 'node:crypto'
import { inspect } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SignatureError } from '../../src/errors/signature-error.js'
import { createWebhookVerifier, signWebhook, verifyWebhook } from '../../src/features/webhook.js'

const EVENT_PAYLOAD_STRING = JSON.stringify({ id: 'evt_test_webhook', object: 'event' }, null, 2)
const SECRET = 'whsec_test_secret'
const nowS = () => Math.floor(Date.now() / 1000)

/** The rejection of `promise`, which must be a SignatureError with `reason`. */
async function failure(promise: Promise<unknown>, reason: SignatureError['reason']): Promise<SignatureError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(SignatureError)
  expect(error).toMatchObject({ code: 'FL_ERR_SIGNATURE', reason, name: 'SignatureError' })
  return error as SignatureError
}

describe('verifyWebhook (Stripe cases)', () => {
  it('accepts a valid signature over a string, a Buffer, a Uint8Array and an ArrayBuffer', async () => {
    const header = await signWebhook(EVENT_PAYLOAD_STRING, { secret: SECRET })
    const bytes = new TextEncoder().encode(EVENT_PAYLOAD_STRING)
    for (const body of [EVENT_PAYLOAD_STRING, Buffer.from(EVENT_PAYLOAD_STRING), bytes, bytes.slice().buffer]) {
      await expect(verifyWebhook(body, header, { secret: SECRET })).resolves.toEqual({
        timestamp: Number(header.slice(2, header.indexOf(','))),
      })
    }
  })

  it("signs as Stripe does: HMAC-SHA256 hex of the timestamp, a dot and the payload, keyed by the whole secret (stripe-node's crypto provider)", async () => {
    const expected = createHmac('sha256', SECRET).update(`1733600000.${EVENT_PAYLOAD_STRING}`, 'utf8').digest('hex')
    expect(await signWebhook(EVENT_PAYLOAD_STRING, { secret: SECRET, timestamp: 1733600000 })).toBe(`t=1733600000,v1=${expected}`)
  })

  it('refuses a header that does not have the expected format', async () => {
    const error = await failure(verifyWebhook(EVENT_PAYLOAD_STRING, "I'm not even a real signature header", { secret: SECRET }), 'format')
    expect(error.message).toMatch(/Unable to extract timestamp and signatures from the webhook signature header/)
  })

  it('refuses a header that is null, undefined or empty', async () => {
    for (const header of [null, undefined, '']) {
      const error = await failure(verifyWebhook(EVENT_PAYLOAD_STRING, header, { secret: SECRET }), 'missing')
      expect(error.message).toMatch(/No webhook signature header/)
    }
  })

  it('refuses a missing payload (null, undefined, empty)', async () => {
    const header = await signWebhook(EVENT_PAYLOAD_STRING, { secret: SECRET })
    for (const body of [null, undefined, '']) await failure(verifyWebhook(body as never, header, { secret: SECRET }), 'missing')
  })

  it('refuses a header passed as an array', async () => {
    const header = await signWebhook(EVENT_PAYLOAD_STRING, { secret: SECRET })
    await failure(verifyWebhook(EVENT_PAYLOAD_STRING, [header], { secret: SECRET }), 'format')
  })

  it('refuses a header with no signature of the expected scheme', async () => {
    const header = await signWebhook(EVENT_PAYLOAD_STRING, { secret: SECRET, scheme: 'v0' })
    const error = await failure(verifyWebhook(EVENT_PAYLOAD_STRING, header, { secret: SECRET }), 'format')
    expect(error.message).toMatch(/No signatures found with the expected scheme v1/)
  })

  it('refuses a header with no valid signature for the payload', async () => {
    const header = `t=${nowS()},v1=bad_signature`
    const error = await failure(verifyWebhook(EVENT_PAYLOAD_STRING, header, { secret: SECRET }), 'signature')
    expect(error.message).toMatch(/raw request body/)
  })

  it('refuses a timestamp outside the tolerance of the given clock, and accepts one inside', async () => {
    const receivedAt = 20_000_000
    const stale = await signWebhook(EVENT_PAYLOAD_STRING, { secret: SECRET, timestamp: receivedAt / 1000 - 15 })
    const options = { secret: SECRET, tolerance: 10, now: () => receivedAt }
    const error = await failure(verifyWebhook(EVENT_PAYLOAD_STRING, stale, options), 'clock')
    expect(error.message).toMatch(/15 s away from now, outside the tolerance of 10 s/)
    const fresh = await signWebhook(EVENT_PAYLOAD_STRING, { secret: SECRET, timestamp: receivedAt / 1000 - 9 })
    await expect(verifyWebhook(EVENT_PAYLOAD_STRING, fresh, options)).resolves.toBeDefined()
  })

  it('refuses a timestamp outside the tolerance of Date.now()', async () => {
    const header = await signWebhook(EVENT_PAYLOAD_STRING, { secret: SECRET, timestamp: nowS() - 15 })
    await failure(verifyWebhook(EVENT_PAYLOAD_STRING, header, { secret: SECRET, tolerance: 10 }), 'clock')
  })

  it('accepts a header with at least one valid signature (v1=potato beside it)', async () => {
    const header = `${await signWebhook(EVENT_PAYLOAD_STRING, { secret: SECRET })},v1=potato`
    await expect(verifyWebhook(EVENT_PAYLOAD_STRING, header, { secret: SECRET, tolerance: 10 })).resolves.toBeDefined()
  })

  it('skips the window only when asked: tolerance Infinity accepts t=12345', async () => {
    const header = await signWebhook(EVENT_PAYLOAD_STRING, { secret: SECRET, timestamp: 12345 })
    await expect(verifyWebhook(EVENT_PAYLOAD_STRING, header, { secret: SECRET, tolerance: Number.POSITIVE_INFINITY })).resolves.toEqual({
      timestamp: 12345,
    })
    await failure(verifyWebhook(EVENT_PAYLOAD_STRING, header, { secret: SECRET }), 'clock')
  })

  it('uses a 300 s window by default (Stripe DEFAULT_TOLERANCE): 400 s old fails, now passes', async () => {
    const old = await signWebhook(EVENT_PAYLOAD_STRING, { secret: SECRET, timestamp: nowS() - 400 })
    await failure(verifyWebhook(EVENT_PAYLOAD_STRING, old, { secret: SECRET }), 'clock')
    await expect(
      verifyWebhook(EVENT_PAYLOAD_STRING, await signWebhook(EVENT_PAYLOAD_STRING, { secret: SECRET }), { secret: SECRET }),
    ).resolves.toBeDefined()
  })

  it('refuses a payload that is a parsed object, saying to pass the raw body (stripe-node#396)', async () => {
    const header = await signWebhook(EVENT_PAYLOAD_STRING, { secret: SECRET })
    for (const body of [{}, new Date(), JSON.parse(EVENT_PAYLOAD_STRING)]) {
      const error = await failure(verifyWebhook(body, header, { secret: SECRET }), 'format')
      expect(error.message).toMatch(/must be the raw request body .*stripe-node#396/)
    }
  })

  it('refuses a signing secret with whitespace when the verifier is made', () => {
    expect(() => createWebhookVerifier({ secret: `${SECRET}\n` })).toThrow(/leading or trailing whitespace/)
  })
})

describe('verifyWebhook (beyond Stripe)', () => {
  it('refuses a timestamp too far in the future too', async () => {
    const header = await signWebhook(EVENT_PAYLOAD_STRING, { secret: SECRET, timestamp: nowS() + 400 })
    await failure(verifyWebhook(EVENT_PAYLOAD_STRING, header, { secret: SECRET }), 'clock')
  })

  it('checks the signature before the clock: a stale forgery is a signature failure', async () => {
    await failure(verifyWebhook(EVENT_PAYLOAD_STRING, `t=12345,v1=${'0'.repeat(64)}`, { secret: SECRET }), 'signature')
  })

  it('passes any valid pair during a rotation: old secret, new secret, or a header with both', async () => {
    const verify = createWebhookVerifier({ secrets: ['whsec_new', 'whsec_old'] })
    const byOld = await signWebhook(EVENT_PAYLOAD_STRING, { secret: 'whsec_old' })
    const byNew = await signWebhook(EVENT_PAYLOAD_STRING, { secret: 'whsec_new' })
    await expect(verify(EVENT_PAYLOAD_STRING, byOld)).resolves.toBeDefined()
    await expect(verify(EVENT_PAYLOAD_STRING, byNew)).resolves.toBeDefined()
    await expect(verify(EVENT_PAYLOAD_STRING, `${byNew},${byOld.slice(byOld.indexOf('v1='))}`)).resolves.toBeDefined()
    await failure(verify(EVENT_PAYLOAD_STRING, await signWebhook(EVENT_PAYLOAD_STRING, { secret: 'whsec_other' })), 'signature')
  })

  it('refuses a body changed by one byte', async () => {
    const header = await signWebhook(EVENT_PAYLOAD_STRING, { secret: SECRET })
    await failure(verifyWebhook(EVENT_PAYLOAD_STRING.replace('evt_', 'evu_'), header, { secret: SECRET }), 'signature')
  })

  it('verifies the bytes as they came, even when they are not UTF-8', async () => {
    const body = new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])
    const t = nowS()
    const header = `t=${t},v1=${createHmac('sha256', SECRET).update(`${t}.`).update(body).digest('hex')}`
    await expect(verifyWebhook(body, header, { secret: SECRET })).resolves.toBeDefined()
  })

  it('says what to fix for bad options', () => {
    expect(() => createWebhookVerifier({})).toThrow(/needs secret/)
    expect(() => createWebhookVerifier({ secret: 'a', secrets: ['b'] })).toThrow(/not both/)
    expect(() => createWebhookVerifier({ secret: 'a', tolerance: -1 })).toThrow(RangeError)
    expect(() => createWebhookVerifier({ secret: 'a', tollerance: 5 } as never)).toThrow(/did you mean "tolerance"/)
  })

  it('never shows the secret in a message, stack, JSON or util.inspect (property)', async () => {
    const secret = fc.stringMatching(/^[A-Za-z0-9]{20,40}$/).map((s) => `whsec_${s}`)
    const bodies = fc.constantFrom(EVENT_PAYLOAD_STRING, { parsed: true }, '')
    const headers = fc.constantFrom('stale', 'tampered', 'garbage', 'none')
    await fc.assert(
      fc.asyncProperty(secret, bodies, headers, async (s, body, kind) => {
        const t = kind === 'stale' ? 12345 : nowS()
        const signed = await signWebhook(EVENT_PAYLOAD_STRING, { secret: s, timestamp: t })
        const other = await signWebhook(`${EVENT_PAYLOAD_STRING} `, { secret: s })
        const header = { stale: signed, tampered: other, garbage: `t=${s}`, none: undefined }[kind]
        const error = await verifyWebhook(body as string, header, { secrets: [s, `${s}_old`] }).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(SignatureError)
        for (const view of [String(error), (error as Error).stack, JSON.stringify(error), inspect(error, { showHidden: true, depth: 5 })]) {
          expect(view).not.toContain(s)
        }
      }),
      { numRuns: 200 },
    )
  })
})
