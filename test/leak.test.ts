// Property-based: whatever secret goes in, through whatever path, it comes out nowhere. A secret
// also rides in the path as a `params` value built of dots, slashes, `%2e` and Unicode, beside a
// plain one of the same pieces: a value that would move the call (`..`, `a/..`) is refused before
// anything is sent, any other reaches the server in its own segment, exactly (src/request/params.ts).
// Signing has a property of its own (after the first): the WeChat Pay and Alipay clients' private
// key, APIv3 key and app auth token, in any encoding. cache() has properties of its own (the end of this file): nothing it stores — memory store or
// Redis — holds a secret of the request or of the answer, in any encoding.

import { createPrivateKey, createPublicKey } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { inspect } from 'node:util'
import { context, trace as otel, propagation } from '@opentelemetry/api'
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics'
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'
import fc from 'fast-check'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createAlipayClient } from '../clients/alipay.js'
import { createWeChatPayClient } from '../clients/wechatpay.js'
import {
  bearer,
  type CacheEntry,
  type CacheStore,
  cache,
  createMemoryCacheStore,
  log,
  oauth2,
  redact,
  retry,
  sigv4,
  timeout,
  trace,
} from '../middleware/index.js'
import { type Client, type ClientResponse, createClient, isValidationError, type Middleware } from '../src/index.js'
import { createRedisCacheStore } from '../src/integrations/redis.js'
import { captureLogs } from './helpers/capture.js'
import { keys as alipayKeys, type FakeAlipay, startFakeAlipay } from './helpers/fake-alipay.js'
import { refusedPort, startServer, type TestServer } from './helpers/server.js'
import { type KeyPair, rsaKeys, startFakeWeChatPay, type Tamper } from './helpers/wechatpay.js'

class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

const RUNS = 1_000
const exporter = new InMemorySpanExporter()
const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })
const reader = new TestReader()
const meterProvider = new MeterProvider({ readers: [reader] })
const logs = captureLogs(5)
// redirectLoop: past maxRedirects, at a Location carrying the call's query; crossOrigin: a 302 to
// another server, which must see none of the call's secrets.
const paths = ['ok', 'fail', 'network', 'timeout', 'retry', 'customFetch', 'redirectLoop', 'crossOrigin'] as const
// Auth: a bearer token refused once then refreshed; oauth2() with the value as client secret (Basic
// or body) and in the token it is issued; a token endpoint refusing it, echoing it in its error;
// sigv4() with the value as secret access key and as session token, signing innermost.
const authPaths = ['bearer', 'oauth2', 'oauth2Body', 'oauth2Refused', 'sigv4'] as const
let bearerValue = ''
const clients = {} as Record<(typeof paths)[number] | 'bearer', Client>
let makeAuthClient: (path: (typeof authPaths)[number], secret: string) => Client
let server: TestServer
let other: TestServer
// The run and the two `params` segments of each request the server got (`/p/{token}/{seg}/<route>`):
// a hung request of an earlier run may arrive late.
const segments: string[][] = []
let run = 0
// What the innermost middleware saw of each request (copies made by retry, timeout and trace).
const seenByMiddleware: string[] = []
const spy: Middleware = async function spy(request, next) {
  seenByMiddleware.push(inspect(request, { depth: 8 }), JSON.stringify(request))
  return next(request)
}
// A custom fetch whose error names the URL, as node-fetch's does: its cause must come out scrubbed.
const nodeFetchLike = async (input: URL | string | Request): Promise<Response> => {
  const url = input instanceof Request ? input.url : String(input)
  const reason = Object.assign(new Error(`connect ECONNREFUSED (${url})`), { code: 'ECONNREFUSED', url })
  throw Object.assign(new TypeError(`request to ${url} failed, reason: connect ECONNREFUSED`, { cause: reason }), {
    type: 'system',
    code: 'ECONNREFUSED',
    errors: [reason],
  })
}

