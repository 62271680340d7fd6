// A fake WeChat Pay API v3 on node:http, built on node:crypto (not on the Web Crypto code under
// test): it checks every request's Authorization with the merchant's public key and signs every
// answer with a platform certificate's key or the WeChat Pay public key's, as
// https://pay.weixin.qq.com/docs/merchant/development/interface-rules/signature-generation.html and
// …/signature-verification.html describe. Tests script failures: a tampered body, an unknown
// serial, a stale timestamp, a WECHATPAY/SIGNTEST/ probe, a 503 first.
import {
  constants,
  createCipheriv,
  createPrivateKey,
  createSign,
  createVerify,
  generateKeyPairSync,
  privateDecrypt,
  randomBytes,
  X509Certificate,
} from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { generate } from 'selfsigned'
import { type Seen, startServer } from './server.js'

export type KeyPair = { privateKey: string; publicKey: string }
export type Platform = { cert: string; key: string; serial: string; effective: string }

export function rsaKeys(): KeyPair {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  })
}

/** A self-signed RSA certificate standing in for a WeChat Pay platform certificate. */
export async function platformCertificate(effective = new Date()): Promise<Platform> {
  const pems = await generate([{ name: 'commonName', value: 'Tenpay.com fake platform' }], {
    keyType: 'rsa',
    keySize: 2048,
    algorithm: 'sha256',
  })
  return {
    cert: pems.cert,
    key: pems.private,
    serial: new X509Certificate(pems.cert).serialNumber.toUpperCase(),
    effective: effective.toISOString(),
  }
}

/**
 * The keys every fake starts with, made once per test process: an RSA-2048 key pair and a
 * certificate take ~0.1–0.5 s each to make, and every fake needs three. A rotation still makes a
 * new certificate (see /v3/certificates below), so serials differ where a test needs them to.
 */
let startKeys: Promise<{ merchant: KeyPair; publicKey: KeyPair; platform: Platform }> | undefined
const initialKeys = () => {
  startKeys ??= platformCertificate().then((platform) => ({ merchant: rsaKeys(), publicKey: rsaKeys(), platform }))
  return startKeys
}

const alnum = (n: number) =>
  randomBytes(n * 2)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, n)

/** AEAD_AES_256_GCM as WeChat Pay encrypts resources and certificates (ciphertext ‖ tag, base64). */
export function encryptResource(apiV3Key: string, plaintext: string, associatedData: string) {
  const nonce = alnum(12)
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key), Buffer.from(nonce))
  cipher.setAAD(Buffer.from(associatedData))
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64')
  return { algorithm: 'AEAD_AES_256_GCM', ciphertext, associated_data: associatedData, nonce }
}

export type Tamper = 'body' | 'serial' | 'stale' | 'probe'
export type Checked = {
  method: string
  url: string
  authorization: string
  nonce: string
  timestamp: number
  signature: string
  valid: boolean
}

