// Egress through a forward proxy (`proxy: URL | 'env'`) and through the caller's own undici
// dispatcher, on both cores, against a real forward proxy (npm `proxy`: absolute-form requests
// and CONNECT tunnels) and real origin servers. Cases follow undici's own proxy suites, in our
// words: test/proxy-agent.js ("use proxy-agent to connect through proxy with basic auth in URL",
// "should throw when proxy does not return 200", "pass ProxyAgent proxy status code error when
// using fetch - #2161") and test/env-http-proxy-agent.js (NO_PROXY bypass).
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { inspect } from 'node:util'
import { createProxy } from 'proxy'
import { generate } from 'selfsigned'
import { Agent, type Dispatcher, MockAgent, ProxyAgent, request as undiciRequest } from 'undici'
import { afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import { createWeChatClient } from '../clients/wechat.js'
import { log } from '../middleware/log.js'
import { retry } from '../middleware/retry.js'
import { type ClientOptions, createClient, isHTTPError, isNetworkError, type NetworkError } from '../src/index.js'
import { checkTransport as checkWebTransport } from '../src/web/transport.js'
import { captureLogs } from './helpers/capture.js'
import { echo, refusedPort, startServer } from './helpers/server.js'

type ProxySeen = { method: string; url: string; headers: IncomingHttpHeaders }

/** A real forward proxy on 127.0.0.1: records every request (absolute form) and CONNECT it gets. */
async function startProxy(authenticate?: (headers: IncomingHttpHeaders) => boolean) {
  const seen: ProxySeen[] = []
  const sockets = new Set<Socket>()
  const open = new Set<Socket>()
  const server = createProxy(createHttpServer())
  server.prependListener('request', (req) => seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers }))
  server.prependListener('connect', (req) => seen.push({ method: 'CONNECT', url: req.url ?? '', headers: req.headers }))
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    open.add(socket)
    socket.on('close', () => open.delete(socket))
  })
  if (authenticate) server.authenticate = (req) => authenticate(req.headers)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  )
  return { url: `http://127.0.0.1:${port}`, port, seen, open }
}

