// The signing rows of bench/sign-cost.mjs: both fetchline cores on the stub Dispatcher of
// bench/rows.mjs, set up as bench/profile/drive.mjs sets up its fl-* rows, each signed row beside a
// bare row that differs from it only by the signing. Every row sends the same GET with a small
// query, `/stub/json?limit=20&page=1` (the stub scenario's own fl-* rows send no query; a signer
// must canonicalize one, so both sides of each pair send it here).
//
//   sign-bare-undici         createClient({ core: 'undici', pool: { factory: () => stub } })
//   sign-sigv4-undici        the same with middleware: [sigv4({ service: 'execute-api', region: 'us-east-1', credentials })]
//   sign-bare-fetch          the fetch core, bare
//   sign-sigv4-fetch         the fetch core with [sigv4(…)]
//   sign-bare-undici-full    the undici core with recommended({ log: { logger } }) (the logger as
//                            drive.mjs's fl-undici-full: consola at info level, a reporter that drops lines)
//   sign-sigv4-undici-full   the undici core with [...recommended({ log: { logger } }), sigv4(…)]
//   sign-alipay-undici       createAlipayClient({ appId, privateKey, alipayPublicKey, core: 'undici',
//                            middleware: [], pool: { factory: () => stub } }).client: each call signed
//                            with the app key (RSA 2048) and its answer verified with the platform key
//   sign-wechatpay-undici    createWeChatPayClient({ mchid, serialNo, privateKey, apiV3Key,
//                            publicKey: { id: 'PUB_KEY_ID_…', pem }, core: 'undici', middleware: [],
//                            pool: { factory: () => stub } }).client: each call signed with the
//                            merchant key (WECHATPAY2-SHA256-RSA2048) and its answer verified with
//                            the WeChat Pay public key (public-key mode: no certificate download)
//
// The Alipay and WeChat Pay rows' stubs answer with a valid answer signature: at setup, an RSA 2048
// app (merchant) key pair and a platform key pair are generated (node:crypto), and the stub's
// fixed body is signed once with the platform private key over `${timestamp}\n${nonce}\n${body}\n`
// — Alipay's `alipay-timestamp` (ms) and `alipay-nonce`; WeChat Pay's `Wechatpay-Timestamp` (s),
// `Wechatpay-Nonce` and `Wechatpay-Serial` (the public key's id) — the timestamp being the setup's
// time (both clients' 300 s window holds for a run of seconds). Setup asserts that a call passes
// verification and that a client whose stub answers the same signature over a body altered by one
// byte rejects with FL_ERR_SIGNATURE, so the row really verifies.
//
// Loaded as a preload (`node --import ./bench/sign-rows.mjs bench/profile/drive.mjs …`, or through
// NODE_OPTIONS as bench/sign-cost.mjs does), it appends these rows to bench/rows.mjs's ROWS in that
// process only.
//
// Checks, so a figure cannot be an unsigned call in disguise: the stub counts its dispatches and
// those carrying an `authorization` header of the row's scheme (`AWS4-HMAC-SHA256 `,
// `ALIPAY-SHA256withRSA ` or `WECHATPAY2-SHA256-RSA2048 `) — the bare rows count the same way and must have none; at exit the
// process fails (exit code 1) unless every call was dispatched once and signed (or, bare, not);
// with FETCHLINE_SIGN_CHECK=file those counts are written there for the harness to cross-check.
// FETCHLINE_BENCH_BUILD=dir: the build to load (package.json, dist/, node_modules), as drive.mjs's
// `@dir`; the worktree by default.
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { createStubDispatcher, GET_BODY, ROWS } from './rows.mjs'

export const SIGN_PATH = '/stub/json?limit=20&page=1'
/** The stub's body, as bench/rows.mjs answers it. */
const STUB_TEXT = JSON.stringify(GET_BODY)
/** Fixed, made-up credentials: the stub checks nothing; the signer does all its work regardless. */
const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }
const SCHEMES = { sigv4: 'AWS4-HMAC-SHA256 ', alipay: 'ALIPAY-SHA256withRSA ', wechatpay: 'WECHATPAY2-SHA256-RSA2048 ' }
/** A made-up WeChat Pay public key id, in the form the merchant platform shows. */
const WECHATPAY_KEY_ID = 'PUB_KEY_ID_0119000091912026120700000000000001'

