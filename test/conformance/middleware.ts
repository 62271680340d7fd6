// Middleware, lifecycle, mockFetch and the service clients: what works on fetch alone.
import { type Case, type Context, check, checkError, equal, rejects, SECRET, secretive } from './assert.js'

const key = (): string => Math.random().toString(36).slice(2)
type Hits = { n: number }

export const middleware: Record<string, Case> = {
  async 'retry honours Retry-After'(ctx) {
    const delays: number[] = []
    const retry = ctx.lib.middleware.retry({ onRetry: (event) => delays.push(event.delay), jitter: false })
    await using api = secretive(ctx, [retry])
    const res = await api.get<Hits>('/flaky', { query: { key: key(), fail: 1, after: 1 } })
    equal([res.status, res.data.n, res.request.attempt], [200, 2, 1], '[status, hits, attempt]')
    equal(delays, [1000], 'the delay retry chose (Retry-After: 1)')
  },
  async 'redact() hides an extra query name everywhere'(ctx) {
    const lines: Record<string, unknown>[] = []
    const logger = ctx.lib.createConsola({ level: 5, reporters: [{ log: (entry) => lines.push(entry) }] })
    const { log, redact } = ctx.lib.middleware
    await using api = secretive(ctx, [redact({ query: ['customer'], headers: ['x-customer'] }), log({ logger: logger as never })])
    const error = await rejects(
      api.get('/status', { query: { code: 400, customer: 'alice-7' }, headers: { 'x-customer': 'alice-7' } }),
      '400',
    )
    checkError(error, 'HTTPError', 'FL_ERR_HTTP')
    check(!error.message.includes('alice-7'), `the redacted value shows in the message: ${error.message}`)
    check(lines.length >= 2, `log lines: ${lines.length}`)
    const text = JSON.stringify(lines)
    check(!text.includes('alice-7') && !text.includes(SECRET), `a redacted value shows in the log: ${text.slice(0, 400)}`)
  },
  async 'log() writes request, response and failure lines through consola'(ctx) {
    const lines: Record<string, unknown>[] = []
    const logger = ctx.lib.createConsola({ level: 5, reporters: [{ log: (entry) => lines.push(entry) }] })
    await using api = secretive(ctx, [ctx.lib.middleware.log({ logger: logger as never })])
    await api.get('/echo')
    await rejects(api.get('/status', { query: { code: 503 } }), '503')
    const messages = lines.map((line) => String((line.args as unknown[])[0]).split(' ')[1])
    equal(messages, ['Request:', 'Response:', 'Request:', 'Response:', 'Error:'], 'the lines')
    equal(lines.at(-1)?.error_code, 'FL_ERR_HTTP', 'error_code of the failure line')
    check(!JSON.stringify(lines).includes(SECRET), 'the secret shows in a log line')
  },
  async 'trace() without an SDK: no throw, nothing injected'(ctx) {
    await using api = secretive(ctx, [ctx.lib.middleware.trace()])
    const { data } = await api.get<{ headers: Record<string, string> }>('/echo')
    equal([data.headers.traceparent, data.headers.tracestate], [undefined, undefined], '[traceparent, tracestate]')
  },
  async 'client.health() probes, and reports the breaker'(ctx) {
    await using api = secretive(ctx, [ctx.lib.middleware.health()])
    await api.get('/echo')
    const report = await api.health()
    equal([report.ok, report.status, report.breaker?.state, report.breaker?.calls], [true, 200, 'closed', 1], '[ok, status, state, calls]')
    await using down = secretive(ctx, [], ctx.closedURL)
    const bad = await down.health()
    equal([bad.ok, bad.status], [false, undefined], 'closed port: [ok, status]')
    check(!JSON.stringify(bad).includes(SECRET), 'the secret shows in the report')
  },
  async 'close() waits for the request in flight, then rejects new ones'(ctx) {
    const api = secretive(ctx)
    const order: string[] = []
    const slow = api.get('/slow', { query: { ms: 150 } }).then(() => order.push('request done'))
    await new Promise((resolve) => setTimeout(resolve, 30))
    await api.close().then(() => order.push('closed'))
    await slow
    equal(order, ['request done', 'closed'], 'order')
    checkError(await rejects(api.get('/echo'), 'after close()'), 'ClientClosedError', 'FL_ERR_CLOSED')
    await api.close() // idempotent
  },
  async 'await using closes the client at the end of the block'(ctx) {
    check(typeof Symbol.asyncDispose === 'symbol', 'Symbol.asyncDispose is missing')
    let escaped: ReturnType<typeof secretive> | undefined
    {
      await using api = secretive(ctx)
      escaped = api
      await api.get('/echo')
    }
    checkError(await rejects(escaped.get('/echo'), 'after the block'), 'ClientClosedError', 'FL_ERR_CLOSED')
  },
  async 'mockFetch answers from routes and records calls'({ lib }) {
    const fetch = lib.testing.mockFetch({
      'GET /users/{id}': ({ params }) => ({ json: { id: Number(params.id) } }),
      'POST /orders': [503, { status: 201, json: { id: 'o1' } }],
    })
    await using api = lib.core.createClient({
      baseURL: 'https://api.test',
      fetch,
      middleware: [lib.middleware.retry({ delay: 1, methods: ['POST'] })],
    })
    equal((await api.get('/users/{id}', { params: { id: 7 } })).data, { id: 7 }, 'GET data')
    equal((await api.post('/orders', { json: {} })).status, 201, 'POST after a 503')
    equal(fetch.callsTo('POST /orders').length, 2, 'POST calls')
    const error = await rejects(api.get('/nowhere'), 'no route')
    equal([error.code, error.systemCode], ['FL_ERR_NETWORK', 'FL_ERR_MOCK_NO_ROUTE'], '[code, systemCode]')
  },
  async 'WeChat client: token, send, errcode'(ctx) {
    const { createWeChatClient, isWeChatError } = ctx.lib.clients.wechat
    const retry = ctx.lib.middleware.retry({ delay: 1 })
    await using wechat = createWeChatClient({ appId: 'wx1', appSecret: 'wx-app-secret', baseURL: ctx.url, middleware: [retry] })
    equal(await wechat.getAccessToken(), 'tok-wx1', 'token')
    equal(await wechat.sendTemplateMessage({ openid: 'o1', templateId: 'T', data: { a: 'b' } }), { msgid: 4242 }, 'send')
    const error = await rejects(wechat.sendTemplateMessage({ openid: 'blocked', templateId: 'T', data: {} }), 'blocked user')
    check(isWeChatError(error), `not a WeChatError: ${error.name}`)
    equal([error.code, error.errcode], ['FL_ERR_WECHAT', 43004], '[code, errcode]')
    check(!JSON.stringify(error).includes('wx-app-secret') && !error.message.includes('tok-wx1'), 'a secret shows in the error')
  },
  async 'paginate() follows Link: rel="next" through the pipeline, and stops at limit'(ctx) {
    let pages = 0
    const counted: import('fetchline-http').Middleware = (request, next) => {
      pages++
      return next(request)
    }
    await using api = secretive(ctx, [counted])
    const k = key()
    const all: number[] = []
    for await (const item of ctx.lib.core.paginate<number>(api, '/pages', { query: { key: k } })) all.push(item)
    equal([all, pages], [[1, 2, 3, 4, 5, 6, 7], 3], '[items, pages through the pipeline]')
    const some: number[] = []
    for await (const item of ctx.lib.core.paginate<number>(api, '/pages', { query: { key: k }, limit: 4 })) some.push(item)
    equal([some, pages], [[1, 2, 3, 4], 5], 'limit 4: [items, pages] (no third page)')
  },
  async 'oauth2() gets one token for concurrent calls, refreshes once on a 401'(ctx) {
    const { oauth2, isOAuth2Error } = { ...ctx.lib.middleware, ...ctx.lib.core }
    const auth = oauth2({ tokenURL: `${ctx.url}/oauth/token`, clientId: 'conf-client', clientSecret: 'conf-secret' })
    await using api = ctx.lib.core.createClient({ baseURL: ctx.url, middleware: [auth] })
    const first = await Promise.all([1, 2, 3, 4, 5].map(() => api.get<{ token: number }>('/oauth/resource')))
    const token = first[0]?.data.token ?? 0
    equal(
      first.map((r) => r.data.token),
      [token, token, token, token, token],
      'one token for five concurrent calls',
    )
    await api.post('/oauth/revoke')
    equal((await api.get<{ token: number }>('/oauth/resource')).data.token, token + 1, 'a fresh token after the 401')
    const wrong = oauth2({ tokenURL: `${ctx.url}/oauth/token`, clientId: 'conf-client', clientSecret: SECRET })
    await using bad = ctx.lib.core.createClient({ baseURL: ctx.url, middleware: [wrong] })
    const error = await rejects(bad.get('/oauth/resource'), 'a wrong client secret')
    check(isOAuth2Error(error), `not an OAuth2Error: ${error.name}`)
    checkError(error, 'OAuth2Error', 'FL_ERR_OAUTH2')
    equal(error.error, 'invalid_client', 'error')
  },
  async 'example client: schemas and the API key'(ctx) {
    const { createExampleClient } = ctx.lib.clients.example
    await using api = createExampleClient({ apiKey: 'example-key', baseURL: ctx.url, middleware: [] })
    equal((await api.getUser(5)).email, 'u5@example.com', 'getUser')
    equal((await api.listUsers({ page: 2, pageSize: 5 })).page, 2, 'listUsers')
    equal((await api.createUser({ name: 'n', email: 'e' })).id, 99, 'createUser')
    checkError(await rejects(api.getUser(13), 'a user without email'), 'ValidationError', 'FL_ERR_VALIDATION')
  },
  async "core: 'undici' works where undici does, else fails at createClient naming the runtime"(ctx: Context) {
    const make = () => ctx.lib.core.createClient({ baseURL: ctx.url, core: 'undici', pool: { connections: 2 } })
    if (ctx.runtime === 'bun' || ctx.runtime === 'workerd') {
      let message = ''
      try {
        await make().close()
      } catch (error) {
        message = String((error as Error).message)
      }
      check(
        /bun|workers|workerd/i.test(message),
        `expected createClient to throw naming the runtime, got ${message ? `"${message}"` : 'no error'}`,
      )
      return
    }
    await using api = make()
    equal((await api.get<{ method: string }>('/echo')).data.method, 'GET', 'method')
    const error = await rejects(api.get('/hang', { timeout: 100 }), 'hang')
    equal([error.code, error.limit], ['FL_ERR_TIMEOUT', 'attempt'], '[code, limit]')
  },
}
