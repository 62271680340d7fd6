import { describe, expect, it, vi } from 'vitest'
import { startFakeWeChat } from '../../examples/fake-wechat.js'
import { buildApp, createClients } from '../../examples/fastify-app/app.js'
import { loadSettings } from '../../examples/settings.js'
import { isClientClosedError } from '../../src/index.js'

async function setup() {
  const wechat = await startFakeWeChat({ tokenDelayMs: 20 })
  const settings = loadSettings({
    WECHAT_APP_ID: wechat.appId,
    WECHAT_APP_SECRET: wechat.appSecret,
    WECHAT_BASE_URL: wechat.url,
    WECHAT_TEMPLATE_ID: 'TPL-ORDER',
    PAYMENT_API_KEY: 'pk_test_1',
    HTTP_TIMEOUT_MS: '5000',
  })
  const clients = createClients(settings)
  const app = await buildApp(settings, clients)
  return { wechat, clients, app }
}

describe('the Fastify app', () => {
  it('sends a WeChat message through the plugin, one token for concurrent requests', async () => {
    const { wechat, app } = await setup()
    const replies = await Promise.all(
      ['a', 'b', 'c'].map((openid) =>
        app.inject({ method: 'POST', url: '/wechat/send-message', payload: { openid, message: `hello ${openid}` } }),
      ),
    )
    expect(replies.map((r) => r.statusCode)).toEqual([200, 200, 200])
    expect(replies[0]?.json()).toMatchObject({ success: true, result: { msgid: expect.any(Number) } })
    expect(wechat.state.messages.map((m) => m.touser).sort()).toEqual(['a', 'b', 'c'])
    expect(wechat.state.messages[0]).toMatchObject({
      template_id: 'TPL-ORDER',
      data: { content: { value: expect.stringMatching(/^hello /) } },
    })
    expect(wechat.state.tokenFetches).toBe(1)
    await app.close()
    await wechat.close()
  })

  it('closes the clients on shutdown, after in-flight requests finish (real listen)', async () => {
    const { wechat, app, clients } = await setup()
    const address = await app.listen({ port: 0, host: '127.0.0.1' })
    const inflight = fetch(`${address}/wechat/send-message`, {
      method: 'POST',
      // Not keep-alive: Node's server.close() waits for a connection that turns idle after close began.
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ openid: 'x', message: 'late' }),
    })
    await vi.waitFor(() => expect(wechat.state.tokenFetches).toBe(1)) // the handler is mid-call
    expect(clients.has('wechat')).toBe(true)
    await app.close()
    const reply = await inflight
    expect(reply.status).toBe(200)
    expect(wechat.state.messages).toHaveLength(1)
    const error = (() => {
      try {
        clients.get('wechat')
      } catch (e) {
        return e
      }
    })()
    expect(isClientClosedError(error)).toBe(true) // the registry was closed in onClose
    await wechat.close()
  })

  it('validates its input', async () => {
    const { wechat, app } = await setup()
    const reply = await app.inject({ method: 'POST', url: '/wechat/send-message', payload: { openid: 'x' } })
    expect(reply.statusCode).toBe(400)
    expect(wechat.state.sends).toBe(0)
    await app.close()
    await wechat.close()
  })
})

describe('settings', () => {
  it('fails at start-up naming each missing or malformed variable, never its value', () => {
    expect(() => loadSettings({ WECHAT_APP_ID: 'wx1', PAYMENT_API_KEY: 'pk', HTTP_TIMEOUT_MS: 'soon' })).toThrow(
      /^Configuration error: WECHAT_APP_SECRET is required; HTTP_TIMEOUT_MS is malformed \(/,
    )
    expect(() =>
      loadSettings({ WECHAT_APP_ID: 'wx1', WECHAT_APP_SECRET: 's3cr3t', PAYMENT_API_KEY: 'pk', PAYMENT_BASE_URL: 'not a url' }),
    ).toThrow(/PAYMENT_BASE_URL is malformed/)
  })

  it('applies defaults', () => {
    const settings = loadSettings({ WECHAT_APP_ID: 'wx1', WECHAT_APP_SECRET: 's', PAYMENT_API_KEY: 'pk' })
    expect(settings.wechat.baseURL).toBe('https://api.weixin.qq.com')
    expect(settings.http).toEqual({ timeout: 30_000, maxRetries: 3 })
    expect(settings.otelEnabled).toBe(false)
  })
})