beforeAll(async () => {
  provider.register()
  let flaky = 0
  other = await startServer({ json: { landed: true } })
  server = await startServer((req, res, seen) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const params = /^\/p\/([^/]*)\/([^/]*)(\/.*)$/.exec(url.pathname)
    if (params) segments.push([String(req.headers['x-run']), params[1] ?? '', params[2] ?? ''])
    const path = params?.[3] ?? url.pathname
    if (path === '/redirect-loop') return void res.writeHead(302, { location: `/redirect-loop${url.search}` }).end()
    if (path === '/cross-origin') return void res.writeHead(302, { location: `${other.url}/landed` }).end()
    if (path.startsWith('/token')) return issueToken(path, req.headers.authorization, seen.body.toString(), res)
    if (path === '/bearer' && !req.headers.authorization?.endsWith('-fresh')) return void res.writeHead(401).end()
    if (path === '/hang') return
    if (path === '/flaky' && flaky++ % 2 === 0) return void res.writeHead(503).end()
    const status = path === '/fail' ? 500 : 200
    // The answer carries the secret too, under a secret key: logged bodies must hide it.
    res
      .writeHead(status, { 'content-type': 'application/json' })
      .end(JSON.stringify({ ok: status === 200, access_token: req.headers['x-api-key'] }))
  })
  const pipeline = () => [
    retry({ maxRetries: 1, sleep: async () => {} }),
    timeout(30),
    trace({ meterProvider }),
    log({ logger: logs.logger, bodies: true }),
    spy,
  ]
  const make = (baseURL: string) => createClient({ baseURL, middleware: pipeline() })
  for (const path of paths) clients[path] = make(server.url)
  clients.network = make(`http://127.0.0.1:${await refusedPort()}`)
  clients.customFetch = createClient({ baseURL: server.url, middleware: pipeline(), fetch: nodeFetchLike })
  clients.redirectLoop = createClient({ baseURL: server.url, middleware: pipeline(), maxRedirects: 2 })
  const getToken = (hint?: unknown) => (hint ? `${bearerValue}-fresh` : bearerValue)
  clients.bearer = createClient({ baseURL: server.url, middleware: [bearer({ getToken }), ...pipeline()] })
  makeAuthClient = (path, secret) =>
    path === 'sigv4'
      ? createClient({
          baseURL: server.url,
          middleware: [
            ...pipeline().slice(0, -1),
            sigv4({
              service: 'execute-api',
              region: 'us-east-1',
              credentials: { accessKeyId: 'AKIDLEAK', secretAccessKey: secret, sessionToken: secret },
            }),
            spy,
          ],
        })
      : createClient({
          baseURL: server.url,
          middleware: [
            oauth2({
              tokenURL: `${server.url}/${path === 'oauth2Refused' ? 'token-refused' : 'token'}`,
              clientId: 'leak-test',
              clientSecret: secret,
              clientAuth: path === 'oauth2Body' ? 'body' : 'basic',
            }),
            ...pipeline(),
          ],
        })
})

/** The leak server's token endpoint: it issues a token holding the secret, or refuses, echoing it. */
function issueToken(path: string, authorization: string | undefined, body: string, res: ServerResponse): void {
  const form = new URLSearchParams(body)
  const basic = authorization ? Buffer.from(authorization.slice(6), 'base64').toString() : ''
  const secret = form.get('client_secret') ?? decodeURIComponent(basic.slice(basic.indexOf(':') + 1).replace(/\+/g, ' '))
  const answer =
    path === '/token-refused'
      ? { error: 'invalid_client', error_description: `unknown secret ${secret}` }
      : { access_token: `${secret}-at`, token_type: 'Bearer', expires_in: 3600 }
  res.writeHead(path === '/token-refused' ? 401 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(answer))
}

afterAll(async () => {
  await Promise.all(Object.values(clients).map((c) => c.close()))
  await server.close()
  await other.close()
  await provider.shutdown()
  otel.disable()
  context.disable()
  propagation.disable()
})

const secret = fc.stringMatching(/^[A-Za-z0-9_.~-]{10,24}$/).map((s) => `Zq${s}`)
const headerName = fc.constantFrom(
  'authorization',
  'x-api-key',
  'cookie',
  'x-auth-token',
  'proxy-authorization',
  'x-client-secret',
  'api-key',
)
const queryName = fc.constantFrom(
  'access_token',
  'secret',
  'appsecret',
  'sig',
  'signature',
  'client_secret',
  'refresh_token',
  'code',
  'api_key',
  'password',
)
const bodyKey = fc.constantFrom('password', 'client_secret', 'token', 'apiKey', 'refresh_token', 'signature')
// Path values made of what could break out of a segment: a secret one (always with a solid part,
// so it may or may not be refused) and a plain one (which may be only dots).
const PIECES = ['.', '..', '/', '\\', '%2e', '%2E', '%2F', '\uFF0E', '\u2025', 'é', '🥴', ' ', '?', '#', '%']
const pathPieces = fc.array(fc.constantFrom(...PIECES), { maxLength: 4 }).map((pieces) => pieces.join(''))
const paramSecret = fc
  .tuple(secret, pathPieces, pathPieces, fc.nat(3))
  .map(([value, before, after, n]) => `${n === 0 ? before : ''}${value}${after}`)