const basic = (user: string, pass: string): string => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`
const SECRET = 's3cr3t-Proxy-pass'
const WRONG = 'wr0ng-Proxy-pass'

/** Everything a caller could see of an error: message, stack, JSON, inspect (causes included). */
function shown(error: unknown): string {
  return [String(error), (error as Error).stack, JSON.stringify(error), inspect(error, { depth: 10, showHidden: true })].join('\n')
}

// A certificate for 127.0.0.1, made once: the HTTPS origin's, trusted by passing it as the CA.
let tls: { cert: string; key: string }
beforeAll(async () => {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  })
  tls = { cert: pems.cert, key: pems.private }
})

/** An HTTPS origin on 127.0.0.1 that echoes the request line it got. */
async function startHttpsOrigin() {
  const server = createHttpsServer(tls, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: req.url, host: req.headers.host }))
  })
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => sockets.add(socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  )
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const ENV_NAMES = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']
const savedEnv = Object.fromEntries(ENV_NAMES.map((name) => [name, process.env[name]]))
afterEach(() => {
  for (const name of ENV_NAMES) {
    if (savedEnv[name] === undefined) delete process.env[name]
    else process.env[name] = savedEnv[name]
  }
})
/** Sets the proxy variables for one test (the others cleared); afterEach restores them. */
function setEnv(values: Record<string, string>): void {
  for (const name of ENV_NAMES) delete process.env[name]
  Object.assign(process.env, values)
}

type Echo = { method: string; url: string; headers: Record<string, string> }

for (const core of ['fetch', 'undici'] as const) {
  describe(`${core} core`, () => {
    const client = (baseURL: string, options: Partial<ClientOptions> = {}) => createClient({ baseURL, core, ...options })

    describe('proxy: URL', () => {
      it('sends plain HTTP to the proxy in absolute form, and the origin answers', async () => {
        const origin = await startServer(echo)
        const proxy = await startProxy()
        await using api = client(origin.url, { proxy: proxy.url })
        const res = await api.get<Echo>('/users/1?page=2')
        expect(res.data).toMatchObject({ method: 'GET', url: '/users/1?page=2' })
        expect(proxy.seen).toMatchObject([{ method: 'GET', url: `${origin.url}/users/1?page=2` }])
        expect(origin.seen[0]?.headers.host).toBe(`127.0.0.1:${origin.port}`)
      })

      it('tunnels HTTPS through CONNECT, trusting the origin by pool.connect.ca', async () => {
        const origin = await startHttpsOrigin()
        const proxy = await startProxy()
        await using api = client(origin, { proxy: proxy.url, pool: { connect: { ca: tls.cert } } })
        const res = await api.get<{ url: string }>('/secure?x=1')
        expect(res.data.url).toBe('/secure?x=1')
        expect(proxy.seen).toMatchObject([{ method: 'CONNECT', url: origin.slice('https://'.length) }])
      })

      it('applies pool.connect to the tunnelled TLS: without the CA the origin is not trusted', async () => {
        const origin = await startHttpsOrigin()
        const proxy = await startProxy()
        await using api = client(origin, { proxy: proxy.url })
        const error = await api.get('/secure').catch((e: unknown) => e)
        expect(isNetworkError(error)).toBe(true)
        expect((error as NetworkError).systemCode).toBe('DEPTH_ZERO_SELF_SIGNED_CERT')
      })

      it('sends the URL credentials to the proxy as Proxy-Authorization, never to the origin', async () => {
        const origin = await startServer(echo)
        const proxy = await startProxy((headers) => headers['proxy-authorization'] === basic('user', SECRET))
        const https = await startHttpsOrigin()
        const url = new URL(proxy.url)
        url.username = 'user'
        url.password = SECRET
        await using api = client(origin.url, { proxy: url.href })
        await using secure = client(https, { proxy: url, pool: { connect: { ca: tls.cert } } })
        const res = await api.get<Echo>('/plain')
        expect(res.data.headers['proxy-authorization']).toBeUndefined()
        await expect(secure.get('/tunnel')).resolves.toMatchObject({ status: 200 })
        expect(proxy.seen.map((s) => s.headers['proxy-authorization'])).toEqual([basic('user', SECRET), basic('user', SECRET)])
      })

      it('fails a CONNECT the proxy refuses with 407 with a NetworkError that says so, without the credentials', async () => {
        const https = await startHttpsOrigin()
        const proxy = await startProxy(() => false)
        const { logger, lines } = captureLogs()
        await using api = client(https, {
          proxy: `http://user:${WRONG}@127.0.0.1:${proxy.port}`,
          pool: { connect: { ca: tls.cert } },
          middleware: [log({ logger })],
        })
        const error = await api.get('/x').catch((e: unknown) => e)
        expect(isNetworkError(error)).toBe(true)
        expect((error as Error).message).toMatch(
          /the proxy refused the CONNECT with 407 Proxy Authentication Required: check the proxy credentials/,
        )
        expect((error as NetworkError).neverSent).toBe(true)
        const everything = `${shown(error)}\n${inspect(lines, { depth: 10 })}\n${inspect(api, { depth: 10, showHidden: true })}`
        expect(everything).not.toContain(WRONG)
        expect(everything).not.toContain(Buffer.from(`user:${WRONG}`).toString('base64'))
        expect(proxy.seen.map((s) => s.method)).toEqual(['CONNECT'])
      })

      it('fails plain HTTP the proxy refuses with 407 with an error naming the proxy, without the credentials', async () => {
        const origin = await startServer(echo)
        const proxy = await startProxy(() => false)
        await using api = client(origin.url, { proxy: `http://user:${WRONG}@127.0.0.1:${proxy.port}` })
        const error = await api.get('/x').catch((e: unknown) => e)
        expect(error).toMatchObject({ name: 'NetworkError', neverSent: true })
        expect((error as Error).message).toMatch(
          /the proxy refused the request with 407 Proxy Authentication Required: check the proxy credentials/,
        )
        expect(shown(error)).not.toContain(WRONG)
        expect(origin.seen).toEqual([])
      })

      it('does not retry a 407: wrong proxy credentials stay wrong (proxyStatus says so)', async () => {
        const origin = await startServer(echo)
        const https = await startHttpsOrigin()
        const proxy = await startProxy(() => false)
        const retried = { count: 0 }
        const middleware = [retry({ maxRetries: 3, delay: 0, jitter: false, onRetry: () => void retried.count++ })]
        const proxyURL = `http://user:${WRONG}@127.0.0.1:${proxy.port}`
        await using plain = client(origin.url, { proxy: proxyURL, middleware })
        await using tunnel = client(https, { proxy: proxyURL, pool: { connect: { ca: tls.cert } }, middleware })
        for (const api of [plain, tunnel]) {
          const error = await api.get('/x').catch((e: unknown) => e)
          expect(error).toMatchObject({ name: 'NetworkError', proxyStatus: 407 })
        }
        expect(retried.count).toBe(0)
        expect(proxy.seen).toHaveLength(2)
      })

      it('fails with a NetworkError when the proxy is down, and retry() sends again', async () => {
        const origin = await startServer(echo)
        const port = await refusedPort()
        let attempts = 0
        await using api = client(origin.url, {
          proxy: `http://user:${SECRET}@127.0.0.1:${port}`,
          middleware: [
            retry({ maxRetries: 2, delay: 0, jitter: false }),
            (request, next) => {
              attempts++
              return next(request)
            },
          ],
        })
        const error = await api.post('/x', { json: {} }).catch((e: unknown) => e)
        expect(error).toMatchObject({ name: 'NetworkError', systemCode: 'ECONNREFUSED', neverSent: true })
        expect(attempts).toBe(3)
        expect(shown(error)).not.toContain(SECRET)
        expect(origin.seen).toEqual([])
      })

      it('closes the proxy agent it made on close()', async () => {
        const origin = await startServer(echo)
        const proxy = await startProxy()
        const api = client(origin.url, { proxy: proxy.url })
        await api.get('/')
        // The kept-alive connection from the client's agent to the proxy is closed.
        expect(proxy.open.size).toBe(1)
        await api.close()
        await expect.poll(() => proxy.open.size).toBe(0)
      })
    })

    describe("proxy: 'env'", () => {
      it('sends through HTTP_PROXY', async () => {
        const origin = await startServer(echo)
        const proxy = await startProxy()
        setEnv({ HTTP_PROXY: proxy.url })
        await using api = client(origin.url, { proxy: 'env' })
        await api.get('/via')
        expect(proxy.seen).toMatchObject([{ method: 'GET', url: `${origin.url}/via` }])
      })

      it('goes straight to an origin NO_PROXY names: the proxy sees nothing', async () => {
        const origin = await startServer(echo)
        const proxy = await startProxy()
        setEnv({ HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, NO_PROXY: `localhost,127.0.0.1:${origin.port}` })
        await using api = client(origin.url, { proxy: 'env' })
        await expect(api.get<Echo>('/direct')).resolves.toMatchObject({ data: { url: '/direct' } })
        expect(proxy.seen).toEqual([])
        expect(origin.seen).toHaveLength(1)
      })

      it('tunnels HTTPS through HTTPS_PROXY (lower-case https_proxy wins, as curl reads it)', async () => {
        const origin = await startHttpsOrigin()
        const proxy = await startProxy()
        setEnv({ https_proxy: proxy.url, HTTPS_PROXY: `http://127.0.0.1:${await refusedPort()}` })
        await using api = client(origin, { proxy: 'env', pool: { connect: { ca: tls.cert } } })
        await expect(api.get('/env')).resolves.toMatchObject({ status: 200 })
        expect(proxy.seen.map((s) => s.method)).toEqual(['CONNECT'])
      })
    })

    describe('dispatcher', () => {
      it("sends through the caller's ProxyAgent and leaves it open after close()", async () => {
        const origin = await startServer(echo)
        const proxy = await startProxy()
        const agent = new ProxyAgent({ uri: proxy.url, proxyTunnel: false })
        onTestFinished(() => agent.close())
        const api = client(origin.url, { dispatcher: agent })
        await api.get('/one')
        await api.close()
        expect(isClosed(agent)).toBe(false)
        const { statusCode, body } = await undiciRequest(`${origin.url}/after`, { dispatcher: agent })
        await body.dump()
        expect(statusCode).toBe(200)
        expect(proxy.seen.map((s) => s.url)).toEqual([`${origin.url}/one`, `${origin.url}/after`])
      })

      it('answers from a MockAgent: no network, and the mock stays usable after close()', async () => {
        const mock = new MockAgent()
        mock.disableNetConnect()
        onTestFinished(() => mock.close())
        const pool = mock.get('https://vendor.test')
        pool
          .intercept({ path: '/v1/items?page=1', method: 'GET' })
          .reply(200, { items: [1, 2] }, { headers: { 'content-type': 'application/json' } })
        pool
          .intercept({ path: '/v1/items?page=2', method: 'GET' })
          .reply(200, { items: [] }, { headers: { 'content-type': 'application/json' } })
        const api = client('https://vendor.test/v1', { dispatcher: mock })
        await expect(api.get('/items', { query: { page: 1 } })).resolves.toMatchObject({ data: { items: [1, 2] } })
        await api.close()
        const again = client('https://vendor.test/v1', { dispatcher: mock })
        await expect(again.get('/items', { query: { page: 2 } })).resolves.toMatchObject({ data: { items: [] } })
        mock.assertNoPendingInterceptors()
      })

      it('sends through a composed dispatcher: its interceptors run', async () => {
        const origin = await startServer(echo)
        const base = new Agent()
        onTestFinished(() => base.close())
        const stamped = base.compose(
          (dispatch) =>
            function stamp(options, handler) {
              return dispatch({ ...options, headers: withHeader(options.headers, 'x-egress', 'gateway-7') }, handler)
            },
        )
        await using api = client(origin.url, { dispatcher: stamped })
        const res = await api.get<Echo>('/composed')
        expect(res.data.headers['x-egress']).toBe('gateway-7')
      })

      it("close() waits for this client's request in flight, then resolves without closing the dispatcher", async () => {
        let answer: (() => void) | undefined
        const origin = await startServer((req, res) => {
          answer = () => res.writeHead(200, { 'content-type': 'text/plain' }).end('late')
          if (req.url !== '/slow') answer()
        })
        const agent = new Agent()
        onTestFinished(() => agent.close())
        const api = client(origin.url, { dispatcher: agent })
        const inflight = api.get('/slow', { responseType: 'text' })
        await expect.poll(() => answer).toBeDefined()
        let done = false
        const closing = api.close().then(() => (done = true))
        await new Promise((resolve) => setImmediate(resolve))
        expect(done).toBe(false)
        answer?.()
        await expect(inflight).resolves.toMatchObject({ data: 'late' })
        await closing
        expect(isClosed(agent)).toBe(false)
        await expect(createClient({ baseURL: origin.url, core, dispatcher: agent }).get('/again')).resolves.toMatchObject({ status: 200 })
      })
    })
  })
}

