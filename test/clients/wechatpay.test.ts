// createWeChatPayClient against a fake WeChat Pay (test/helpers/wechatpay.ts) that checks every
// request's signature with the merchant's public key and signs every answer with a platform key.
import { inspect } from 'node:util'
import fc from 'fast-check'
import { Redis } from 'ioredis'
import { describe, expect, it } from 'vitest'
import { createWeChatPayClient, type WeChatPayClientOptions } from '../../clients/wechatpay.js'
import { createMemoryTokenStore, isSignatureError, recommended, SignatureError } from '../../index.js'
import { createRedisTokenStore } from '../../src/integrations/redis.js'
import { captureLogs } from '../helpers/capture.js'
import { redisMissing, startRedisServer } from '../helpers/redis.js'
import { startFakeWeChatPay } from '../helpers/wechatpay.js'

type Fake = Awaited<ReturnType<typeof startFakeWeChatPay>>

function payFor(fake: Fake, extra: Partial<WeChatPayClientOptions> = {}) {
  return createWeChatPayClient({
    mchid: fake.mchid,
    serialNo: fake.serialNo,
    privateKey: fake.merchant.privateKey,
    apiV3Key: fake.apiV3Key,
    platformCertificates: 'auto',
    baseURL: fake.url,
    middleware: recommended({ retry: { sleep: async () => {} }, log: false }),
    ...extra,
  })
}

const order = (no: string) => ({
  appid: 'wxd678efh567hg6787',
  mchid: '1900009191',
  description: 'Image形象店-深圳腾大-QQ公仔',
  out_trade_no: no,
  notify_url: 'https://shop.example/wechatpay/notify',
  amount: { total: 100, currency: 'CNY' },
})

async function failure(promise: Promise<unknown>): Promise<SignatureError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(isSignatureError(error)).toBe(true)
  return error as SignatureError
}

describe.each(['fetch', 'undici'] as const)('createWeChatPayClient on the %s core', (core) => {
  it('a Native order, a JSAPI order, a query and a refund: every request signed, every answer verified', async () => {
    const fake = await startFakeWeChatPay()
    await using pay = payFor(fake, { core })
    const native = await pay.client.post<{ code_url: string }>('/v3/pay/transactions/native', { json: order('T-NATIVE-1') })
    expect(native.data.code_url).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/)
    const jsapi = await pay.client.post<{ prepay_id: string }>('/v3/pay/transactions/jsapi', {
      json: { ...order('T-JSAPI-1'), payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' } },
    })
    expect(jsapi.data.prepay_id).toMatch(/^wx/)
    const query = await pay.client.get<{ trade_state: string; amount: { total: number } }>('/v3/pay/transactions/out-trade-no/{no}', {
      params: { no: 'T-JSAPI-1' },
      query: { mchid: fake.mchid },
    })
    expect(query.data).toMatchObject({ trade_state: 'SUCCESS', amount: { total: 100 } })
    const refund = await pay.client.post<{ status: string }>('/v3/refund/domestic/refunds', {
      json: { out_trade_no: 'T-JSAPI-1', out_refund_no: 'R-1', amount: { refund: 100, total: 100, currency: 'CNY' } },
    })
    expect(refund.data.status).toBe('PROCESSING')
    const business = fake.state.checked.filter((c) => c.url !== '/v3/certificates')
    expect(business.map((c) => c.valid)).toEqual([true, true, true, true])
    expect(business[2]?.url).toBe(`/v3/pay/transactions/out-trade-no/T-JSAPI-1?mchid=${fake.mchid}`)
    expect(fake.state.downloads).toBe(1)
  })

  it('public-key mode: answers signed with PUB_KEY_ID_… verify without a certificate download', async () => {
    const fake = await startFakeWeChatPay({ signWith: 'publicKey' })
    await using pay = payFor(fake, { core, platformCertificates: false, publicKey: fake.publicKey })
    const { data } = await pay.client.post<{ code_url: string }>('/v3/pay/transactions/native', { json: order('T-PK-1') })
    expect(data.code_url).toMatch(/^weixin:/)
    expect(fake.state.downloads).toBe(0)
    expect(fake.state.received[0]?.serial).toBe(fake.publicKey.id)
  })

  it('a callback is verified over its raw body and its resource decrypted into a typed event', async () => {
    const fake = await startFakeWeChatPay()
    await using pay = payFor(fake, { core })
    const { headers, body } = fake.notification({ out_trade_no: 'T-1', trade_state: 'SUCCESS', amount: { total: 100 } })
    const event = await pay.parseNotification(headers, body)
    expect(event).toMatchObject({
      event_type: 'TRANSACTION.SUCCESS',
      summary: '支付成功',
      resource: { out_trade_no: 'T-1', trade_state: 'SUCCESS' },
    })
  })
})

