// A fake Alipay open API v3 on node:http: it checks every request's ALIPAY-SHA256withRSA signature
// with the app's public key (as Alipay's gateway does, https://opendocs.alipay.com/open-v3/054q58)
// and signs every answer with its own key (alipay-timestamp\nalipay-nonce\nbody\n, …/054d0z). Its
// checks are written with node:crypto, independently of the Web Crypto code under test.
import { createSign, createVerify, generateKeyPairSync, randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { generate } from 'selfsigned'
import { type Seen, startServer, type TestServer } from './server.js'

const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 })
const app = rsa()
const alipay = rsa()

/** The app's keys (PKCS#1 PEM private key: what Alipay's key tool gives) and Alipay's. */
export const keys = {
  appPrivateKey: app.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
  appPublicKey: app.publicKey,
  alipayPrivateKey: alipay.privateKey,
  /** Alipay's public key as the console shows it: bare base64 SPKI. */
  alipayPublicKey: (alipay.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64'),
}

/** An RSA certificate and its key, as Alipay's cert mode hands them out. */
export async function makeCertificate(cn: string): Promise<{ cert: string; key: string }> {
  const attrs = [
    { name: 'countryName', value: 'CN' },
    { name: 'organizationName', value: 'Fake Alipay' },
    { name: 'OU', value: 'Certification Authority' },
    { name: 'commonName', value: cn },
  ]
  const pems = await generate(attrs, { keyType: 'rsa', keySize: 2048, algorithm: 'sha256' })
  return { cert: pems.cert, key: pems.private }
}

/** How the fake misbehaves. */
export type FakeAlipayOptions = {
  /** Answer 503 to this many first requests (signed like any answer). */
  failFirst?: number
  /** Change the body after signing it. */
  tamper?: boolean
  /** Sign with this key instead of Alipay's, naming `sn` as its certificate. */
  signer?: { key: string; sn?: string }
  /** Milliseconds added to the answer's alipay-timestamp. */
  skew?: number
  /**
   * Milliseconds the fake's own clock runs ahead of the host's: its check of a request's
   * timestamp, its answers' alipay-timestamp and their `Date`.
   */
  clock?: number
  /** Seconds a request's timestamp may be away from the fake's clock. @default 300 */
  requestWindow?: number
}

export type FakeAlipay = TestServer & {
  /** Every request's verdict: whether its signature held, and its auth fields. */
  checked: Array<{ ok: boolean; fields: Record<string, string>; rootSn: string | undefined }>
}

/** The fields and signature of an `ALIPAY-SHA256withRSA` Authorization header. */
function parseAuthorization(value: string): { auth: string; sign: string; fields: Record<string, string> } | undefined {
  const match = /^ALIPAY-SHA256withRSA (.+),sign=(.+)$/.exec(value)
  if (!match?.[1] || !match[2]) return undefined
  const fields = Object.fromEntries(
    match[1].split(',').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  )
  return { auth: match[1], sign: match[2], fields }
}

function requestHolds(
  req: IncomingMessage,
  seen: Seen,
  auth: NonNullable<ReturnType<typeof parseAuthorization>>,
  options: FakeAlipayOptions,
): boolean {
  const token = req.headers['alipay-app-auth-token']
  const content = `${auth.auth}\n${req.method}\n${req.url}\n${seen.body.toString('utf8')}\n${token ? `${token}\n` : ''}`
  const now = Date.now() + (options.clock ?? 0)
  const fresh = Math.abs(now - Number(auth.fields.timestamp)) < (options.requestWindow ?? 300) * 1000
  return fresh && createVerify('RSA-SHA256').update(content, 'utf8').verify(keys.appPublicKey, auth.sign, 'base64')
}

export async function startFakeAlipay(options: FakeAlipayOptions = {}): Promise<FakeAlipay> {
  const checked: FakeAlipay['checked'] = []
  let hits = 0
  const handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => {
    hits++
    const auth = parseAuthorization(String(req.headers.authorization ?? ''))
    const ok = auth !== undefined && requestHolds(req, seen, auth, options)
    const rootSn = req.headers['alipay-root-cert-sn'] as string | undefined
    checked.push({ ok, fields: auth?.fields ?? {}, rootSn })
    let status = 200
    let json: unknown = {
      trade_no: '2013112011001004330000121536',
      out_trade_no: '6823789339978248',
      trade_status: 'TRADE_SUCCESS',
      total_amount: '88.88',
    }
    if (!ok) {
      status = 401
      json = { code: 'invalid-signature', message: 'signature verification failed' }
    } else if (hits <= (options.failFirst ?? 0)) {
      status = 503
      json = { code: 'SYSTEM_ERROR', message: 'busy' }
    }
    const body = JSON.stringify(json)
    const now = Date.now() + (options.clock ?? 0)
    const timestamp = String(now + (options.skew ?? 0))
    const nonce = randomUUID()
    const signature = createSign('RSA-SHA256')
      .update(`${timestamp}\n${nonce}\n${body}\n`, 'utf8')
      .sign(options.signer?.key ?? alipay.privateKey, 'base64')
    const headers: Record<string, string> = {
      'content-type': 'application/json; charset=utf-8',
      'alipay-timestamp': timestamp,
      'alipay-nonce': nonce,
      'alipay-signature': signature,
      'alipay-trace-id': randomUUID(),
      date: new Date(now).toUTCString(),
    }
    if (options.signer?.sn) headers['alipay-sn'] = options.signer.sn
    res.writeHead(status, headers).end(options.tamper ? body.replace('88.88', '0.01') : body)
  }
  const server = await startServer(handler)
  return Object.assign(server, { checked })
}