const plainSegment = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('.', '..', '%2e%2E', '\uFF0E\uFF0E', '', '/') },
  { weight: 12, arbitrary: pathPieces.map((pieces) => `s${pieces}`) },
)

it(`no secret reaches a log, span, metric, error, response or request as printed, over ${RUNS} random runs`, async () => {
  const seen = new Set<string>()
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...paths, ...authPaths),
      secret,
      headerName,
      queryName,
      bodyKey,
      fc.boolean(),
      paramSecret,
      plainSegment,
      async (path, value, header, query, key, userinfo, token, seg) => {
        seen.add(value)
        seen.add(token)
        logs.lines.length = 0
        seenByMiddleware.length = 0
        run++
        exporter.reset()
        const auth = path !== 'bearer' && (authPaths as readonly string[]).includes(path)
        const client = auth ? makeAuthClient(path as (typeof authPaths)[number], value) : clients[path as keyof typeof clients]
        bearerValue = value
        const route = {
          ...{ ok: '/ok', fail: '/fail', network: '/ok', timeout: '/hang', retry: '/flaky', customFetch: '/ok' },
          ...{ redirectLoop: '/redirect-loop', crossOrigin: '/cross-origin' },
          ...{ bearer: '/bearer', oauth2: '/ok', oauth2Body: '/ok', oauth2Refused: '/ok', sigv4: '/ok' },
        }[path]
        const template = `/p/{${query}}/{seg}${route}`
        const target = userinfo ? `${client.baseURL.origin.replace('//', `//u:${value}@`)}${template}` : template
        let response: ClientResponse | undefined
        const error = await client
          .post(target, {
            params: { [query]: token, seg },
            headers: { [header]: value, 'x-api-key': value, 'idempotency-key': 'k', 'x-run': run },
            query: { [query]: value, page: 1 },
            json: { user: 'ada', [key]: value, nested: { password: value } },
          })
          .then(
            (r) => void (response = r),
            (e: unknown) => e,
          )
        if (auth) await client.close()
        // What a caller may print of the answer, or of the error's (non-enumerable) response.
        const answer = response ?? (error as { response?: ClientResponse } | undefined)?.response
        const outputs = [
          JSON.stringify(logs.lines),
          JSON.stringify(
            exporter.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })),
          ),
          error instanceof Error
            ? [
                error.message,
                error.stack,
                JSON.stringify(error),
                inspect(error, { depth: 8 }),
                inspect(error, { depth: 8, showHidden: true }),
              ].join('\n')
            : String(error),
          answer ? [inspect(answer, { depth: 8 }), JSON.stringify(answer)].join('\n') : '',
          seenByMiddleware.join('\n'),
          // What the other origin was sent: method, URL, headers and body.
          JSON.stringify(other.seen.splice(0).map((seen) => ({ ...seen, body: seen.body.toString() }))),
        ]
        for (const text of outputs) {
          expect(text.includes(value), `${path}: leaked in ${text.slice(0, 300)}`).toBe(false)
          for (const form of [token, encodeURIComponent(token)])
            expect(text.includes(form), `${path}: param leaked in ${text.slice(0, 300)}`).toBe(false)
        }
        // The path values: refused before anything was sent, or each in its own segment, exactly.
        const ours = segments.filter(([at]) => at === String(run)).map(([, ...sent]) => sent.map(decodeURIComponent))
        if (isValidationError(error) && error.status === undefined) expect(ours).toEqual([])
        else for (const sent of ours) expect(sent).toEqual([token, seg])
        if (response) expect(ours.length).toBeGreaterThan(0) // answered: the server got it where it belongs
      },
    ),
    { numRuns: RUNS },
  )
  const { resourceMetrics } = await reader.collect()
  const metricText = JSON.stringify(
    resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.flatMap((m) => m.dataPoints.map((p) => p.attributes))),
  )
  for (const value of seen) expect(metricText.includes(value)).toBe(false)
  expect(server.seen.length).toBeGreaterThan(RUNS / 3) // the runs really went over the network
}, 120_000)