describe('createWeChatPayClient refuses what does not verify, with SignatureError', () => {
  for (const [tamper, reason, what] of [
    ['body', 'signature', 'a tampered body (the same JSON in other bytes)'],
    ['serial', 'serial', 'an unknown serial'],
    ['stale', 'clock', 'a timestamp 301 s old'],
    ['probe', 'probe', 'a WECHATPAY/SIGNTEST/ probe'],
  ] as const) {
    it(`an answer with ${what} rejects: reason '${reason}'`, async () => {
      const fake = await startFakeWeChatPay()
      await using pay = payFor(fake)
      await pay.client.post('/v3/pay/transactions/native', { json: order('T-OK') }) // certificates known
      fake.state.tamper = tamper
      const error = await failure(pay.client.post('/v3/pay/transactions/native', { json: order('T-BAD') }))
      expect(error).toBeInstanceOf(SignatureError)
      expect(error.code).toBe('FL_ERR_SIGNATURE')
      expect(error.reason).toBe(reason)
      expect(error.message).toContain(`POST ${fake.url}/v3/pay/transactions/native failed verification`)
    })

    it(`a callback with ${what} rejects: reason '${reason}'`, async () => {
      const fake = await startFakeWeChatPay()
      await using pay = payFor(fake)
      const { headers, body } = fake.notification({ out_trade_no: 'T-1' }, 'TRANSACTION.SUCCESS', tamper)
      expect((await failure(pay.parseNotification(headers, body))).reason).toBe(reason)
    })
  }

  it('a callback without Wechatpay-Signature rejects: reason missing', async () => {
    const fake = await startFakeWeChatPay({ signWith: 'publicKey' })
    await using pay = payFor(fake, { platformCertificates: false, publicKey: fake.publicKey })
    const { headers, body } = fake.notification({})
    const unsigned = Object.fromEntries(Object.entries(headers).filter(([name]) => name !== 'wechatpay-signature'))
    expect((await failure(pay.parseNotification(unsigned, body))).reason).toBe('missing')
  })
})

describe('createWeChatPayClient signs every attempt', () => {
  it('a retried request (503, then 200) carries a new timestamp-nonce signature', async () => {
    const fake = await startFakeWeChatPay({ signWith: 'publicKey' })
    await using pay = payFor(fake, { platformCertificates: false, publicKey: fake.publicKey })
    await pay.client.post('/v3/pay/transactions/native', { json: order('T-R') })
    fake.state.failFirst.push(503)
    const { data } = await pay.client.get('/v3/pay/transactions/out-trade-no/T-R', { query: { mchid: fake.mchid } })
    expect(data).toMatchObject({ trade_state: 'SUCCESS' })
    const [first, second] = fake.state.checked.slice(1)
    expect(first?.valid && second?.valid).toBe(true)
    expect(second?.nonce).not.toBe(first?.nonce)
    expect(second?.signature).not.toBe(first?.signature)
  })

  it('encrypts a sensitive field with the key Wechatpay-Serial names (RSA-OAEP, SHA-1)', async () => {
    for (const mode of ['publicKey', 'certificate'] as const) {
      const fake = await startFakeWeChatPay({ signWith: mode })
      await using pay = payFor(fake, mode === 'publicKey' ? { platformCertificates: false, publicKey: fake.publicKey } : {})
      const name = await pay.encrypt('张三')
      const { data } = await pay.client.post('/v3/profitsharing/receivers/add', {
        json: { type: 'MERCHANT_ID', account: '86693852', name },
      })
      expect(data).toMatchObject({ name: '张三' })
    }
  })
})

