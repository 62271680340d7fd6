// What WeChat Pay signing costs a request: createWeChatPayClient (sign the request with an RSA-2048
// merchant key, verify the answer with an RSA-2048 WeChat Pay public key, both on Web Crypto)
// against a bare createClient, both on one fetch double that answers at once (no network), no
// middleware, sequential POSTs, rounds alternating. The double's answer is signed once per round
// (inside the 300 s window), so the figure is the client's own work.
//
//   npm run build && node bench/wechatpay-sign.mjs [--rounds=7] [--calls=1000]
import { createSign, generateKeyPairSync } from 'node:crypto'
import { createWeChatPayClient } from '../dist/clients/wechatpay.js'
import { createClient } from '../dist/index.js'

const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback)
const rounds = arg('rounds', 7)
const calls = arg('calls', 1000)
const pair = () =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  })
const merchant = pair()
const wechat = pair()
const id = 'PUB_KEY_ID_0119000091912026120700000000000001'
const body = '{"code_url":"weixin://wxpay/bizpayurl?pr=abc"}'
let headers
const sign = () => {
  const ts = String(Math.floor(Date.now() / 1000))
  const signature = createSign('RSA-SHA256').update(`${ts}\nNONCE\n${body}\n`).sign(wechat.privateKey, 'base64')
  headers = {
    'content-type': 'application/json',
    'wechatpay-timestamp': ts,
    'wechatpay-nonce': 'NONCE',
    'wechatpay-signature': signature,
    'wechatpay-serial': id,
  }
}
const fetch = async () => new Response(body, { headers })
const baseURL = 'https://api.mch.weixin.qq.com'
const plain = createClient({ baseURL, fetch })
const pay = createWeChatPayClient({
  mchid: '1900009191',
  serialNo: 'MERCHANT01',
  privateKey: merchant.privateKey,
  apiV3Key: 'k'.repeat(32),
  publicKey: { id, pem: wechat.publicKey },
  baseURL,
  fetch,
  middleware: [],
})
const json = {
  appid: 'wx1',
  mchid: '1900009191',
  description: 'Coffee',
  out_trade_no: 'T1',
  notify_url: 'https://x/n',
  amount: { total: 100 },
}

async function time(client) {
  const started = process.hrtime.bigint()
  for (let i = 0; i < calls; i++) await client.post('/v3/pay/transactions/native', { json })
  return Number(process.hrtime.bigint() - started) / 1000 / calls
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
sign()
await time(plain)
await time(pay.client) // warm-up
const bare = []
const signed = []
for (let r = 0; r < rounds; r++) {
  sign()
  if (r % 2) bare.push(await time(plain)), signed.push(await time(pay.client))
  else signed.push(await time(pay.client)), bare.push(await time(plain))
}
const diffs = bare.map((b, i) => signed[i] - b)
console.log(`Node ${process.version}, ${rounds} rounds x ${calls} calls`)
console.log(`bare createClient: ${median(bare).toFixed(1)} µs/call; createWeChatPayClient: ${median(signed).toFixed(1)} µs/call`)
console.log(
  `signing + verifying: +${median(diffs).toFixed(1)} µs/call (median of per-round differences; min ${Math.min(...diffs).toFixed(1)}, max ${Math.max(...diffs).toFixed(1)})`,
)
await plain.close()
await pay.close()
