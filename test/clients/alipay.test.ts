// createAlipayClient against a fake Alipay (test/helpers/fake-alipay.ts) that checks every
// request's signature and signs every answer, on both cores.
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { type AlipayClientOptions, createAlipayClient } from '../../clients/alipay.js'
import { recommended } from '../../middleware/recommended.js'
import { SignatureError } from '../../src/errors/signature-error.js'
import { alipayCertSn } from '../../src/features/alipay-sign.js'
import { captureLogs } from '../helpers/capture.js'
import { type FakeAlipayOptions, keys, makeCertificate, startFakeAlipay } from '../helpers/fake-alipay.js'

const query = { out_trade_no: '6823789339978248' }

async function setup(core: 'fetch' | 'undici', fake: FakeAlipayOptions = {}, extra: Partial<AlipayClientOptions> = {}) {
  const server = await startFakeAlipay(fake)
  const logs = captureLogs(5)
  const alipay = createAlipayClient({
    appId: '2021000000000001',
    privateKey: keys.appPrivateKey,
    alipayPublicKey: keys.alipayPublicKey,
    baseURL: server.url,
    core,
    middleware: recommended({ log: { logger: logs.logger }, retry: { sleep: async () => {}, methods: ['GET', 'POST'] } }),
    ...extra,
  })
  return { server, alipay, logs, [Symbol.asyncDispose]: () => alipay.close() }
}

for (const core of ['fetch', 'undici'] as const) {
  describe(`createAlipayClient (${core} core)`, () => {
    it('signs a trade query the fake Alipay accepts, and parses its verified answer', async () => {
      await using t = await setup(core)
      const { data, status } = await t.alipay.client.post<{ trade_status: string }>('/v3/alipay/trade/query', { json: query })
      expect(status).toBe(200)
      expect(data.trade_status).toBe('TRADE_SUCCESS')
      expect(t.server.checked).toMatchObject([{ ok: true, fields: { app_id: '2021000000000001' } }])
    })

    it('signs the query string and a GET with no body', async () => {
      await using t = await setup(core)
      await t.alipay.client.get('/v3/alipay/data/bill/balance/query', { query: { bill_user_id: '2088 1', page: 1 } })
      expect(t.server.checked[0]?.ok).toBe(true)
    })

    it('signs an alipay-app-auth-token (a call on behalf of a merchant) as its own line', async () => {
      await using t = await setup(core)
      await t.alipay.client.post('/v3/alipay/trade/query', { json: query, headers: { 'alipay-app-auth-token': '202312BB1f2f6b0e' } })
      expect(t.server.checked[0]?.ok).toBe(true)
    })

    it('rejects a tampered answer with SignatureError before parsing it', async () => {
      await using t = await setup(core, { tamper: true })
      const error = await t.alipay.client.post('/v3/alipay/trade/query', { json: query }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(SignatureError)
      expect(error).toMatchObject({ code: 'FL_ERR_SIGNATURE', reason: 'signature', request: { method: 'POST' } })
    })

    it('rejects an answer with a stale timestamp', async () => {
      await using t = await setup(core, { skew: -10 * 60_000 })
      expect(await t.alipay.client.post('/v3/alipay/trade/query', { json: query }).catch((e: unknown) => e)).toMatchObject({
        reason: 'clock',
      })
    })

    // Alipay's clock runs 200 s ahead of this host's in both tests. Its v3 gateway refuses an
    // authorization with a 401 and a JSON { code, message } (alipay-sdk-nodejs-all v4, commit
    // e1676390, src/alipay.ts #curl and test/alipay.test.ts: `invalid-auth-token` at 401).
    it("a verified answer's alipay-timestamp moves the next signatures' timestamps to Alipay's clock", async () => {
      await using t = await setup(core, { clock: 200_000 })
      await t.alipay.client.post('/v3/alipay/trade/query', { json: query })
      await t.alipay.client.post('/v3/alipay/trade/query', { json: query })
      const [first, second] = t.server.checked.map((c) => (Number(c.fields.timestamp) - Date.now()) / 1000)
      expect(Math.abs(first as number)).toBeLessThanOrEqual(2)
      expect(Math.abs((second as number) - 200)).toBeLessThanOrEqual(2)
      expect(t.server.checked.map((c) => c.ok)).toEqual([true, true])
    })

    it("a 401 for a timestamp too far from Alipay's clock corrects the next signature from its Date", async () => {
      await using t = await setup(core, { clock: 200_000, requestWindow: 60 })
      await expect(t.alipay.client.post('/v3/alipay/trade/query', { json: query })).rejects.toMatchObject({ status: 401 })
      const { data } = await t.alipay.client.post<{ trade_status: string }>('/v3/alipay/trade/query', { json: query })
      expect(data.trade_status).toBe('TRADE_SUCCESS')
      expect(t.server.checked.map((c) => c.ok)).toEqual([false, true])
    })

    it('signs each retry anew: a fresh nonce and timestamp, each accepted', async () => {
      await using t = await setup(core, { failFirst: 2 })
      await t.alipay.client.post('/v3/alipay/trade/query', { json: query })
      expect(t.server.checked.map((c) => c.ok)).toEqual([true, true, true])
      expect(new Set(t.server.checked.map((c) => c.fields.nonce)).size).toBe(3)
    })

    it('keeps the caller’s throwHttpErrors and responseType', async () => {
      await using t = await setup(core, { failFirst: 9 }, { middleware: [] })
      const response = await t.alipay.client.post('/v3/alipay/trade/query', { json: query, throwHttpErrors: false, responseType: 'text' })
      expect(response.status).toBe(503)
      expect(typeof response.data).toBe('string')
      await expect(t.alipay.client.post('/v3/alipay/trade/query', { json: query })).rejects.toMatchObject({
        code: 'FL_ERR_HTTP',
        status: 503,
      })
    })

    it('cert mode: sends app_cert_sn and alipay-root-cert-sn, refuses an answer signed under another certificate', async () => {
      const signer = await makeCertificate('Fake Alipay Class 2 R1')
      const appCert = await makeCertificate('Fake App')
      const root = await makeCertificate('Fake Root')
      const options = { alipayPublicKey: signer.cert, appCert: appCert.cert, alipayRootCert: root.cert }
      {
        await using t = await setup(core, { signer: { key: signer.key, sn: alipayCertSn(signer.cert) } }, options)
        await t.alipay.client.post('/v3/alipay/trade/query', { json: query })
        expect(t.server.checked[0]).toMatchObject({
          ok: true,
          fields: { app_cert_sn: alipayCertSn(appCert.cert) },
          rootSn: alipayCertSn(root.cert, { root: true }),
        })
      }
      await using t = await setup(core, { signer: { key: signer.key, sn: 'f'.repeat(32) } }, options)
      expect(await t.alipay.client.post('/v3/alipay/trade/query', { json: query }).catch((e: unknown) => e)).toMatchObject({
        reason: 'serial',
      })
    })

    it('never shows the private key in logs or errors', async () => {
      await using t = await setup(core, { tamper: true })
      const error = await t.alipay.client.post('/v3/alipay/trade/query', { json: query }).catch((e: unknown) => e)
      const line = keys.appPrivateKey.split('\n')[3] as string
      const seen = [
        inspect(error, { showHidden: true, depth: 6 }),
        JSON.stringify(error),
        inspect(t.alipay, { depth: 6 }),
        JSON.stringify(t.logs.lines),
      ]
      for (const view of seen) expect(view).not.toContain(line)
    })
  })
}