/** undici's `closed` flag of a dispatcher (its types leave it out). */
const isClosed = (dispatcher: Dispatcher): boolean => (dispatcher as unknown as { closed: boolean }).closed

/** `headers` as a dispatcher gets them (a flat array from the undici core, an object from fetch), plus one. */
function withHeader(
  headers: Dispatcher.DispatchOptions['headers'],
  name: string,
  value: string,
): NonNullable<Dispatcher.DispatchOptions['headers']> {
  return Array.isArray(headers) ? [...headers, name, value] : { ...(headers as Record<string, string>), [name]: value }
}

describe('createWeChatClient({ proxy })', () => {
  it('fetches the access token through the fixed-IP egress proxy', async () => {
    const wechat = await startServer({ json: { access_token: 'ACCESS', expires_in: 7200 } })
    const proxy = await startProxy((headers) => headers['proxy-authorization'] === basic('egress', SECRET))
    const client = createWeChatClient({
      appId: 'wx1',
      appSecret: 'APPSECRET',
      baseURL: wechat.url,
      proxy: `http://egress:${SECRET}@127.0.0.1:${proxy.port}`,
    })
    onTestFinished(() => client.close())
    await expect(client.getAccessToken()).resolves.toBe('ACCESS')
    expect(proxy.seen).toHaveLength(1)
    expect(proxy.seen[0]?.url).toMatch(new RegExp(`^${wechat.url}/cgi-bin/token\\?`))
  })
})