describe("WeChat Pay's clock", () => {
  it("a verified answer's Wechatpay-Timestamp moves the next signatures' timestamps to WeChat Pay's clock", async () => {
    const fake = await startFakeWeChatPay({ signWith: 'publicKey' })
    fake.state.skew = 200_000
    await using pay = payFor(fake, { platformCertificates: false, publicKey: fake.publicKey })
    await pay.client.post('/v3/pay/transactions/native', { json: order('T-1') })
    await pay.client.post('/v3/pay/transactions/native', { json: order('T-2') })
    const [first, second] = fake.state.checked.map((c) => c.timestamp - Math.floor(Date.now() / 1000))
    expect(Math.abs(first as number)).toBeLessThanOrEqual(2)
    expect(Math.abs((second as number) - 200)).toBeLessThanOrEqual(2)
  })

  it("a 401 for a timestamp too far from WeChat Pay's clock corrects the next signature from its Date", async () => {
    const fake = await startFakeWeChatPay({ signWith: 'publicKey' })
    Object.assign(fake.state, { skew: 250_000, requestWindow: 60 })
    await using pay = payFor(fake, { platformCertificates: false, publicKey: fake.publicKey })
    await expect(pay.client.post('/v3/pay/transactions/native', { json: order('T-1') })).rejects.toMatchObject({ status: 401 })
    const { data } = await pay.client.post<{ code_url: string }>('/v3/pay/transactions/native', { json: order('T-1') })
    expect(data.code_url).toMatch(/^weixin:/)
    expect(fake.state.checked.map((c) => c.valid)).toEqual([false, true])
  })
})

describe('platform certificates', () => {
  it('are downloaded once, decrypted, and downloaded again for a serial WeChat Pay rotated to', async () => {
    const fake = await startFakeWeChatPay()
    await using pay = payFor(fake)
    await pay.client.post('/v3/pay/transactions/native', { json: order('T-1') })
    await pay.client.post('/v3/pay/transactions/native', { json: order('T-2') })
    expect(fake.state.downloads).toBe(1)
    await fake.rotate()
    await pay.client.post('/v3/pay/transactions/native', { json: order('T-3') })
    expect(fake.state.downloads).toBe(2)
  })

  it('are refreshed after certificateRefresh', async () => {
    const fake = await startFakeWeChatPay()
    await using pay = payFor(fake, { certificateRefresh: 1_000 })
    await pay.client.post('/v3/pay/transactions/native', { json: order('T-1') })
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    await pay.client.post('/v3/pay/transactions/native', { json: order('T-2') })
    expect(fake.state.downloads).toBe(2)
  })

  it('are shared through a store: two instances, one download', async () => {
    const fake = await startFakeWeChatPay()
    const store = createMemoryTokenStore()
    await using a = payFor(fake, { certificateStore: store })
    await using b = payFor(fake, { certificateStore: store })
    await a.client.post('/v3/pay/transactions/native', { json: order('T-A') })
    await b.client.post('/v3/pay/transactions/native', { json: order('T-B') })
    expect(fake.state.downloads).toBe(1)
  })

  it('during a switch, answers signed by either the public key or a certificate verify', async () => {
    const fake = await startFakeWeChatPay()
    await using pay = payFor(fake, { publicKey: fake.publicKey })
    await pay.client.post('/v3/pay/transactions/native', { json: order('T-C') })
    fake.state.signWith = 'publicKey'
    await pay.client.post('/v3/pay/transactions/native', { json: order('T-P') })
    expect(fake.state.checked.every((c) => c.valid)).toBe(true)
  })
})

describe.skipIf(redisMissing())('platform certificates in Redis', () => {
  it('two instances share one download through createRedisTokenStore, and Redis holds no key material', async () => {
    const server = await startRedisServer()
    const redis = new Redis(server.url, { lazyConnect: true })
    await redis.connect()
    try {
      const fake = await startFakeWeChatPay()
      const certificateStore = createRedisTokenStore({ redis, prefix: 'wechatpay-test:' })
      await using a = payFor(fake, { certificateStore })
      await using b = payFor(fake, { certificateStore })
      await a.client.post('/v3/pay/transactions/native', { json: order('T-A') })
      await b.client.post('/v3/pay/transactions/native', { json: order('T-B') })
      expect(fake.state.downloads).toBe(1)
      const keys = await redis.keys('*')
      const stored = (await Promise.all(keys.map((key) => redis.get(key)))).join('\n')
      expect(keys).toEqual(['wechatpay-test:wechatpay:certificates:1900009191'])
      expect(stored).toContain(fake.certificates[0]?.serial)
      for (const line of fake.merchant.privateKey.split('\n').slice(1, -2)) expect(stored).not.toContain(line)
      expect(stored).not.toContain(fake.apiV3Key)
    } finally {
      redis.disconnect()
      await server.stop()
    }
  })
})