/** Starts the fake; `signWith` picks the key its answers are signed with. */
export async function startFakeWeChatPay(options: { signWith?: 'certificate' | 'publicKey'; apiV3Key?: string } = {}) {
  const mchid = '1900009191'
  const serialNo = alnum(40).toUpperCase()
  const keys = await initialKeys()
  const merchant = keys.merchant
  const publicKey = { id: 'PUB_KEY_ID_0119000091912026120700000000000001', ...keys.publicKey }
  const apiV3Key = options.apiV3Key ?? alnum(32)
  const certificates: Platform[] = [keys.platform]
  const state = {
    signWith: options.signWith ?? 'certificate',
    checked: [] as Checked[],
    tamper: undefined as Tamper | undefined,
    /** Statuses answered (unsigned, as a gateway would) before the real answer. */
    failFirst: [] as number[],
    downloads: 0,
    orders: new Map<string, Record<string, unknown>>(),
    received: [] as Array<{ url: string; body: unknown; serial: string | undefined }>,
    /** How far this fake's clock is ahead of the host's, in ms. */
    skew: 0,
    /** How far a request's timestamp may be from this fake's clock, in seconds. */
    requestWindow: 300,
  }
  const now = () => Date.now() + state.skew
  const signer = () => {
    const newest = certificates[certificates.length - 1] as Platform
    return state.signWith === 'publicKey' ? { key: publicKey.privateKey, serial: publicKey.id } : { key: newest.key, serial: newest.serial }
  }

  function sign(body: string, at = Math.floor(now() / 1000)) {
    const { key, serial } = signer()
    const nonce = alnum(32)
    const signature = createSign('RSA-SHA256').update(`${at}\n${nonce}\n${body}\n`).sign(key, 'base64')
    return { 'wechatpay-timestamp': String(at), 'wechatpay-nonce': nonce, 'wechatpay-signature': signature, 'wechatpay-serial': serial }
  }

  function check(req: IncomingMessage, seen: Seen): boolean {
    const auth = String(req.headers.authorization ?? '')
    const m = /^WECHATPAY2-SHA256-RSA2048 mchid="(\d+)",nonce_str="(\w+)",timestamp="(\d+)",serial_no="(\w+)",signature="([^"]+)"$/.exec(
      auth,
    )
    if (!m) return false
    const [, id, nonce, timestamp, serial, signature] = m as unknown as string[]
    const message = Buffer.concat([Buffer.from(`${req.method}\n${req.url}\n${timestamp}\n${nonce}\n`), seen.body, Buffer.from('\n')])
    const valid =
      id === mchid &&
      serial === serialNo &&
      Math.abs(now() / 1000 - Number(timestamp)) < state.requestWindow &&
      createVerify('RSA-SHA256')
        .update(message)
        .verify(merchant.publicKey, signature as string, 'base64')
    const entry = {
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: auth,
      nonce: nonce as string,
      timestamp: Number(timestamp),
      signature: signature as string,
      valid,
    }
    state.checked.push(entry)
    return valid
  }

  function route(req: IncomingMessage, seen: Seen): { status: number; json?: unknown } {
    const url = new URL(req.url ?? '/', 'http://fake')
    const body = seen.body.length > 0 ? JSON.parse(seen.body.toString()) : undefined
    state.received.push({ url: req.url ?? '', body, serial: req.headers['wechatpay-serial'] as string | undefined })
    if (req.method === 'POST' && url.pathname === '/v3/pay/transactions/jsapi') {
      state.orders.set(body.out_trade_no, body)
      return { status: 200, json: { prepay_id: `wx${alnum(30)}` } }
    }
    if (req.method === 'POST' && url.pathname === '/v3/pay/transactions/native') {
      state.orders.set(body.out_trade_no, body)
      return { status: 200, json: { code_url: `weixin://wxpay/bizpayurl?pr=${alnum(9)}` } }
    }
    const query = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/.exec(url.pathname)
    if (req.method === 'GET' && query) {
      const order = state.orders.get(decodeURIComponent(query[1] as string))
      if (!order || url.searchParams.get('mchid') !== mchid)
        return { status: 404, json: { code: 'ORDER_NOT_EXIST', message: '订单不存在' } }
      const total = (order.amount as { total: number }).total
      return {
        status: 200,
        json: {
          ...order,
          transaction_id: '4200000000202612070000000001',
          trade_state: 'SUCCESS',
          amount: { total, payer_total: total, currency: 'CNY' },
        },
      }
    }
    if (req.method === 'POST' && url.pathname === '/v3/refund/domestic/refunds') {
      return {
        status: 200,
        json: { refund_id: '50000000382019052709732678859', out_refund_no: body.out_refund_no, status: 'PROCESSING', amount: body.amount },
      }
    }
    if (req.method === 'POST' && url.pathname === '/v3/profitsharing/receivers/add') {
      const serial = req.headers['wechatpay-serial']
      const key = serial === publicKey.id ? publicKey.privateKey : certificates.find((c) => c.serial === serial)?.key
      if (!key) return { status: 400, json: { code: 'PARAM_ERROR', message: 'Wechatpay-Serial' } }
      const name = privateDecrypt(
        { key: createPrivateKey(key), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
        Buffer.from(body.name, 'base64'),
      )
      return { status: 200, json: { type: body.type, account: body.account, name: name.toString() } }
    }
    if (req.method === 'GET' && url.pathname === '/v3/certificates') {
      state.downloads++
      const data = certificates.map((c) => ({
        serial_no: c.serial,
        effective_time: c.effective,
        expire_time: '2031-12-07T00:00:00+08:00',
        encrypt_certificate: encryptResource(apiV3Key, c.cert, 'certificate'),
      }))
      return { status: 200, json: { data } }
    }
    return { status: 404, json: { code: 'NOT_FOUND', message: 'no such route' } }
  }

  function handle(req: IncomingMessage, res: ServerResponse, seen: Seen): void {
    if (!check(req, seen)) {
      const date = new Date(now()).toUTCString()
      res.writeHead(401, { 'content-type': 'application/json', date }).end(JSON.stringify({ code: 'SIGN_ERROR', message: '签名错误' }))
      return
    }
    const fail = state.failFirst.shift()
    if (fail !== undefined) {
      res.writeHead(fail).end()
      return
    }
    const { status, json } = route(req, seen)
    let body = JSON.stringify(json)
    const tamper = state.tamper
    state.tamper = undefined
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      ...sign(body, Math.floor(now() / 1000) - (tamper === 'stale' ? 301 : 0)),
    }
    // The same JSON in other bytes: a verifier over a re-serialised body would wrongly pass it.
    if (tamper === 'body') body = body.replace('{', '{ ')
    if (tamper === 'serial') headers['wechatpay-serial'] = 'PUB_KEY_ID_0000000000000000000000000000000000'
    if (tamper === 'probe') headers['wechatpay-signature'] = `WECHATPAY/SIGNTEST/${headers['wechatpay-signature']}`
    res.writeHead(status, headers).end(body)
  }

  const server = await startServer((req, res, seen) => handle(req, res, seen))
  return {
    url: server.url,
    mchid,
    serialNo,
    merchant,
    publicKey: { id: publicKey.id, pem: publicKey.publicKey },
    apiV3Key,
    certificates,
    state,
    /** Adds a newer platform certificate and signs with it from now on. */
    async rotate(): Promise<Platform> {
      const next = await platformCertificate()
      certificates.push(next)
      return next
    },
    /** A callback as WeChat Pay posts it: the resource encrypted with the APIv3 key, the envelope signed. */
    notification(resource: unknown, eventType = 'TRANSACTION.SUCCESS', tamper?: Tamper) {
      const body = JSON.stringify({
        id: 'EV-2018022511223320873',
        create_time: '2026-12-07T20:00:00+08:00',
        resource_type: 'encrypt-resource',
        event_type: eventType,
        summary: '支付成功',
        resource: { original_type: 'transaction', ...encryptResource(apiV3Key, JSON.stringify(resource), 'transaction') },
      })
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        ...sign(body, Math.floor(now() / 1000) - (tamper === 'stale' ? 301 : 0)),
      }
      if (tamper === 'probe') headers['wechatpay-signature'] = `WECHATPAY/SIGNTEST/${headers['wechatpay-signature']}`
      if (tamper === 'serial') headers['wechatpay-serial'] = 'UNKNOWN0000'
      return { headers, body: tamper === 'body' ? body.replace('支付成功', '支付失败') : body }
    },
    close: server.close,
  }
}