// Signing: createWeChatPayClient (public-key mode, against the fake of test/helpers/wechatpay.ts)
// and createAlipayClient (against test/helpers/fake-alipay.ts), under retry(), trace() and log()
// with bodies. Whatever RSA private key signs (PKCS#8 or PKCS#1, PEM or bare base64), whatever the
// APIv3 key and the app auth token, none of them shows in any encoding — the PEM, its base64 body,
// any 32-character run (across line breaks too) of its DER as base64, base64url or hex, or of its
// JWK private members; the APIv3 key and the token raw, percent-encoded, base64 or hex — in a log
// line, a span, an answer, an error (message, stack, JSON, inspect, causes), or the clients as
// printed: on answers that verify, on a 503 retried (signed again), on a tampered answer
// (SignatureError) and on a callback that does not decrypt (the fake seals it under its own APIv3
// key, not the generated one). The check itself is checked first: each form it looks for, planted
// in a line, is found.

const SIGN_RUNS = 25
const WINDOW = 32
type PoolKey = KeyPair & { windows: ReadonlySet<string> }
// RSA-2048 keys are slow to make: a pool of three, made once, for fast-check to pick from.
let rsaPool: PoolKey[] = []
let wechatpay: Awaited<ReturnType<typeof startFakeWeChatPay>>
let alipay: { good: FakeAlipay; tampered: FakeAlipay }
let merchantPublicKey = ''
const alipayAppPublicKey = alipayKeys.appPublicKey
const REASON = { body: 'signature', serial: 'serial', stale: 'clock', probe: 'probe' } as const

/** Every `WINDOW`-character run of `text`. */
const windowsOf = (text: string): string[] =>
  Array.from({ length: Math.max(0, text.length - WINDOW + 1) }, (_, i) => text.slice(i, i + WINDOW))

/**
 * Every 32-character run of the private key's encodings (PKCS#8 and PKCS#1 DER as base64,
 * base64url and hex; the JWK's private members) that its public key's encodings do not also hold:
 * the modulus is public, and the public key may be printed.
 */
function keyWindows(pem: string): Set<string> {
  const key = createPrivateKey(pem)
  const pub = createPublicKey(key)
  const encodings = (der: Buffer) => [
    der.toString('base64'),
    der.toString('base64url'),
    der.toString('hex'),
    der.toString('hex').toUpperCase(),
  ]
  const jwk = key.export({ format: 'jwk' })
  const secret = [
    ...encodings(key.export({ type: 'pkcs8', format: 'der' })),
    ...encodings(key.export({ type: 'pkcs1', format: 'der' })),
    ...[jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi].map(String),
  ]
  const open = [
    ...encodings(pub.export({ type: 'spki', format: 'der' })),
    ...encodings(pub.export({ type: 'pkcs1', format: 'der' })),
    ...[pub.export({ format: 'jwk' }).n].map(String),
  ]
  const known = new Set(open.flatMap(windowsOf))
  return new Set(secret.flatMap(windowsOf).filter((run) => !known.has(run)))
}

type Secrets = { key: ReadonlySet<string>; forms: ReadonlyArray<readonly [name: string, form: string]> }

/**
 * What of `secrets` `text` holds, named, or undefined. The key's runs are looked for in the text
 * as it is and with its line breaks (raw or escaped, as JSON and inspect write them) taken out: a
 * slice of the PEM that spans lines is a run of its base64 body.
 */
function leakIn(text: string, secrets: Secrets): string | undefined {
  for (const [name, form] of secrets.forms) if (text.includes(form)) return `${name} (${form})`
  for (const joined of [text, text.replace(/\\[rn]|[\r\n]/g, '')]) {
    for (let i = 0; i + WINDOW <= joined.length; i++) {
      if (secrets.key.has(joined.slice(i, i + WINDOW))) return `the private key (${joined.slice(i, i + WINDOW)})`
    }
  }
  return undefined
}

/** The APIv3 key's and the token's forms, and the key's runs. */
function secretsOf(key: PoolKey, apiV3Key: string, appAuthToken: string): Secrets {
  const hex = Buffer.from(apiV3Key).toString('hex')
  const forms = [
    ...[...formsOf(apiV3Key), hex, hex.toUpperCase()].map((form) => ['the APIv3 key', form] as const),
    ...formsOf(appAuthToken).map((form) => ['the app auth token', form] as const),
  ]
  return { key: key.windows, forms }
}

/** Everything a caller may print of `value`: as JSON, inspected (hidden fields too), an error's message and stack. */
const printed = (value: unknown): string[] => [
  ...(value instanceof Error ? [value.message, String(value.stack)] : []),
  JSON.stringify(value) ?? '',
  inspect(value, { depth: 8 }),
  inspect(value, { depth: 8, showHidden: true }),
]