describe('options', () => {
  it('refuses an invalid proxy URL, saying what to pass and hiding its credentials', () => {
    expect(() => createClient({ baseURL: 'https://api.test', proxy: `user:${SECRET}@proxy internal:3128` })).toThrow(
      /^proxy must be an http:\/\/ or https:\/\/ URL with a host, such as 'http:\/\/user:pass@proxy.internal:3128', got '\*\*\*@proxy internal:3128'/,
    )
    const error = (() => {
      try {
        createClient({ baseURL: 'https://api.test', proxy: `http://user:${SECRET}@proxy internal:3128` })
      } catch (e) {
        return e as Error
      }
    })()
    expect(error?.message).toMatch(
      /^proxy must be an absolute http\(s\) URL such as .*, got 'http:\/\/\*\*\*@proxy internal:3128', which is not a URL$/,
    )
    expect(shown(error)).not.toContain(SECRET)
    expect(() => createClient({ baseURL: 'https://api.test', proxy: 'socks5://127.0.0.1:1080' })).toThrow(/pass your own dispatcher/)
    expect(() => createClient({ baseURL: 'https://api.test', proxy: 3128 as never })).toThrow(
      /^proxy must be 'env' or the proxy's http\(s\) URL, such as .* \(a string or a URL\), got 3128$/,
    )
  })

  it("refuses a malformed HTTP_PROXY at creation with proxy: 'env', naming the variable, hiding its credentials", () => {
    setEnv({ HTTP_PROXY: `proxy.internal:${SECRET}@3128` })
    const error = (() => {
      try {
        createClient({ baseURL: 'https://api.test', proxy: 'env' })
      } catch (e) {
        return e as Error
      }
    })()
    expect(error?.message).toMatch(/^proxy: 'env' reads HTTP_PROXY, which must be an http:\/\/ or https:\/\/ URL/)
    expect(shown(error)).not.toContain(SECRET)
  })

  it('refuses proxy with dispatcher, dispatcher with pool, either with fetch, and a dispatcher without dispatch()', () => {
    const agent = new Agent()
    onTestFinished(() => agent.close())
    const baseURL = 'https://api.test'
    expect(() => createClient({ baseURL, proxy: 'env', dispatcher: agent })).toThrow(/^proxy and dispatcher cannot be used together/)
    expect(() => createClient({ baseURL, dispatcher: agent, pool: { connections: 2 } })).toThrow(
      /^pool and dispatcher cannot be used together/,
    )
    expect(() => createClient({ baseURL, dispatcher: agent, fetch })).toThrow(/^dispatcher and fetch cannot be used together/)
    expect(() => createClient({ baseURL, proxy: 'env', fetch })).toThrow(/^proxy and fetch cannot be used together/)
    expect(() => createClient({ baseURL, dispatcher: {} as Dispatcher })).toThrow(
      /^dispatcher must be an undici Dispatcher \(an object with a dispatch function\), such as new ProxyAgent/,
    )
    expect(() => createClient({ baseURL, proxy: 'http://127.0.0.1:3128', pool: { connect: () => undefined } as never })).toThrow(
      /^pool.connect cannot be a function with proxy/,
    )
  })

  it('refuses dispatcher and proxy where there is no undici (Workers, Bun, browsers)', () => {
    const agent = new Agent()
    onTestFinished(() => agent.close())
    expect(() => checkWebTransport({ baseURL: 'https://api.test', dispatcher: agent })).toThrow(
      /^dispatcher needs undici, and this runtime has no working one/,
    )
    expect(() => checkWebTransport({ baseURL: 'https://api.test', proxy: 'env' })).toThrow(
      /^proxy needs undici's proxy agents, and this runtime has none/,
    )
  })
})

// A 407 to plain HTTP through a proxy the caller configured with tunnelling on (undici's default):
// the same CONNECT refusal, from the caller's own ProxyAgent.
describe("the caller's ProxyAgent refused with 407", () => {
  it('is a NetworkError that says the proxy refused the CONNECT', async () => {
    const origin = await startServer(echo)
    const proxy = await startProxy(() => false)
    const agent = new ProxyAgent(proxy.url)
    onTestFinished(() => agent.close())
    const error = await createClient({ baseURL: origin.url, dispatcher: agent })
      .get('/')
      .catch((e: unknown) => e)
    expect(isNetworkError(error)).toBe(true)
    expect(isHTTPError(error)).toBe(false)
    expect((error as Error).message).toMatch(/refused the CONNECT with 407/)
  })
})