/** The `authorization` value among undici's dispatch headers (an object, a flat array or pairs). */
function authorization(headers) {
  if (!headers) return undefined
  if (Array.isArray(headers)) {
    const flat = Array.isArray(headers[0]) ? headers.flat() : headers
    for (let i = 0; i < flat.length; i += 2) if (String(flat[i]).toLowerCase() === 'authorization') return String(flat[i + 1])
    return undefined
  }
  if (typeof headers[Symbol.iterator] === 'function') return authorization([...headers])
  for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') return String(headers[name])
  return undefined
}

/** A stub that counts its dispatches and the signed ones. */
async function countedStub(counts, scheme, headers) {
  const stub = await createStubDispatcher({ headers })
  const dispatch = stub.dispatch
  stub.dispatch = function counted(opts, handler) {
    counts.dispatches++
    const auth = authorization(opts.headers)
    if (auth?.startsWith(scheme)) counts.signed++
    return dispatch.call(this, opts, handler)
  }
  return stub
}

/** A fresh RSA 2048 key pair (node:crypto KeyObjects). */
const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 })

/** Alipay's answer headers for `body`, signed with `platformKey` (a node:crypto KeyObject). */
function alipayAnswer(platformKey, body) {
  const timestamp = String(Date.now())
  const nonce = randomUUID()
  const signature = sign('sha256', Buffer.from(`${timestamp}\n${nonce}\n${body}\n`), platformKey).toString('base64')
  return { 'alipay-timestamp': timestamp, 'alipay-nonce': nonce, 'alipay-signature': signature }
}

/** WeChat Pay's answer headers for `body` (timestamp in seconds), signed with `platformKey`. */
function wechatpayAnswer(platformKey, body) {
  const timestamp = String(Math.floor(Date.now() / 1000))
  const nonce = randomUUID().replaceAll('-', '')
  const signature = sign('sha256', Buffer.from(`${timestamp}\n${nonce}\n${body}\n`), platformKey).toString('base64')
  return {
    'wechatpay-timestamp': timestamp,
    'wechatpay-nonce': nonce,
    'wechatpay-serial': WECHATPAY_KEY_ID,
    'wechatpay-signature': signature,
  }
}

/**
 * The service clients that sign requests and verify answers: the module to load, the signed
 * answer headers, and the client on a stub (`keys`: the platform public key and the app's private
 * key, PEM).
 */
const SERVICES = {
  alipay: {
    module: 'dist/clients/alipay.js',
    answer: alipayAnswer,
    client: ({ createAlipayClient }, { baseURL, core, stub, publicKey, privateKey }) =>
      createAlipayClient({
        appId: '2021000000000000',
        privateKey,
        alipayPublicKey: publicKey,
        baseURL,
        core,
        middleware: [],
        pool: { factory: () => stub },
      }).client,
  },
  wechatpay: {
    module: 'dist/clients/wechatpay.js',
    answer: wechatpayAnswer,
    client: ({ createWeChatPayClient }, { baseURL, core, stub, publicKey, privateKey }) =>
      createWeChatPayClient({
        mchid: '1900009191',
        serialNo: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
        privateKey,
        apiV3Key: 'k'.repeat(32),
        publicKey: { id: WECHATPAY_KEY_ID, pem: publicKey },
        baseURL,
        core,
        middleware: [],
        pool: { factory: () => stub },
      }).client,
  },
}