/** The pipeline around each signer (which is always innermost): retry, trace, log with bodies. */
const signingPipeline = (): Middleware[] => [
  retry({ maxRetries: 1, sleep: async () => {} }),
  trace({ meterProvider }),
  log({ logger: logs.logger, bodies: true }),
]

type SignInput = { key: number; apiV3Key: string; appAuthToken: string; tamper: Tamper; busy: boolean; alipayForm: number }

/**
 * WeChat Pay: an order, a query (after a 503, so retried and signed again, when `busy`), a tampered
 * answer and a callback that does not decrypt. Returns what a caller may print.
 */
async function wechatpayCalls(input: SignInput, n: number): Promise<unknown[]> {
  const pair = rsaPool[input.key] as PoolKey
  wechatpay.merchant.publicKey = pair.publicKey // the fake checks each request with it
  wechatpay.state.checked.length = 0
  await using pay = createWeChatPayClient({
    ...{ mchid: wechatpay.mchid, serialNo: wechatpay.serialNo, privateKey: pair.privateKey, apiV3Key: input.apiV3Key },
    ...{ publicKey: wechatpay.publicKey, baseURL: wechatpay.url, middleware: signingPipeline() },
  })
  const json = { mchid: wechatpay.mchid, out_trade_no: `T-${n}`, description: 'leak', amount: { total: 1 } }
  const order = await pay.client.post('/v3/pay/transactions/native', { json })
  if (input.busy) wechatpay.state.failFirst.push(503)
  const query = await pay.client.get('/v3/pay/transactions/out-trade-no/{no}', {
    params: { no: `T-${n}` },
    query: { mchid: wechatpay.mchid },
  })
  wechatpay.state.tamper = input.tamper
  const tampered = await pay.client.post('/v3/pay/transactions/native', { json }).catch((e: unknown) => e)
  const callback = wechatpay.notification({ out_trade_no: `T-${n}`, trade_state: 'SUCCESS' })
  const undecryptable = await pay.parseNotification(callback.headers, callback.body).catch((e: unknown) => e)
  expect(query.status).toBe(200)
  expect(tampered).toMatchObject({ code: 'FL_ERR_SIGNATURE', reason: REASON[input.tamper] })
  expect(undecryptable).toMatchObject({ code: 'FL_ERR_SIGNATURE', reason: 'decrypt' })
  // Every attempt reached the fake signed with this run's key; a retried one with a new signature.
  expect(wechatpay.state.checked.map((c) => c.valid)).toEqual(Array(input.busy ? 4 : 3).fill(true))
  expect(new Set(wechatpay.state.checked.map((c) => c.signature)).size).toBe(input.busy ? 4 : 3)
  return [order, query, tampered, undecryptable, pay, pay.client]
}

/** The app's private key as Alipay's users hold it: PKCS#8 or PKCS#1, PEM or bare base64. */
function alipayKeyForm(pem: string, form: number): string {
  const key = createPrivateKey(pem)
  const type = form % 2 === 0 ? 'pkcs8' : 'pkcs1'
  if (form < 2) return key.export({ type, format: 'pem' }) as string
  return (key.export({ type, format: 'der' }) as Buffer).toString('base64')
}

/** Alipay: a trade query on behalf of a merchant (app auth token) that verifies, and one whose answer was tampered with. */
async function alipayCalls(input: SignInput): Promise<unknown[]> {
  const pair = rsaPool[input.key] as PoolKey
  alipayKeys.appPublicKey = createPublicKey(pair.publicKey) // the fake checks each request with it
  const make = (server: FakeAlipay) =>
    createAlipayClient({
      ...{ appId: '2021000000000001', privateKey: alipayKeyForm(pair.privateKey, input.alipayForm) },
      ...{ alipayPublicKey: alipayKeys.alipayPublicKey, baseURL: server.url, middleware: signingPipeline() },
    })
  const [good, tampered] = [make(alipay.good), make(alipay.tampered)]
  const call = (c: typeof good) =>
    c.client.post('/v3/alipay/trade/query', {
      json: { out_trade_no: '6823789339978248' },
      headers: { 'alipay-app-auth-token': input.appAuthToken },
    })
  const verified = await call(good)
  const refused = await call(tampered).catch((e: unknown) => e)
  await Promise.all([good.close(), tampered.close()])
  expect(verified.data).toMatchObject({ trade_status: 'TRADE_SUCCESS' })
  expect(refused).toMatchObject({ code: 'FL_ERR_SIGNATURE', reason: 'signature' })
  expect([alipay.good.checked.at(-1)?.ok, alipay.tampered.checked.at(-1)?.ok]).toEqual([true, true])
  return [verified, refused, good, good.client, tampered, tampered.client]
}

