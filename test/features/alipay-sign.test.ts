// Alipay v3 primitives against Alipay's own Node SDK (alipay/alipay-sdk-nodejs-all v4.14.0, commit
// e1676390): its certificate fixtures and their SNs (test/antcertutil.test.ts), and its signing
// (src/util.ts signatureV3 / verifySignatureV3: node:crypto RSA-SHA256, base64) as the reference.
import { createHash, createPrivateKey, createSign, createVerify, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { SignatureError } from '../../src/errors/signature-error.js'
import {
  alipayCertSn,
  importAlipayPrivateKey,
  importAlipayPublicKey,
  signAlipayRequest,
  verifyAlipayAnswer,
} from '../../src/features/alipay-sign.js'
import { certificateFields, pemBlocks } from '../../src/features/der.js'
import { keys, makeCertificate } from '../helpers/fake-alipay.js'

const fixture = (name: string) => readFileSync(new URL(`../fixtures/alipay/${name}`, import.meta.url), 'utf8')
// The SDK's own expected values (test/antcertutil.test.ts).
const appCertSnVal = '866efef280dec9137a87d047ac446315'
const alipayPublicCertSnVal = '7513daaaa48aa3ba2e4018d84402479c'
const rootCertSnVal = '687b59193f3f462dd5336e5abf83c5d8_02941eef3187dddf3d3b83462e1dfcf6'
const publicKeyVal =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAhoVesfcGvUv1XvUndmX0rmSZ/2posJBCooySbSVFpV79RtHMzrVz2aKkC3WvOXeT5iNeQK4mK8gp3vNkWrHTkQGx5BcmkeO1WS384CQde7dAS0gmxeFs5bs+cCQqV2A2c2R9/5rJMtFtp1Ot/rIiMBUn6Ei0UoztM7AneavqQEzSwYlCKNhPFFtHCiz7u4O5R9CIyvUmYr+zpem2HXBN9ygPAZ0aXBQipGbc45+G07ZCNsmY4hV/Igya1aBf+Ye8p10Ew8uBBri0sIknhSC2LqKKy2IH1fO6q1d1jhN240QRHvbpRNv60kAfZsEulBASBrCMBi49NiJyr5nre7SNywIDAQAB'

describe('alipayCertSn', () => {
  it("matches the SDK's SNs for the app certificate, the Alipay certificate and the root file", () => {
    expect(alipayCertSn(fixture('appCertPublicKey_2021001161683774.crt'))).toBe(appCertSnVal)
    expect(alipayCertSn(fixture('alipayCertPublicKey_RSA2.crt'))).toBe(alipayPublicCertSnVal)
    expect(alipayCertSn(fixture('alipayRootCert.crt'), { root: true })).toBe(rootCertSnVal)
  })

  it("reads the certificate's public key as the SDK does (loadPublicKey)", () => {
    const [der] = pemBlocks(fixture('alipayCertPublicKey_RSA2.crt'))
    expect(Buffer.from(certificateFields(der as Uint8Array<ArrayBuffer>).publicKey).toString('base64')).toBe(publicKeyVal)
  })

  it("agrees with node:crypto's X509Certificate on a fresh certificate (issuer reversed + decimal serial)", async () => {
    const { cert } = await makeCertificate('Fake Alipay Class 2 R1')
    const x509 = new X509Certificate(cert)
    const issuer = x509.issuer.split('\n').reverse().join(',')
    const expected = createHash('md5')
      .update(`${issuer}${BigInt(`0x${x509.serialNumber}`).toString(10)}`)
      .digest('hex')
    expect(alipayCertSn(cert)).toBe(expected)
  })
})

describe('signAlipayRequest', () => {
  const request = {
    appId: '2014060600164699',
    method: 'post',
    target: '/v3/alipay/trade/query?x=1',
    body: '{"out_trade_no":"70501111111S001111119"}',
    nonce: 'b4ac2bd2-5d8f-4b43-9f2c-3b2a3c1f0e11',
    timestamp: 1733600000000,
  }
  const content = `app_id=${request.appId},nonce=${request.nonce},timestamp=${request.timestamp}\nPOST\n${request.target}\n${request.body}\n`

  it("signs byte for byte as the SDK's signatureV3 (PKCS#1 key, PKCS#8 key, bare base64)", async () => {
    const expected = createSign('RSA-SHA256').update(content, 'utf8').sign(keys.appPrivateKey, 'base64')
    const pkcs8 = createPrivateKeyPem('pkcs8')
    for (const pem of [keys.appPrivateKey, pkcs8, pkcs8.replace(/-----[^-]+-----|\s/g, '')]) {
      const header = await signAlipayRequest(await importAlipayPrivateKey(pem), request)
      expect(header).toBe(
        `ALIPAY-SHA256withRSA app_id=${request.appId},nonce=${request.nonce},timestamp=${request.timestamp},sign=${expected}`,
      )
    }
  })

  it('signs app_cert_sn and the app_auth_token line in cert mode', async () => {
    const header = await signAlipayRequest(await importAlipayPrivateKey(keys.appPrivateKey), {
      ...request,
      appCertSn: appCertSnVal,
      appAuthToken: 'tok',
    })
    const auth = `app_id=${request.appId},app_cert_sn=${appCertSnVal},nonce=${request.nonce},timestamp=${request.timestamp}`
    expect(header.startsWith(`ALIPAY-SHA256withRSA ${auth},sign=`)).toBe(true)
    const signed = `${auth}\nPOST\n${request.target}\n${request.body}\ntok\n`
    expect(
      createVerify('RSA-SHA256')
        .update(signed)
        .verify(keys.appPublicKey, header.split(',sign=')[1] as string, 'base64'),
    ).toBe(true)
  })

  it('takes a fresh nonce and timestamp by default', async () => {
    const key = await importAlipayPrivateKey(keys.appPrivateKey)
    const { nonce: _n, timestamp: _t, ...rest } = request
    expect(await signAlipayRequest(key, rest)).not.toBe(await signAlipayRequest(key, rest))
  })
})

/** The same app key, re-exported in the other format. */
function createPrivateKeyPem(type: 'pkcs8'): string {
  return createPrivateKey(keys.appPrivateKey).export({ type, format: 'pem' }) as string
}

describe('verifyAlipayAnswer', () => {
  const body = '{"code":"10000","trade_no":"2013112011001004330000121536"}'
  const signed = (over: string, timestamp = String(Date.now()), nonce = 'n-1') => ({
    'alipay-timestamp': timestamp,
    'alipay-nonce': nonce,
    'alipay-signature': createSign('RSA-SHA256').update(`${timestamp}\n${nonce}\n${over}\n`).sign(keys.alipayPrivateKey, 'base64'),
  })
  const publicKey = () => importAlipayPublicKey(keys.alipayPublicKey)

  it('accepts a signed answer, from a Headers or a plain object', async () => {
    const headers = signed(body)
    await expect(verifyAlipayAnswer(headers, body, { publicKey: await publicKey() })).resolves.toBeUndefined()
    await expect(
      verifyAlipayAnswer(new Headers(headers), new TextEncoder().encode(body), { publicKey: await publicKey() }),
    ).resolves.toBeUndefined()
  })

  it('refuses a changed body, a missing signature, another certificate and a stale timestamp', async () => {
    const key = await publicKey()
    const fail = async (reason: string, run: Promise<void>) =>
      expect(await run.catch((e: unknown) => e)).toMatchObject({ reason, code: 'FL_ERR_SIGNATURE' })
    await fail('signature', verifyAlipayAnswer(signed(body), body.replace('10000', '10001'), { publicKey: key }))
    await fail('missing', verifyAlipayAnswer({}, body, { publicKey: key }))
    await fail(
      'serial',
      verifyAlipayAnswer({ ...signed(body), 'alipay-sn': 'other' }, body, { publicKey: key, alipayCertSn: alipayPublicCertSnVal }),
    )
    await fail('clock', verifyAlipayAnswer(signed(body, String(Date.now() - 301_000)), body, { publicKey: key }))
  })

  it('shows no key material in its errors', async () => {
    const error = await verifyAlipayAnswer(signed(body), `${body} `, { publicKey: await publicKey() }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(SignatureError)
    const views = [String(error), (error as Error).stack, JSON.stringify(error), inspect(error, { showHidden: true, depth: 5 })].join('\n')
    expect(views).not.toContain(keys.alipayPublicKey.slice(40, 80))
    expect(views).not.toContain(keys.appPrivateKey.split('\n')[2])
  })
})
