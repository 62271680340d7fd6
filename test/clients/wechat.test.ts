import { inspect } from 'node:util'
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { describe, expect, it } from 'vitest'
import { createWeChatClient, isWeChatError, WeChatError } from '../../clients/wechat.js'
import { startFakeWeChat } from '../../examples/fake-wechat.js'
import { ClientClosedError, createMemoryTokenStore, recommended, type TokenStore } from '../../index.js'
import { captureLogs } from '../helpers/capture.js'

const exporter = new InMemorySpanExporter()
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] })

async function setup(options: Parameters<typeof startFakeWeChat>[0] = {}) {
  const wechat = await startFakeWeChat(options)
  const logs = captureLogs(5)
  exporter.reset()
  const client = createWeChatClient({
    appId: wechat.appId,
    appSecret: wechat.appSecret,
    baseURL: wechat.url,
    middleware: recommended({
      log: { logger: logs.logger, bodies: true },
      trace: { tracerProvider },
      retry: { sleep: async () => {}, shouldRetry: (c) => (isWeChatError(c.error) && c.error.errcode === -1 ? true : undefined) },
    }),
  })
  return { wechat, client, logs, [Symbol.asyncDispose]: async () => (await client.close(), await wechat.close()) }
}
const message = {
  openid: 'o-user-1',
  templateId: 'TPL-1',
  data: { content: 'Your order shipped', amount: { value: '¥12.00', color: '#173177' } },
}