beforeAll(async () => {
  rsaPool = [rsaKeys(), rsaKeys(), rsaKeys()].map((pair) => ({ ...pair, windows: keyWindows(pair.privateKey) }))
  wechatpay = await startFakeWeChatPay({ signWith: 'publicKey' })
  merchantPublicKey = wechatpay.merchant.publicKey // shared by the fakes of this process: put back after
  alipay = { good: await startFakeAlipay(), tampered: await startFakeAlipay({ tamper: true }) }
})

afterAll(async () => {
  await Promise.all([wechatpay.close(), alipay.good.close(), alipay.tampered.close()])
  wechatpay.merchant.publicKey = merchantPublicKey
  alipayKeys.appPublicKey = alipayAppPublicKey
})

it('the signing check finds each form it looks for, planted in a line, and nothing in the public key', () => {
  const pool = rsaPool[0] as PoolKey
  const secrets = secretsOf(pool, `${'k'.repeat(16)}Zq-apiv3-key-012`, '202612BBleaktoken0123456789')
  const der = createPrivateKey(pool.privateKey).export({ type: 'pkcs1', format: 'der' })
  const d = String(createPrivateKey(pool.privateKey).export({ format: 'jwk' }).d)
  const planted = [
    pool.privateKey,
    pool.privateKey.slice(200, 240), // across a line break
    JSON.stringify(pool.privateKey.slice(200, 240)), // across a line break, escaped
    pool.privateKey.split('\n').slice(1, -2).join('').slice(700, 732),
    der.toString('hex').slice(900, 932),
    der.toString('base64url').slice(401, 433),
    d.slice(100, 132),
    Buffer.from(`${'k'.repeat(16)}Zq-apiv3-key-012`).toString('hex'),
    Buffer.from('202612BBleaktoken0123456789').toString('base64').replace(/=+$/, ''),
  ]
  for (const form of planted) expect(leakIn(`{"msg":"signed","at":"${form}"}`, secrets), form).toBeDefined()
  expect(leakIn(`${pool.publicKey}\n${createPublicKey(pool.publicKey).export({ format: 'jwk' }).n}`, secrets)).toBeUndefined()
})

it(`signing: no form of the private key, the APIv3 key or the app auth token reaches a log, span, error, answer or client, over ${SIGN_RUNS} random runs`, async () => {
  const inputs = fc.record({
    key: fc.nat(rsaPool.length - 1),
    apiV3Key: fc.stringMatching(/^[A-Za-z0-9+/=_.~-]{32}$/),
    appAuthToken: fc.stringMatching(/^[A-Za-z0-9]{16,32}$/).map((s) => `202612BB${s}`),
    tamper: fc.constantFrom('body', 'serial', 'stale', 'probe'),
    busy: fc.boolean(),
    alipayForm: fc.nat(3),
  })
  const seen: Secrets[] = []
  let n = 0
  await fc.assert(
    fc.asyncProperty(inputs, async (input) => {
      logs.lines.length = 0
      exporter.reset()
      const values = [...(await wechatpayCalls(input, ++n)), ...(await alipayCalls(input))]
      const spans = exporter.getFinishedSpans()
      expect([logs.lines.length, spans.length].every((count) => count > 0)).toBe(true)
      const texts = [
        JSON.stringify(logs.lines),
        inspect(logs.lines, { depth: 8 }),
        JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status }))),
        ...values.flatMap(printed),
      ]
      const secrets = secretsOf(rsaPool[input.key] as PoolKey, input.apiV3Key, input.appAuthToken)
      seen.push(secrets)
      for (const text of texts) {
        const leak = leakIn(text, secrets)
        expect(leak, `${leak} in ${text.slice(0, 300)}`).toBeUndefined()
      }
    }),
    { numRuns: SIGN_RUNS },
  )
  const { resourceMetrics } = await reader.collect()
  const metricText = JSON.stringify(
    resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.flatMap((m) => m.dataPoints.map((p) => p.attributes))),
  )
  for (const secrets of seen) expect(leakIn(metricText, secrets)).toBeUndefined()
}, 60_000)

