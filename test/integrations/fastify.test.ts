// notificationRoute: a WeChat Pay callback reaches the verifier as the raw bytes received, in an
// encapsulated context (the app's other JSON routes still parse as usual).
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { createWeChatPayClient, type WeChatPayNotification } from '../../clients/wechatpay.js'
import { notificationRoute } from '../../src/integrations/fastify.js'
import { startFakeWeChatPay } from '../helpers/wechatpay.js'

async function setup() {
  const fake = await startFakeWeChatPay({ signWith: 'publicKey' })
  const pay = createWeChatPayClient({
    mchid: fake.mchid,
    serialNo: fake.serialNo,
    privateKey: fake.merchant.privateKey,
    apiV3Key: fake.apiV3Key,
    publicKey: fake.publicKey,
    baseURL: fake.url,
  })
  const events: WeChatPayNotification[] = []
  const app = Fastify()
  notificationRoute(app, { url: '/wechatpay/notify', verifier: pay, handler: (event) => void events.push(event) })
  app.post('/other', async (request) => ({ got: request.body }))
  await app.ready()
  return { fake, app, events, [Symbol.asyncDispose]: async () => (await app.close(), await pay.close()) }
}

describe('notificationRoute', () => {
  it('verifies a callback over its raw bytes, hands the decrypted event on and answers 204', async () => {
    await using t = await setup()
    const { headers, body } = t.fake.notification({ out_trade_no: 'T-1', trade_state: 'SUCCESS' })
    const reply = await t.app.inject({ method: 'POST', url: '/wechatpay/notify', headers, payload: body })
    expect(reply.statusCode).toBe(204)
    expect(t.events.map((e) => [e.event_type, e.resource.out_trade_no])).toEqual([['TRANSACTION.SUCCESS', 'T-1']])
  })

  it('a probe or a tampered body answers 401 { code: FAIL } and reaches no handler', async () => {
    await using t = await setup()
    for (const tamper of ['probe', 'body'] as const) {
      const { headers, body } = t.fake.notification({ out_trade_no: 'T-2' }, 'TRANSACTION.SUCCESS', tamper)
      const reply = await t.app.inject({ method: 'POST', url: '/wechatpay/notify', headers, payload: body })
      expect(reply.statusCode).toBe(401)
      expect(reply.json()).toMatchObject({ code: 'FAIL' })
    }
    expect(t.events).toEqual([])
  })

  it("leaves the app's other JSON routes parsing as usual", async () => {
    await using t = await setup()
    const reply = await t.app.inject({ method: 'POST', url: '/other', payload: { a: 1 } })
    expect(reply.json()).toEqual({ got: { a: 1 } })
  })
})