describe('createWeChatClient', () => {
  it('sends a template message in WeChat shape', async () => {
    await using t = await setup()
    expect(await t.client.sendTemplateMessage({ ...message, url: 'https://shop.example/o/1' })).toEqual({ msgid: 1001 })
    expect(t.wechat.state.messages[0]).toEqual({
      touser: 'o-user-1',
      template_id: 'TPL-1',
      url: 'https://shop.example/o/1',
      data: { content: { value: 'Your order shipped' }, amount: { value: '¥12.00', color: '#173177' } },
    })
  })

  it('fetches one token for 20 concurrent sends', async () => {
    await using t = await setup({ tokenDelayMs: 50 })
    await Promise.all(Array.from({ length: 20 }, () => t.client.sendTemplateMessage(message)))
    expect(t.wechat.state.tokenFetches).toBe(1)
    expect(t.wechat.state.messages).toHaveLength(20)
  })

  it('refreshes before expiry: a token with little life left is fetched again', async () => {
    // expires_in 301 s with a 300 s margin: cached for ~1 s only.
    await using t = await setup({ expiresIn: 301 })
    await t.client.sendTemplateMessage(message)
    await t.client.sendTemplateMessage(message)
    expect(t.wechat.state.tokenFetches).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 1_100))
    await t.client.sendTemplateMessage(message)
    expect(t.wechat.state.tokenFetches).toBe(2)
  })

  it('on 40001 refreshes the token once and replays the call once', async () => {
    await using t = await setup()
    await t.client.sendTemplateMessage(message)
    t.wechat.revokeToken()
    expect(await t.client.sendTemplateMessage(message)).toEqual({ msgid: 1002 })
    expect(t.wechat.state.tokenFetches).toBe(2)
    expect(t.wechat.state.sends).toBe(3)
  })

  it('a send that recovered by refresh and replay logs nothing at error; its first try is a warn line', async () => {
    await using t = await setup()
    await t.client.getAccessToken()
    t.wechat.revokeToken()
    expect(await t.client.sendTemplateMessage(message)).toEqual({ msgid: 1001 })
    expect(t.logs.messages('error')).toEqual([])
    expect(t.logs.messages('warn')).toEqual([
      `API Error: POST ${t.wechat.url}/cgi-bin/message/template/send?access_token=***REDACTED*** - FL_ERR_WECHAT`,
    ])
  })

  it('a replay rejected too is logged at error, once', async () => {
    await using t = await setup()
    await t.client.getAccessToken()
    t.wechat.revokeToken()
    const revokeAlways = setInterval(() => t.wechat.revokeToken(), 1)
    try {
      await expect(t.client.sendTemplateMessage(message)).rejects.toBeInstanceOf(WeChatError)
    } finally {
      clearInterval(revokeAlways)
    }
    expect(t.logs.messages('warn')).toHaveLength(1) // the first try: handled by the replay
    expect(t.logs.messages('error')).toHaveLength(1) // the replay: nobody handles it
  })

  it('on 42001 (expired) refreshes too', async () => {
    await using t = await setup()
    await t.client.getAccessToken()
    t.wechat.expireToken()
    await t.client.sendTemplateMessage(message)
    expect(t.wechat.state.tokenFetches).toBe(2)
  })

  it('does not refresh forever: a token rejected twice rejects with WeChatError', async () => {
    await using t = await setup()
    await t.client.getAccessToken()
    t.wechat.revokeToken()
    const realSend = t.wechat.state
    // every fresh token is revoked at once: the replay is rejected too
    const revokeAlways = setInterval(() => t.wechat.revokeToken(), 1)
    try {
      const error = (await t.client.sendTemplateMessage(message).catch((e: unknown) => e)) as WeChatError
      expect(error).toBeInstanceOf(WeChatError)
      expect([40001, 42001]).toContain(error.errcode)
    } finally {
      clearInterval(revokeAlways)
    }
    expect(realSend.tokenFetches).toBeLessThanOrEqual(2)
    expect(realSend.sends).toBe(2)
  })

  it('rejects other errcodes with WeChatError, without retrying them', async () => {
    await using t = await setup()
    t.wechat.failNext(43004)
    const error = (await t.client.sendTemplateMessage(message).catch((e: unknown) => e)) as WeChatError
    expect(isWeChatError(error)).toBe(true)
    expect(error.errcode).toBe(43004)
    expect(error.errmsg).toBe('require subscribe')
    expect(error.message).toBe('WeChat POST /cgi-bin/message/template/send failed: errcode 43004 (require subscribe)')
    expect(t.wechat.state.sends).toBe(1)
  })

  it('retries errcode -1 (system busy) with backoff', async () => {
    await using t = await setup()
    t.wechat.beBusy(2)
    expect(await t.client.sendTemplateMessage(message)).toEqual({ msgid: 1001 })
    expect(t.wechat.state.sends).toBe(3)
  })

  it('never shows the secret or the token in logs or errors', async () => {
    await using t = await setup()
    await t.client.sendTemplateMessage(message)
    const token = await t.client.getAccessToken()
    t.wechat.failNext(45009)
    const error = await t.client.sendTemplateMessage(message).catch((e: unknown) => e)
    const spans = exporter.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events }))
    expect(spans.length).toBeGreaterThanOrEqual(3)
    const text = [
      JSON.stringify(t.logs.lines),
      JSON.stringify(spans),
      inspect(error, { depth: 6 }),
      JSON.stringify(error),
      String((error as Error).stack),
    ].join('\n')
    expect(text).not.toContain(t.wechat.appSecret)
    expect(text).not.toContain(token)
    expect(text).toContain('access_token=***REDACTED***')
    expect(text).toContain('secret=***REDACTED***')
  })

  it('close() during the token fetch waits for the whole send, which succeeds', async () => {
    await using t = await setup({ tokenDelayMs: 150 })
    const order: string[] = []
    const sending = t.client.sendTemplateMessage(message).then((sent) => (order.push('sent'), sent))
    while (t.wechat.state.tokenFetches === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    const closing = t.client.close().then(() => order.push('closed'))
    expect(await sending).toEqual({ msgid: 1001 })
    await closing
    expect(order).toEqual(['sent', 'closed'])
    expect(t.wechat.state.sends).toBe(1)
    await expect(t.client.sendTemplateMessage(message)).rejects.toBeInstanceOf(ClientClosedError)
  })

  it('a token fetch that starts after close() (slow shared store) still goes out for the send begun before', async () => {
    const wechat = await startFakeWeChat()
    let storeAsked!: () => void
    const asked = new Promise<void>((resolve) => (storeAsked = resolve))
    let answer!: () => void
    const answered = new Promise<void>((resolve) => (answer = resolve))
    const memory = createMemoryTokenStore()
    const tokenStore: TokenStore = { ...memory, get: async (key) => (storeAsked(), await answered, memory.get(key)) }
    const client = createWeChatClient({ appId: wechat.appId, appSecret: wechat.appSecret, baseURL: wechat.url, tokenStore, middleware: [] })
    try {
      const sending = client.sendTemplateMessage(message)
      await asked
      const closing = client.close()
      answer()
      expect(await sending).toEqual({ msgid: 1001 })
      await closing
      expect(wechat.state.tokenFetches).toBe(1)
    } finally {
      await client.close()
      await wechat.close()
    }
  })

  it('needs appId and appSecret', () => {
    expect(() => createWeChatClient({ appId: '', appSecret: 'x' })).toThrow('createWeChatClient needs appId: from the WeChat admin console')
  })
})