describe('secrets', () => {
  it('the private key and the APIv3 key appear in no log line, error, inspect or JSON of the client', async () => {
    const fake = await startFakeWeChatPay()
    const logs = captureLogs(5)
    await using pay = payFor(fake, { middleware: recommended({ retry: false, log: { logger: logs.logger, bodies: true } }) })
    await pay.client.post('/v3/pay/transactions/native', { json: order('T-1') })
    fake.state.tamper = 'body'
    const error = await failure(pay.client.post('/v3/pay/transactions/native', { json: order('T-2') }))
    const keyBody = fake.merchant.privateKey.split('\n').slice(1, -2).join('')
    const seen = [
      JSON.stringify(logs.lines),
      inspect(logs.lines, { depth: 10 }),
      error.message,
      error.stack,
      JSON.stringify(error),
      inspect(error, { depth: 10 }),
      inspect(pay, { depth: 10, showHidden: true }),
      JSON.stringify(pay),
    ].join('\n')
    for (const line of fake.merchant.privateKey.split('\n').slice(1, -2)) expect(seen).not.toContain(line)
    expect(seen).not.toContain(keyBody.slice(0, 40))
    expect(seen).not.toContain(fake.apiV3Key)
  })

  it('property: whatever the APIv3 key, neither it nor the private key shows in logs, errors (causes included), JSON or inspect — a decrypt failure too', async () => {
    const key = fc.stringMatching(/^[A-Za-z0-9+/=_-]{32}$/)
    await fc.assert(
      fc.asyncProperty(key, key, fc.string({ maxLength: 20 }), async (serverKey, clientKey, outTradeNo) => {
        fc.pre(serverKey !== clientKey)
        const fake = await startFakeWeChatPay({ signWith: 'publicKey', apiV3Key: serverKey })
        const logs = captureLogs(5)
        await using pay = payFor(fake, {
          apiV3Key: clientKey,
          platformCertificates: false,
          publicKey: fake.publicKey,
          middleware: recommended({ retry: false, log: { logger: logs.logger, bodies: true } }),
        })
        await pay.client.post('/v3/pay/transactions/native', { json: order(outTradeNo) })
        fake.state.tamper = 'probe'
        const probed = await failure(pay.client.post('/v3/pay/transactions/native', { json: order(outTradeNo) }))
        const { headers, body } = fake.notification({ out_trade_no: outTradeNo })
        const undecryptable = await failure(pay.parseNotification(headers, body)) // sealed under the server's key
        expect(undecryptable.reason).toBe('decrypt')
        const seen = [logs.lines, probed, undecryptable, pay]
          .map((v) => `${inspect(v, { depth: 10, showHidden: true })}\n${JSON.stringify(v)}\n${(v as Error).stack ?? ''}`)
          .join('\n')
        for (const secret of [serverKey, clientKey, ...fake.merchant.privateKey.split('\n').slice(1, -2)])
          expect(seen).not.toContain(secret)
        await fake.close()
      }),
      { numRuns: 8 },
    )
  }, 60_000)

  it('bad options fail at once without echoing a key', () => {
    const base = {
      mchid: '1',
      serialNo: 'S',
      privateKey: 'not a pem SECRET-PEM',
      apiV3Key: 'x'.repeat(32),
      platformCertificates: 'auto' as const,
    }
    expect(() => createWeChatPayClient(base)).toThrow(/privateKey must be a PEM block/)
    expect(() => createWeChatPayClient(base)).not.toThrow(/SECRET-PEM/)
    expect(() => createWeChatPayClient({ ...base, apiV3Key: 'short-SECRET' })).toThrow(/apiV3Key must be the 32-byte/)
    expect(() => createWeChatPayClient({ ...base, apiV3Key: 'short-SECRET' })).not.toThrow(/short-SECRET/)
  })
})