// cache(): nothing it stores is a secret. Every secret a call can carry (Authorization, a cookie,
// X-API-Key, a header and a query name that redact() makes secret, a default secret query name,
// userinfo, a redact({ path }) value in the path) and the secrets of the answer (Set-Cookie, a
// token header, on the 200 and on the 304 that refreshes it) stay out of every key, field, entry
// and lock name cache() hands its store, and out of everything Redis holds. The vendor echoes
// nothing of the request; its answers are cacheable (max-age or revalidated by ETag, Vary on the
// secret headers), so each run stores, and then hits or revalidates.

const CACHE_RUNS = { memory: 100, redis: 50 }
const CACHE_KEY = 'leak-test-cache-key-0123456789abcdef'
/** Header-safe, with characters that percent-encoding, form-encoding and base64 change. */
const wideSecret = fc.stringMatching(/^[A-Za-z0-9_.~+=:@!*-]{10,24}$/).map((s) => `Zq${s}`)
const cacheInput = fc.record({
  authorization: wideSecret,
  cookie: wideSecret,
  apiKey: wideSecret,
  pin: wideSecret,
  queryName,
  queryValue: wideSecret,
  customQuery: wideSecret,
  userinfo: fc.option(wideSecret, { nil: undefined }),
  pathSecret: secret,
  issued: fc.tuple(wideSecret, wideSecret),
  fresh: fc.boolean(),
})
type CacheInput = typeof cacheInput extends fc.Arbitrary<infer T> ? T : never

/** Every form a secret could take on the way: raw, percent- and form-encoded, base64 (of it, and as Basic's `u:it`). */
function formsOf(value: string): string[] {
  const b64 = (text: string) => Buffer.from(text).toString('base64').replace(/=+$/, '')
  const forms = [value, encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2)]
  return [...new Set([...forms, b64(value), Buffer.from(value).toString('base64url'), b64(`u:${value}`)])]
}

/** A store that writes down, as text, everything cache() hands `inner`: keys, fields, entries (body decoded), lock names. */
function recording(inner: CacheStore): CacheStore & { texts: string[]; stored: () => number } {
  const texts: string[] = []
  const decoder = new TextDecoder()
  const text = (entry: CacheEntry) => JSON.stringify({ ...entry, body: decoder.decode(entry.body) })
  let stored = 0
  return {
    shared: inner.shared,
    texts,
    stored: () => stored,
    get: (key, field) => (texts.push(key, field), inner.get(key, field)),
    set: (key, field, entries, ttlMs) => {
      stored += entries.length
      texts.push(key, field, ...entries.map(text))
      return inner.set(key, field, entries, ttlMs)
    },
    invalidate: (key) => (texts.push(key), inner.invalidate(key)),
    lock: (name, ttlMs) => (texts.push(name), inner.lock(name, ttlMs)),
  }
}

/** The cache properties' vendor: its own secrets in Set-Cookie and X-Session-Token, never the request's. */
let issued = ''
async function startVendor(): Promise<TestServer> {
  return startServer((req, res) => {
    const fresh = new URL(req.url ?? '/', 'http://x').searchParams.get('fresh') === '1'
    const headers = {
      'cache-control': `private, max-age=${fresh ? 60 : 0}`,
      etag: '"v1"',
      vary: 'Authorization, Cookie, X-API-Key, X-Tenant-Pin, Accept',
      'set-cookie': `sid=${issued}; Path=/; HttpOnly`,
      'x-session-token': issued,
    }
    if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304, headers).end()
    res.writeHead(200, { 'content-type': 'application/json', ...headers }).end('{"ok":true,"items":[1,2,3]}')
  })
}

/**
 * Two GETs of one resource through cache() on `store`: a miss, then a hit (fresh) or a 304
 * revalidation. The library refuses userinfo in a URL, so a middleware before cache() puts it on
 * the request (as one could) and one after takes it off again before it is sent.
 */
