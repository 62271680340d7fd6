// Known-answer vectors from WeChat Pay's official Go SDK (github.com/wechatpay-apiv3/wechatpay-go,
// commit 6dbd7ce2ec5967ac2de5fa053479b411967b9c29): the signer test
// (core/auth/signers/sha256withrsa_signer_test.go: message "source" signed with the test key,
// PKCS#8, "TESTING KEY" relabelled), the notification test (core/notify/notify_test.go: a
// PAYSCORE callback signed by certificate D7CE59D1F522D701 at 1624523846, its resource
// AEAD_AES_256_GCM under "testMchAPIv3Key0") and the AES test (utils/aes_test.go). The SDK's
// test keys are 16 bytes (AES-128); WeChat Pay's real APIv3 keys are 32 (AES-256): same GCM.
import { describe, expect, it } from 'vitest'
import {
  bytesOf,
  decryptResource,
  encryptOAEP,
  importApiV3Key,
  importMerchantKey,
  importPlatformKey,
  publicKeyInfo,
  signSHA256withRSA,
} from '../../src/features/wechatpay-crypto.js'
import { createNonce, requestMessage, verifyWeChatPay, wechatpayAuthorization } from '../../src/features/wechatpay-sign.js'

const GO_TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDZUJN33V+dSfvd
fL0Mu+39XrZNXFFMQSy1V15FpncHeV47SmV0TzTqZc7hHB0ddqAdDi8Z5k3TKqb7
6sOwYr5TcAfuR6PIPaleyE0/0KrljBum2Isa2Nyq7Dgc3ElBQ6YN4l/a+DpvKaz1
FSKmKrhLNskqokWVSlu4g8OlKlbPXQ9ibII14MZRQrrkTmHYHzfi7GXXM0thAKuR
0HNvyhTHBh4/lrYM3GaMvmWwkwvsMavnOex6+eioZHBOb1/EIZ/LzC6zuHArPpyW
3daGaZ1rtQB1vVzTyERAVVFsXXgBHvfFud3w3ShsJYk8JvMwK2RpJ5/gV0QSARcm
LDRUAlPzAgMBAAECggEBAMc7rDeUaXiWv6bMGbZ3BTXpg1FhdddnWUnYE8HfX/km
OFI7XtBHXcgYFpcjYz4D5787pcsk7ezPidAj58zqenuclmjKnUmT3pfbI5eCA2v4
C9HnbYDrmUPK1ZcADtka4D6ScDccpNYNa1g2TFHzkIrEa6H+q7S3O2fqxY/DRVtN
0JIXalBb8daaqL5QVzSmM2BMVnHy+YITJWIkP2a3pKs9C0W65JGDsnG0wVrHinHF
+cnhFZIbaPEI//DAFMc9NkrWOKVRTEgcCUxCFaHOZVNxDWZD7A2ZfJB2rK6eg//y
gEiFDR2h6mTaDowMB4YF2n2dsIO4/dCG8vPHI20jn4ECgYEA/ZGu6lEMlO0XZnam
AZGtiNgLcCfM/C2ZERZE7QTRPZH1WdK92Al9ndldsswFw4baJrJLCmghjF/iG4zi
hhBvLnOLksnZUfjdumxoHDWXo2QBWbI5QsWIE7AuTiWgWj1I7X4fCXSQf6i+M/y2
6TogQ7d0ANpZFyOkTNMn/tiJvLECgYEA22XqlamG/yfAGWery5KNH2DGlTIyd6xJ
WtJ9j3jU99lZ0bCQ5xhiBbU9ImxCi3zgTsoqLWgA/p00HhNFNoUcTl9ofc0G3zwT
D1y0ZzcnVKxGJdZ6ohW52V0hJStAigtjYAsUgjm7//FH7PiQDBDP1Wa6xSRkDQU/
aSbQxvEE8+MCgYEA3bb8krW7opyM0XL9RHH0oqsFlVO30Oit5lrqebS0oHl3Zsr2
ZGgoBlWBsEzk3UqUhTFwm/DhJLTSJ/TQPRkxnhQ5/mewNhS9C7yua7wQkzVmWN+V
YeUGTvDGDF6qDz12/vJAgSwDDRym8x4NcXD5tTw7mmNRcwIfL22SkysThIECgYAV
BgccoEoXWS/HP2/u6fQr9ZIR6eV8Ij5FPbZacTG3LlS1Cz5XZra95UgebFFUHHtC
EY1JHJY7z8SWvTH8r3Su7eWNaIAoFBGffzqqSVazfm6aYZsOvRY6BfqPHT3p/H1h
Tq6AbBffxrcltgvXnCTORjHPglU0CjSxVs7awW3AEQKBgB5WtaC8VLROM7rkfVIq
+RXqE5vtJfa3e3N7W3RqxKp4zHFAPfr82FK5CX2bppEaxY7SEZVvVInKDc5gKdG/
jWNRBmvvftZhY59PILHO2X5vO4FXh7suEjy6VIh0gsnK36mmRboYIBGsNuDHjXLe
BDa+8mDLkWu5nHEhOxy2JJZl
-----END PRIVATE KEY-----`
const GO_SIGNATURE =
  'BKyAfU4iMCuvXMXS0Wzam3V/cnxZ+JaqigPM5OhljS2iOT95OO6Fsuml2JkFANJU9K6q9bLlDhPXuoVz+pp4hAm6pHU4ld815U4jsKu1RkyaII+1CYBUYC8TK0XtJ8FwUXXz8vZHh58rrAVN1XwNyvD1vfpxrMT4SL536GLwvpUHlCqIMzoZUguLli/K8V29QiOhuH6IEqLNJn8e9b3nwNcQ7be3CzYGpDAKBfDGPCqCv8Rw5zndhlffk2FEA70G4hvMwe51qMN/RAJbknXG23bSlObuTCN7Ndj1aJGH6/L+hdwfLpUtJm4QYVazzW7DFD27EpSQEqA8bX9+8m1rLg=='
const GO_CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIDVzCCAj+gAwIBAgIJANfOWdH1ItcBMA0GCSqGSIb3DQEBCwUAMEIxCzAJBgNV
BAYTAlhYMRUwEwYDVQQHDAxEZWZhdWx0IENpdHkxHDAaBgNVBAoME0RlZmF1bHQg
Q29tcGFueSBMdGQwHhcNMjEwNDI3MDg1NTIzWhcNMzEwNDI1MDg1NTIzWjBCMQsw
CQYDVQQGEwJYWDEVMBMGA1UEBwwMRGVmYXVsdCBDaXR5MRwwGgYDVQQKDBNEZWZh
dWx0IENvbXBhbnkgTHRkMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA
2VCTd91fnUn73Xy9DLvt/V62TVxRTEEstVdeRaZ3B3leO0pldE806mXO4RwdHXag
HQ4vGeZN0yqm++rDsGK+U3AH7kejyD2pXshNP9Cq5YwbptiLGtjcquw4HNxJQUOm
DeJf2vg6byms9RUipiq4SzbJKqJFlUpbuIPDpSpWz10PYmyCNeDGUUK65E5h2B83
4uxl1zNLYQCrkdBzb8oUxwYeP5a2DNxmjL5lsJML7DGr5znsevnoqGRwTm9fxCGf
y8wus7hwKz6clt3Whmmda7UAdb1c08hEQFVRbF14AR73xbnd8N0obCWJPCbzMCtk
aSef4FdEEgEXJiw0VAJT8wIDAQABo1AwTjAdBgNVHQ4EFgQUT1c7nd/SUO76HSoZ
umNUJv1R5PwwHwYDVR0jBBgwFoAUT1c7nd/SUO76HSoZumNUJv1R5PwwDAYDVR0T
BAUwAwEB/zANBgkqhkiG9w0BAQsFAAOCAQEAfTjxKRQMzNB/U6ZoCUS+BSNfa2Oh
0plMN6ZuzwiVVZwg1jywvv5yv04koS7Pd4i9E4gt9ZBUQXlpq+A3oOCEEHNRR6b2
kyazGRM7s0OP5X21WrbpSmKmU6K7hkfx30yYs08LVs/Q8DIhvaj1FCFeJzUCzYn/
fHMq4tsbKO0dKAeydPM/nrUZBmaYQVKMVOORGLFjFKVO7JV6Kq/R86ouhjEPgJOe
2xulNBUcjicqtZlBdEh/PWCYP2SpGVDclKm8jeo175T3EVAkdKzzmfpxtMmnMlmq
cTJOU9TxuGvNASMtjj7pYIerTx+xgZDXEVBWFW9PjJ0TV06tCRsgSHItgg==
-----END CERTIFICATE-----`
const GO_NOTIFY_HEADERS = {
  'Content-Type': 'application/json',
  'Wechatpay-Nonce': 'EcZ9Cmy4Xyx1i6RlJQzLcCyEqDa26NBz',
  'Wechatpay-Timestamp': '1624523846',
  'Wechatpay-Serial': 'D7CE59D1F522D701',
  'Wechatpay-Signature':
    'tJHIiIS9eB2hAYstmAmbbD3ZE5LiIm/Ug5tuL4fC0YOFRWIHV39UFIZXC0e9Wl6lBu6sKvkqDkzpqzBsVHyXFlbYZTOQrVdG4b6LfTnK4mikv9++ixJMd3vTf2yCqvBkh98zs3Ds5zsYQakzbcwhmw4fMJs4nPLws28H0UW9FjDR//rxELLwXvV1VEA1IBLX70xptjL8hrfUjEE8kkry6yNJTHZRU8CAc7qHli2Ng1V1qb9ARbK8A3ThmFmPQvRGrapI/jS2laKKgYUmfdEdkNO6B2Cke5e8VTxY406ArAmQ90GAihDwIcb16TQMnzCMBoutnwZKNiKRACrFmtxw2Q==',
}
const GO_NOTIFY_BODY =
  '{"id":"3119dfba-e649-5eec-ab1e-3412bc4d2e17","create_time":"2021-06-24T16:37:26+08:00","resource_type":"encrypt-resource","event_type":"PAYSCORE.USER_OPEN_SERVICE","summary":"签约成功","resource":{"original_type":"payscore","algorithm":"AEAD_AES_256_GCM","ciphertext":"YDS3lKPaC4Y52Gf3uhft5qUBlIa8b428AWTtTauHQfQrRw+X1WpiuHIDy0vo1Vd6VEq67aVyqPdDYMkRVSDaZL3iZttevRMOoPKMifozg6XPWjIZumks/GpT48lI4NizyeaqLBokNebthah3o1H76qSlO9NkDjp9bzmKLEYYH9TEklFUpsvPqOTOcgSLgh21YJXYR7dEBXFgRLiNIKRgO5JdXh1hccRUAlyVWxE54PXpnQ==","associated_data":"payscore","nonce":"Kj7QIyUiYx1q"}}'
