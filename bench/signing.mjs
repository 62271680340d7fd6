// What signing and verifying cost per call, the primitives alone (no request, no pipeline), on the
// built package: an Alipay v3 request signature (RSA-2048 SHA256withRSA), an Alipay answer check,
// and a Stripe-style webhook check (HMAC-SHA256, keys imported once by the verifier).
//
//   npm run build && node bench/signing.mjs [--ms=1000] [--rounds=7]
//
// Each row runs sequentially for --ms per round; the median of the rounds' µs per call is printed.
import { generateKeyPairSync } from 'node:crypto'
import { importAlipayPrivateKey, importAlipayPublicKey, signAlipayRequest, verifyAlipayAnswer } from '../dist/clients/alipay.js'
import { createWebhookVerifier, signWebhook } from '../dist/index.js'

const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback)
const MS = arg('ms', 1000)
const ROUNDS = arg('rounds', 7)

async function measure(fn) {
  const perCall = []
  for (let round = 0; round < ROUNDS; round++) {
    let n = 0
    const start = performance.now()
    while (performance.now() - start < MS) {
      await fn()
      n++
    }
    perCall.push(((performance.now() - start) * 1000) / n)
  }
  perCall.sort((a, b) => a - b)
  return perCall[Math.floor(perCall.length / 2)]
}

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 })
const privateKey = await importAlipayPrivateKey(pair.privateKey.export({ type: 'pkcs8', format: 'pem' }))
const publicKey = await importAlipayPublicKey(pair.publicKey.export({ type: 'spki', format: 'pem' }))
const body = JSON.stringify({ out_trade_no: '20150320010101001', trade_no: '2014112611001004680073956707', total_amount: '88.88' })
const request = { appId: '2021000000000001', method: 'POST', target: '/v3/alipay/trade/query', body }
const headers = { 'alipay-timestamp': String(Date.now()), 'alipay-nonce': 'n' }
const { createSign } = await import('node:crypto')
headers['alipay-signature'] = createSign('RSA-SHA256')
  .update(`${headers['alipay-timestamp']}\nn\n${body}\n`)
  .sign(pair.privateKey, 'base64')
const verify = createWebhookVerifier({ secret: 'whsec_bench', tolerance: Number.POSITIVE_INFINITY })
const webhook = await signWebhook(body, { secret: 'whsec_bench' })

const rows = [
  ['Alipay: sign a request (RSA-2048)', () => signAlipayRequest(privateKey, request)],
  ['Alipay: verify an answer (RSA-2048)', () => verifyAlipayAnswer(headers, body, { publicKey, tolerance: Number.POSITIVE_INFINITY })],
  ['webhook: verify t=…,v1=… (HMAC-SHA256)', () => verify(body, webhook)],
]
console.log(`Node ${process.version}, ${ROUNDS} rounds of ${MS} ms, median µs per call`)
for (const [name, fn] of rows) console.log(`${name.padEnd(42)} ${(await measure(fn)).toFixed(1)} µs`)