async function throughCache(vendor: TestServer, store: CacheStore, input: CacheInput): Promise<ClientResponse[]> {
  const withUserinfo: Middleware = (request, next) => {
    if (input.userinfo === undefined) return next(request)
    const url = new URL(request.url)
    url.username = 'u'
    url.password = input.userinfo
    return next({ ...request, url })
  }
  const withoutUserinfo: Middleware = (request, next) => {
    const url = new URL(request.url)
    url.username = ''
    url.password = ''
    return next({ ...request, url })
  }
  await using client = createClient({
    baseURL: vendor.url,
    headers: { authorization: `Bearer ${input.authorization}`, cookie: `sid=${input.cookie}` },
    middleware: [
      redact({ headers: ['x-tenant-pin'], query: ['tenant_pin'], path: [input.pathSecret] }),
      withUserinfo,
      cache({ store, key: CACHE_KEY }),
      withoutUserinfo,
    ],
  })
  const call = () =>
    client.get('/bot{token}/doc', {
      params: { token: input.pathSecret },
      query: { [input.queryName]: input.queryValue, tenant_pin: input.customQuery, fresh: input.fresh ? 1 : 0, page: 1 },
      headers: { 'x-api-key': input.apiKey, 'x-tenant-pin': input.pin, accept: 'application/json' },
    })
  issued = input.issued[0]
  const first = await call()
  issued = input.issued[1]
  const second = await call()
  expect([first.cache, second.cache]).toEqual(['miss', input.fresh ? 'hit' : 'revalidated'])
  // The answer's own secrets reached the caller: they were there to be stored.
  expect(first.headers.get('x-session-token')).toBe(input.issued[0])
  return [first, second]
}

/** Fails naming the secret and where, when any form of any secret of `input` is in `texts`. */
function expectNoSecret(texts: readonly string[], input: CacheInput, where: string): void {
  const secrets = {
    authorization: input.authorization,
    cookie: input.cookie,
    'x-api-key': input.apiKey,
    'x-tenant-pin': input.pin,
    [input.queryName]: input.queryValue,
    tenant_pin: input.customQuery,
    userinfo: input.userinfo,
    path: input.pathSecret,
    'set-cookie (200)': input.issued[0],
    'set-cookie (304)': input.issued[1],
  }
  for (const [name, value] of Object.entries(secrets)) {
    if (value === undefined) continue
    for (const form of formsOf(value)) {
      const text = texts.find((t) => t.includes(form))
      expect(text, `${name} (${form}) in the ${where}: ${text?.slice(0, 400)}`).toBeUndefined()
    }
  }
}

it(`cache() on the memory store: no secret of the call or the answer is stored, over ${CACHE_RUNS.memory} random runs`, async () => {
  const vendor = await startVendor()
  await fc.assert(
    fc.asyncProperty(cacheInput, async (input) => {
      const memory = createMemoryCacheStore()
      const store = recording(memory)
      await throughCache(vendor, store, input)
      expect(store.stored()).toBeGreaterThan(0)
      expect(memory.entries).toBe(1)
      expectNoSecret(store.texts, input, 'memory store')
    }),
    { numRuns: CACHE_RUNS.memory },
  )
}, 60_000)

it.skipIf(!process.env.REDIS_URL)(
  `cache() on createRedisCacheStore (REDIS_URL): no Redis key or value holds a secret, over ${CACHE_RUNS.redis} random runs`,
  async () => {
    const vendor = await startVendor()
    const redis = new Redis(process.env.REDIS_URL as string)
    let n = 0
    try {
      await fc.assert(
        fc.asyncProperty(cacheInput, async (input) => {
          const prefix = `leaktest${process.pid}-${++n}:`
          const store = recording(createRedisCacheStore({ redis, prefix }))
          await throughCache(vendor, store, input)
          // Everything under the prefix: each key, each hash's fields and values (bodies decoded), each string.
          const texts: string[] = []
          const keys = await redis.keys(`${prefix}*`)
          for (const key of keys) {
            texts.push(key)
            const type = await redis.type(key)
            if (type === 'hash') {
              for (const [field, value] of Object.entries(await redis.hgetall(key))) {
                texts.push(field, value)
                const variants = (JSON.parse(value) as { x: { b: string }[] }).x
                texts.push(...variants.map((v) => Buffer.from(v.b, 'base64').toString()))
              }
            } else texts.push(type, String(await redis.get(key).catch(() => '')))
          }
          if (keys.length > 0) await redis.del(...keys)
          expect(keys.filter((key) => key.startsWith(`${prefix}cache:`))).toHaveLength(1) // Redis really held it
          expect(store.stored()).toBeGreaterThan(0)
          expectNoSecret(store.texts, input, 'calls to the Redis store')
          expectNoSecret(texts, input, "Redis store's keys and values")
        }),
        { numRuns: CACHE_RUNS.redis },
      )
    } finally {
      redis.disconnect()
    }
  },
  60_000,
)