const GO_NOTIFY_PLAINTEXT =
  '{"mchid":"1234567890","appid":"054aa7d7a2a54ab5898df65bd96f001c","create_time":"2020-06-30T12:12:00+08:00","out_contract_code":"21640bdbd08e473e828f3206a2741c6e"}'

const at = (seconds: number) => seconds * 1000
const goKeys = async () => (await importPlatformKey(publicKeyInfo(GO_CERTIFICATE, 'certificate').spki)).verify

describe('WeChat Pay primitives against the official Go SDK vectors', () => {
  it('SHA256withRSA with the merchant key gives the SDK signature of "source"', async () => {
    expect(await signSHA256withRSA(await importMerchantKey(GO_TEST_KEY), 'source')).toBe(GO_SIGNATURE)
  })

  it("a certificate's serial is read as WeChat Pay writes it (upper-case hex, no leading zero byte)", () => {
    expect(publicKeyInfo(GO_CERTIFICATE, 'certificate').serial).toBe('D7CE59D1F522D701')
  })

  it('the SDK callback verifies over its raw body with the key inside the certificate', async () => {
    const key = await goKeys()
    const serial = await verifyWeChatPay(GO_NOTIFY_HEADERS, bytesOf(GO_NOTIFY_BODY), {
      what: 'the vector',
      now: at(1624523846),
      keyFor: async (s) => (s === 'D7CE59D1F522D701' ? key : undefined),
    })
    expect(serial).toBe('D7CE59D1F522D701')
  })

  it('the same callback, re-serialised (same JSON, other bytes), fails: signature', async () => {
    const key = await goKeys()
    const reserialised = JSON.stringify(JSON.parse(GO_NOTIFY_BODY), null, 1)
    const verifying = verifyWeChatPay(GO_NOTIFY_HEADERS, bytesOf(reserialised), {
      what: 'the vector',
      now: at(1624523846),
      keyFor: async () => key,
    })
    await expect(verifying).rejects.toMatchObject({ code: 'FL_ERR_SIGNATURE', reason: 'signature' })
  })

  it('299 s away passes, 300 s away fails: clock (both SDKs reject at >= 5 minutes)', async () => {
    const key = await goKeys()
    const verify = (now: number) =>
      verifyWeChatPay(GO_NOTIFY_HEADERS, bytesOf(GO_NOTIFY_BODY), { what: 'the vector', now, keyFor: async () => key })
    await expect(verify(at(1624523846 + 299))).resolves.toBe('D7CE59D1F522D701')
    await expect(verify(at(1624523846 - 300))).rejects.toMatchObject({ reason: 'clock' })
  })

  it('a WECHATPAY/SIGNTEST/ signature fails as a probe, before any key is looked up', async () => {
    const headers = { ...GO_NOTIFY_HEADERS, 'Wechatpay-Signature': `WECHATPAY/SIGNTEST/${GO_NOTIFY_HEADERS['Wechatpay-Signature']}` }
    const keyFor = async (): Promise<CryptoKey> => {
      throw new Error('looked up')
    }
    const verifying = verifyWeChatPay(headers, bytesOf(GO_NOTIFY_BODY), { what: 'the vector', now: at(1624523846), keyFor })
    await expect(verifying).rejects.toMatchObject({ reason: 'probe' })
  })

  it("the callback's resource decrypts (AEAD_AES_256_GCM) to the SDK's plaintext", async () => {
    const { resource } = JSON.parse(GO_NOTIFY_BODY)
    expect(await decryptResource(await importApiV3Key('testMchAPIv3Key0'), resource)).toBe(GO_NOTIFY_PLAINTEXT)
  })

  it('utils/aes_test.go: decrypts "Hello World"; a wrong key rejects', async () => {
    const resource = {
      associated_data: 'Dl56FrqWQJF1t9LtC3vEUsniZKvbqdR8',
      nonce: 'wCq51qZv4Yfg',
      ciphertext: 'FsdXzxryWfKwvLJKf8LG/ToRPTRh8RN9wROC',
    }
    expect(await decryptResource(await importApiV3Key('testAPIv3Key0000'), resource)).toBe('Hello World')
    await expect(decryptResource(await importApiV3Key('testAPIv3Key1111'), resource)).rejects.toThrow()
  })
})

