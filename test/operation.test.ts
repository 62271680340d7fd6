import type { ServerResponse } from 'node:http'
import { describe, expect, it } from 'vitest'
import { ClientClosedError, createClient, createRegistry } from '../src/index.js'
import { startServer } from './helpers/server.js'

/** A server whose first answer waits until the test releases it; `arrived` says it was asked. */
async function gatedServer() {
  let release!: () => void
  let arrived!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  const asked = new Promise<void>((resolve) => (arrived = resolve))
  const server = await startServer([
    (_req, res: ServerResponse) => {
      arrived()
      void gate.then(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"token":"t"}'))
    },
    { json: { sent: true } },
  ])
  return { server, release, asked }
}

for (const core of ['fetch', 'undici'] as const) {
  describe(`client.operation (${core} core)`, () => {
    it('close() waits for the whole operation, and its later requests are still sent', async () => {
      const { server, release, asked } = await gatedServer()
      const api = createClient({ baseURL: server.url, core })
      const order: string[] = []
      const sending = api.operation(async (op) => {
        await op.get('/token')
        const { data } = await op.post('/send', { json: { to: 'ada' } })
        order.push('operation done')
        return data
      })
      await asked
      const closing = api.close().then(() => order.push('closed'))
      release()
      expect(await sending).toEqual({ sent: true })
      await closing
      expect(order).toEqual(['operation done', 'closed'])
      expect(server.seen.map((s) => s.url)).toEqual(['/token', '/send'])
    })

    it('rejects a new operation and an unrelated call after close(), while one operation still runs', async () => {
      const { server, release, asked } = await gatedServer()
      const api = createClient({ baseURL: server.url, core })
      const running = api.operation((op) => op.get('/token'))
      await asked
      const closing = api.close()
      await expect(api.get('/unrelated')).rejects.toBeInstanceOf(ClientClosedError)
      await expect(api.operation((op) => op.get('/late'))).rejects.toBeInstanceOf(ClientClosedError)
      release()
      await running
      await closing
      expect(server.seen.map((s) => s.url)).toEqual(['/token'])
    })
  })
}

describe('client.operation', () => {
  it("the operation's client is a plain caller once the operation ended", async () => {
    const server = await startServer(200)
    const api = createClient({ baseURL: server.url })
    let kept: Parameters<Parameters<typeof api.operation>[0]>[0] | undefined
    await api.operation(async (op) => void (kept = op))
    await api.close()
    await expect(kept?.get('/after')).rejects.toBeInstanceOf(ClientClosedError)
    expect(server.seen).toHaveLength(0)
  })

  it('passes on what the operation returns or throws, and needs a function', async () => {
    const server = await startServer(200)
    await using api = createClient({ baseURL: server.url })
    expect(await api.operation(async () => 42)).toBe(42)
    await expect(api.operation(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    await expect(api.operation('x' as never)).rejects.toThrow('operation needs a function (client) => Promise, got "x"')
  })

  it("a registry's closeAll() waits for operations in flight", async () => {
    const { server, release, asked } = await gatedServer()
    const clients = createRegistry({ api: () => createClient({ baseURL: server.url }) })
    const sending = clients.get('api').operation(async (op) => (await op.get('/token'), (await op.post('/send')).data))
    await asked
    const closing = clients.closeAll()
    release()
    expect(await sending).toEqual({ sent: true })
    await closing
  })
})
