// WeChat Pay API v3 signing on every runtime: createWeChatPayClient against a WeChat Pay double
// built on the runtime's own Web Crypto (no server needed, no node:crypto), in public-key mode:
// each request's signature checked with the merchant's public key, each answer signed with the
// WeChat Pay key, a tampered answer and a probe refused, a callback verified and decrypted.
import type { Case } from './assert.js'
import { check, equal, rejects } from './assert.js'

const RSA = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
const utf8 = (text: string) => new TextEncoder().encode(text)
const b64 = (bytes: ArrayBuffer | Uint8Array) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
const unb64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0))
const pem = (label: string, der: ArrayBuffer) => `-----BEGIN ${label}-----\n${b64(der).replace(/.{64}/g, '$&\n')}\n-----END ${label}-----\n`

async function party() {
  const pair = (await crypto.subtle.generateKey(RSA, true, ['sign', 'verify'])) as CryptoKeyPair
  return {
    pair,
    privatePem: pem('PRIVATE KEY', await crypto.subtle.exportKey('pkcs8', pair.privateKey)),
    publicPem: pem('PUBLIC KEY', await crypto.subtle.exportKey('spki', pair.publicKey)),
  }
}

async function signed(key: CryptoKey, serial: string, body: string) {
  const timestamp = String(Math.floor(Date.now() / 1000))
  const nonce = crypto.randomUUID().replaceAll('-', '')
  const signature = b64(await crypto.subtle.sign(RSA, key, utf8(`${timestamp}\n${nonce}\n${body}\n`)))
  return { 'wechatpay-timestamp': timestamp, 'wechatpay-nonce': nonce, 'wechatpay-signature': signature, 'wechatpay-serial': serial }
}

export const wechatpayCases: Record<string, Case> = {
  async 'WeChat Pay: every attempt signed, every answer verified before parsing, a callback decrypted'(ctx) {
    const [merchant, wechat] = await Promise.all([party(), party()])
    const id = 'PUB_KEY_ID_0119000091912026120700000000000001'
    const apiV3Key = 'a'.repeat(16) + 'B'.repeat(16)
    const valid: boolean[] = []
    let tamper: 'body' | 'probe' | undefined
    const fetch = async (input: URL | string | Request, init?: RequestInit): Promise<Response> => {
      const request = new Request(input, init)
      const body = await request.text()
      const m =
        /^WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="(\w+)",timestamp="(\d+)",serial_no="MERCHANT01",signature="([^"]+)"$/.exec(
          request.headers.get('authorization') ?? '',
        )
      const url = new URL(request.url)
      const message = m && utf8(`${request.method}\n${url.pathname}${url.search}\n${m[2]}\n${m[1]}\n${body}\n`)
      const ok = !!m && !!message && (await crypto.subtle.verify(RSA, merchant.pair.publicKey, unb64(m[3] as string), message))
      valid.push(ok)
      if (!ok) return new Response('{"code":"SIGN_ERROR"}', { status: 401, headers: { 'content-type': 'application/json' } })
      const answer = JSON.stringify({ code_url: 'weixin://wxpay/bizpayurl?pr=abc', serial: request.headers.get('wechatpay-serial') })
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(await signed(wechat.pair.privateKey, id, answer)) }
      if (tamper === 'probe') headers['wechatpay-signature'] = `WECHATPAY/SIGNTEST/${headers['wechatpay-signature']}`
      return new Response(tamper === 'body' ? answer.replace('{', '{ ') : answer, { headers })
    }
    const { createWeChatPayClient } = ctx.lib.clients.wechatpay
    await using pay = createWeChatPayClient({
      mchid: '1900009191',
      serialNo: 'MERCHANT01',
      privateKey: merchant.privatePem,
      apiV3Key,
      publicKey: { id, pem: wechat.publicPem },
      fetch,
      middleware: [],
    })
    const order = { json: { out_trade_no: 'T-1', amount: { total: 100 } } }
    const { data } = await pay.client.post<{ code_url: string; serial: string }>('/v3/pay/transactions/native', order)
    equal([data.code_url, data.serial], ['weixin://wxpay/bizpayurl?pr=abc', id], '[code_url, the Wechatpay-Serial sent]')
    for (const kind of ['body', 'probe'] as const) {
      tamper = kind
      const error = await rejects(pay.client.post('/v3/pay/transactions/native', order), `a ${kind} answer`)
      equal([error.name, error.code, error.reason], ['SignatureError', 'FL_ERR_SIGNATURE', kind === 'body' ? 'signature' : 'probe'], kind)
    }
    equal(valid, [true, true, true], 'every request verified with the merchant key')
    // A callback: the resource sealed with the APIv3 key (AES-256-GCM), the envelope signed.
    const aes = await crypto.subtle.importKey('raw', utf8(apiV3Key), 'AES-GCM', false, ['encrypt'])
    const nonce = 'n0nce0123456'
    const sealed = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv: utf8(nonce), additionalData: utf8('transaction') },
      aes,
      utf8('{"out_trade_no":"T-1","trade_state":"SUCCESS"}'),
    )
    const resource = { algorithm: 'AEAD_AES_256_GCM', ciphertext: b64(sealed), associated_data: 'transaction', nonce }
    const body = JSON.stringify({
      id: 'EV-1',
      create_time: '2026-12-07T20:00:00+08:00',
      event_type: 'TRANSACTION.SUCCESS',
      resource_type: 'encrypt-resource',
      summary: 'ok',
      resource,
    })
    const event = await pay.parseNotification(await signed(wechat.pair.privateKey, id, body), body)
    equal(
      [event.event_type, event.resource.out_trade_no, event.resource.trade_state],
      ['TRANSACTION.SUCCESS', 'T-1', 'SUCCESS'],
      'the callback',
    )
    check(
      ctx.lib.core.isSignatureError(
        await rejects(pay.parseNotification(await signed(merchant.pair.privateKey, id, body), body), 'a forged callback'),
      ),
      'isSignatureError',
    )
  },
}