describe('WeChat Pay request signing', () => {
  it('signs METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n, the path and query as sent', () => {
    const url = new URL('https://api.mch.weixin.qq.com/v3/pay/transactions/out-trade-no/T%201?mchid=1900009191')
    const message = new TextDecoder().decode(requestMessage('GET', url, 1554208460, 'NONCE', ''))
    expect(message).toBe('GET\n/v3/pay/transactions/out-trade-no/T%201?mchid=1900009191\n1554208460\nNONCE\n\n')
  })

  it('the Authorization header has the SDK layout and a fresh nonce each time', async () => {
    const signer = { mchid: '1234567890', serialNo: 'F5765756002FDD77', key: await importMerchantKey(GO_TEST_KEY) }
    const url = new URL('https://api.mch.weixin.qq.com/v3/certificates')
    const one = await wechatpayAuthorization(signer, 'GET', url, '', at(1624523846))
    const two = await wechatpayAuthorization(signer, 'GET', url, '', at(1624523846))
    expect(one).toMatch(
      /^WECHATPAY2-SHA256-RSA2048 mchid="1234567890",nonce_str="[0-9A-Za-z]{32}",timestamp="1624523846",serial_no="F5765756002FDD77",signature="[A-Za-z0-9+/=]{344}"$/,
    )
    expect(one).not.toBe(two)
    expect(createNonce()).toMatch(/^[0-9A-Za-z]{32}$/)
  })

  it('RSA-OAEP ciphertexts decrypt with the private key under SHA-1 (node:crypto as the reference)', async () => {
    const { createPrivateKey, privateDecrypt, constants } = await import('node:crypto')
    const { encrypt } = await importPlatformKey(publicKeyInfo(GO_CERTIFICATE, 'certificate').spki)
    const sealed = await encryptOAEP(encrypt, '张三')
    const plain = privateDecrypt(
      { key: createPrivateKey(GO_TEST_KEY), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      Buffer.from(sealed, 'base64'),
    )
    expect(plain.toString()).toBe('张三')
  })
})
