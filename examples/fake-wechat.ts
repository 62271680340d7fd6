import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export type FakeWeChatOptions = { appId?: string; appSecret?: string; expiresIn?: number; tokenDelayMs?: number }

/**
 * A local stand-in for api.weixin.qq.com that behaves like it: errors are HTTP 200 with an
 * `errcode`; every token fetch issues a new token and revokes the previous one (as WeChat does),
 * so a client that refreshes carelessly breaks its neighbours.
 */
export async function startFakeWeChat(options: FakeWeChatOptions = {}) {
  const appId = options.appId ?? 'wx-demo-app'
  const appSecret = options.appSecret ?? 'demo-app-secret-value'
  let current: { token: string; expires: number } | undefined
  const state = { tokenFetches: 0, sends: 0, messages: [] as Array<Record<string, unknown>>, busy: 0, nextErrcode: 0 }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://wechat.local')
    let raw = ''
    req.on('data', (chunk) => (raw += chunk))
    req.on('end', () => {
      const reply = (body: unknown): void => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
      if (req.method === 'GET' && url.pathname === '/cgi-bin/token') {
        state.tokenFetches++
        if (url.searchParams.get('appid') !== appId || url.searchParams.get('secret') !== appSecret) {
          return reply({ errcode: 40125, errmsg: 'invalid appsecret' })
        }
        const token = `tok-${state.tokenFetches}-${randomBytes(12).toString('hex')}`
        const expiresIn = options.expiresIn ?? 7200
        current = { token, expires: Date.now() + expiresIn * 1000 }
        return void setTimeout(() => reply({ access_token: token, expires_in: expiresIn }), options.tokenDelayMs ?? 5)
      }
      if (req.method === 'POST' && url.pathname === '/cgi-bin/message/template/send') {
        state.sends++
        const token = url.searchParams.get('access_token')
        if (!current || token !== current.token)
          return reply({ errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' })
        if (Date.now() >= current.expires) return reply({ errcode: 42001, errmsg: 'access_token expired' })
        if (state.busy > 0) {
          state.busy--
          return reply({ errcode: -1, errmsg: 'system error' })
        }
        if (state.nextErrcode) {
          const errcode = state.nextErrcode
          state.nextErrcode = 0
          return reply({ errcode, errmsg: 'require subscribe' })
        }
        const message = JSON.parse(raw) as Record<string, unknown>
        state.messages.push(message)
        return reply({ errcode: 0, errmsg: 'ok', msgid: 1000 + state.messages.length })
      }
      res.writeHead(404).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    appId,
    appSecret,
    state,
    /** The current token stops working, as if it expired. */
    expireToken: () => void (current && (current.expires = 0)),
    /** Another party fetched a token: ours is revoked. */
    revokeToken: () => void (current = { token: 'someone-else', expires: Date.now() + 7_200_000 }),
    /** The next n sends answer errcode -1 (system busy). */
    beBusy: (n: number) => void (state.busy = n),
    /** The next send answers this errcode. */
    failNext: (errcode: number) => void (state.nextErrcode = errcode),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