async function signRow({ origin }, { core, full, signer }) {
  const dir = process.env.FETCHLINE_BENCH_BUILD || fileURLToPath(new URL('..', import.meta.url))
  const load = (path) => import(pathToFileURL(resolve(dir, path)).href)
  const { createClient, recommended } = await load('dist/index.js')
  const counts = { calls: 0, dispatches: 0, signed: 0 }
  const scheme = SCHEMES[signer] ?? SCHEMES.sigv4
  let client
  let check = async () => {}
  const service = SERVICES[signer]
  if (service) {
    const lib = await load(service.module)
    const platform = rsa() // the test platform key ("Alipay", "WeChat Pay"): signs the stub's answer
    const keys = {
      publicKey: platform.publicKey.export({ type: 'spki', format: 'pem' }),
      privateKey: rsa().privateKey.export({ type: 'pkcs8', format: 'pem' }), // the app (merchant) key
    }
    const make = (stub) => service.client(lib, { baseURL: origin, core, stub, ...keys })
    const stub = await countedStub(counts, scheme, service.answer(platform.privateKey, STUB_TEXT))
    client = make(stub)
    check = async () => {
      // The same answer headers over a body altered by one byte: verification must refuse it.
      const tampered = service.answer(platform.privateKey, STUB_TEXT.replace('12345', '12346'))
      const bad = make(await createStubDispatcher({ headers: tampered }))
      const outcome = await bad.get(SIGN_PATH).then(
        () => 'passed',
        (error) => error?.code,
      )
      await bad.close()
      if (outcome !== 'FL_ERR_SIGNATURE') throw new Error(`${signer} row: a tampered answer gave ${outcome}, not FL_ERR_SIGNATURE`)
    }
  } else {
    let middleware = []
    if (full) {
      const { createConsola } = await import('consola')
      const logger = createConsola({ level: 3, reporters: [{ log() {} }] })
      middleware = recommended({ log: { logger } })
    }
    if (signer === 'sigv4') {
      const { sigv4 } = await load('dist/middleware/index.js')
      middleware = [...middleware, sigv4({ service: 'execute-api', region: 'us-east-1', credentials: CREDENTIALS })]
    }
    const stub = await countedStub(counts, scheme)
    client = createClient({ baseURL: origin, core, pool: { factory: () => stub }, middleware })
  }
  const call = async () => {
    const res = await client.get(SIGN_PATH)
    counts.calls++
    return res
  }
  const stubOnly = () => Promise.reject(new Error('the signing rows run the stub scenarios only'))
  return {
    get: stubOnly,
    post: stubOnly,
    async stubSetup() {
      const first = await call() // an answer that failed verification would reject here
      if (JSON.stringify(first.data) !== STUB_TEXT) throw new Error(`${signer ?? 'bare'} row: unexpected answer`)
      const want = signer ? 1 : 0
      if (counts.dispatches !== 1 || counts.signed !== want)
        throw new Error(
          `${signer ?? 'bare'} row: first call made ${counts.dispatches} dispatches, ${counts.signed} signed, not 1 and ${want}`,
        )
      await check()
      process.on('exit', () => {
        const ok = counts.dispatches === counts.calls && counts.signed === (signer ? counts.calls : 0)
        if (process.env.FETCHLINE_SIGN_CHECK)
          writeFileSync(process.env.FETCHLINE_SIGN_CHECK, JSON.stringify({ signer: signer ?? 'none', ...counts, ok }))
        if (!ok) {
          process.stderr.write(`sign row: ${counts.calls} calls, ${counts.dispatches} stub dispatches, ${counts.signed} signed\n`)
          process.exitCode = 1
        }
      })
      return async () => (await call()).data
    },
    close: () => client.close(),
  }
}

const row = (id, note, options) => ({ id, name: `fetchline ${id}`, fetchline: true, note, setup: (ctx) => signRow(ctx, options) })

export const SIGN_ROWS = [
  row('sign-bare-undici', "createClient({ baseURL, core: 'undici', pool: { factory: () => stub } })", { core: 'undici' }),
  row('sign-sigv4-undici', "as sign-bare-undici + middleware: [sigv4({ service: 'execute-api', region: 'us-east-1', credentials })]", {
    core: 'undici',
    signer: 'sigv4',
  }),
  row('sign-bare-fetch', 'as sign-bare-undici on the fetch core', { core: 'fetch' }),
  row('sign-sigv4-fetch', 'as sign-sigv4-undici on the fetch core', { core: 'fetch', signer: 'sigv4' }),
  row('sign-bare-undici-full', 'the undici core + recommended({ log: { logger } })', { core: 'undici', full: true }),
  row('sign-sigv4-undici-full', 'the undici core + [...recommended({ log: { logger } }), sigv4(…)]', {
    core: 'undici',
    full: true,
    signer: 'sigv4',
  }),
  row('sign-alipay-undici', "createAlipayClient({ …, core: 'undici', middleware: [], pool }).client: RSA signing + answer verification", {
    core: 'undici',
    signer: 'alipay',
  }),
  row(
    'sign-wechatpay-undici',
    "createWeChatPayClient({ …, publicKey: { id, pem }, core: 'undici', middleware: [], pool }).client: RSA signing + answer verification",
    { core: 'undici', signer: 'wechatpay' },
  ),
]

for (const r of SIGN_ROWS) if (!ROWS.some((x) => x.id === r.id)) ROWS.push(r)
