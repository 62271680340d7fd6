// Signing on every runtime, over Web Crypto alone: the webhook HMAC (main entry) and Alipay's v3
// primitives (fetchline-http/clients/alipay: DER, MD5 from @noble/hashes, RSASSA-PKCS1-v1_5).
// Test vectors: Alipay's SDK certificate and SN (alipay/alipay-sdk-nodejs-all test/antcertutil.test.ts).
import { type Case, check, equal, rejects } from './assert.js'

// alipay-sdk-nodejs-all test/fixtures/alipayCertPublicKey_RSA2.crt: its SN is 7513daaaa48aa3ba2e4018d84402479c.
const ALIPAY_CERT = `-----BEGIN CERTIFICATE-----\nMIIDsjCCApqgAwIBAgIQICAFFOY8L+BNU4cW/iE1izANBgkqhkiG9w0BAQsFADCBgjELMAkGA1UEBhMCQ04xFjAUBgNVBAoMDUFudCBGaW5hbmNpYWwxIDAeBgNVBAsMF0NlcnRpZmljYXRpb24gQXV0aG9yaXR5MTkwNwYDVQQDDDBBbnQgRmluYW5jaWFsIENlcnRpZmljYXRpb24gQXV0aG9yaXR5IENsYXNzIDIgUjEwHhcNMjAwNTE0MTQ0MjAxWhcNMjIwNTE0MTQ0MjAxWjCBkjELMAkGA1UEBhMCQ04xLTArBgNVBAoMJOadreW3nueEleaXreS/oeaBr+aKgOacr+aciemZkOWFrOWPuDEPMA0GA1UECwwGQWxpcGF5MUMwQQYDVQQDDDrmlK/ku5jlrp0o5Lit5Zu9Kee9kee7nOaKgOacr+aciemZkOWFrOWPuC0yMDg4ODMxMjA0NjU5MjE3MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAhoVesfcGvUv1XvUndmX0rmSZ/2posJBCooySbSVFpV79RtHMzrVz2aKkC3WvOXeT5iNeQK4mK8gp3vNkWrHTkQGx5BcmkeO1WS384CQde7dAS0gmxeFs5bs+cCQqV2A2c2R9/5rJMtFtp1Ot/rIiMBUn6Ei0UoztM7AneavqQEzSwYlCKNhPFFtHCiz7u4O5R9CIyvUmYr+zpem2HXBN9ygPAZ0aXBQipGbc45+G07ZCNsmY4hV/Igya1aBf+Ye8p10Ew8uBBri0sIknhSC2LqKKy2IH1fO6q1d1jhN240QRHvbpRNv60kAfZsEulBASBrCMBi49NiJyr5nre7SNywIDAQABoxIwEDAOBgNVHQ8BAf8EBAMCA/gwDQYJKoZIhvcNAQELBQADggEBAEx9T99X9NhDZYXDftc0wH0Tc5OVRIqWTYBN/KEP1df+Ix5djcDrUUcXJMvprMw3frUymgJsf7YUgZ1+dMz+Gup5dCH3qUu/5c9R3d8senb4wCiYR2FpJ3WGIONwInNQTs04a2wM4JIMCdCYWC/H1hdvNl9V4pYeMckTruSnPmJlL6E/pNF5AuIYP5AswZSOhASIQzt5Rr6QDz/YVGi2/6al5Bknm2f9dmsZbWDapKDrlJ3Ny2B0SZ0H47Y7lRlaVNe+Jj1jsrv16ONk1XLt71jyWyPAIlITLcyXmMtT1IympPFRxBIngEImjGt6d1VUtkf61Cjpr0bRRDoZXvWRv5U=\n-----END CERTIFICATE-----`

const base64 = (buffer: ArrayBuffer): string => btoa(Array.from(new Uint8Array(buffer), (b) => String.fromCharCode(b)).join(''))

export const signing: Record<string, Case> = {
  async 'webhook: signWebhook then verify passes; a changed body, a stale stamp, a parsed object fail typed'(ctx) {
    const { signWebhook, createWebhookVerifier } = ctx.lib.core
    const body = '{"id":"evt_1","object":"event"}'
    const verify = createWebhookVerifier({ secrets: ['whsec_new', 'whsec_old'] })
    const header = await signWebhook(body, { secret: 'whsec_old' })
    equal(typeof (await verify(new TextEncoder().encode(body), header)).timestamp, 'number', 'verified timestamp')
    const reasons = [
      await rejects(verify(`${body} `, header), 'changed body'),
      await rejects(verify(body, await signWebhook(body, { secret: 'whsec_old', timestamp: 12345 })), 'stale'),
      await rejects(verify({ id: 'evt_1' } as never, header), 'parsed object'),
    ].map((e) => [e.name, e.code, e.reason])
    equal(
      reasons,
      [
        ['SignatureError', 'FL_ERR_SIGNATURE', 'signature'],
        ['SignatureError', 'FL_ERR_SIGNATURE', 'clock'],
        ['SignatureError', 'FL_ERR_SIGNATURE', 'format'],
      ],
      'failures',
    )
  },
  async "alipay: cert SN of the SDK's certificate; a request signed with a PKCS#8 key verifies; a changed answer fails"(ctx) {
    const { alipayCertSn, importAlipayPrivateKey, importAlipayPublicKey, signAlipayRequest, verifyAlipayAnswer } = ctx.lib.clients.alipay
    equal(alipayCertSn(ALIPAY_CERT), '7513daaaa48aa3ba2e4018d84402479c', 'cert SN')
    await importAlipayPublicKey(ALIPAY_CERT)
    const RSA = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }
    const pair = (await crypto.subtle.generateKey(RSA, true, ['sign', 'verify'])) as CryptoKeyPair
    const privatePem = `-----BEGIN PRIVATE KEY-----\n${base64(await crypto.subtle.exportKey('pkcs8', pair.privateKey))}\n-----END PRIVATE KEY-----`
    const publicKey = await importAlipayPublicKey(base64(await crypto.subtle.exportKey('spki', pair.publicKey)))
    const key = await importAlipayPrivateKey(privatePem)
    const header = await signAlipayRequest(key, { appId: '2021', method: 'POST', target: '/v3/x', body: '{}', nonce: 'n', timestamp: 1 })
    const sign = header.split(',sign=')[1] ?? ''
    const bytes = Uint8Array.from(atob(sign), (c) => c.charCodeAt(0))
    const content = new TextEncoder().encode('app_id=2021,nonce=n,timestamp=1\nPOST\n/v3/x\n{}\n')
    check(await crypto.subtle.verify('RSASSA-PKCS1-v1_5', pair.publicKey, bytes, content), 'the request signature verifies')
    // The same key pair stands in for Alipay's: an answer signed over one body, checked over another.
    const answer = new TextEncoder().encode(`${Date.now()}\nn2\n{"code":"10000"}\n`)
    const stamp = new TextDecoder().decode(answer).split('\n')[0] ?? ''
    const signature = base64(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', pair.privateKey, answer))
    const headers = { 'alipay-timestamp': stamp, 'alipay-nonce': 'n2', 'alipay-signature': signature }
    await verifyAlipayAnswer(headers, '{"code":"10000"}', { publicKey })
    const error = await rejects(verifyAlipayAnswer(headers, '{"code":"40004"}', { publicKey }), 'changed answer')
    equal([error.code, error.reason], ['FL_ERR_SIGNATURE', 'signature'], 'failure')
  },
}
