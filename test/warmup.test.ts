// client.warmup(): connections opened before traffic, counted by real node:http, node:https and
// node:http2 servers ('connection' / 'secureConnection' / 'session' events), on both cores.
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import type { Socket } from 'node:net'
import { Agent } from 'undici'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { ClientClosedError, type ClientOptions, createClient } from '../src/index.js'
import { refusedPort, startServer } from './helpers/server.js'
import { stalledPort } from './helpers/stalled.js'
import { startH2Server, startHTTPSServer, testPKI } from './helpers/tls.js'

const pki = await testPKI()
const burst = (api: { get(path: string): Promise<unknown> }, n: number) =>
  Promise.all(Array.from({ length: n }, (_, i) => api.get(`/${i}`)))

/** Sockets this process opens with net.connect / tls.connect, as Node's diagnostics channel tells. */
function clientSockets(): Socket[] {
  const sockets: Socket[] = []
  const onSocket = (message: unknown): void => void sockets.push((message as { socket: Socket }).socket)
  subscribe('net.client.socket', onSocket)
  onTestFinished(() => void unsubscribe('net.client.socket', onSocket))
  return sockets
}

for (const core of ['fetch', 'undici'] as const) {
  describe(`${core} core`, () => {
    const client = (baseURL: string, options: Partial<ClientOptions> = {}) => createClient({ baseURL, core, ...options })

    it('opens the connections before any request, and the first burst opens none', async () => {
      const server = await startServer(200)
      await using api = client(server.url, { pool: { connections: 8 } })
      const report = await api.warmup({ connections: 8 })
      expect(report).toMatchObject({ opened: 8, reused: 0, failed: 0 })
      // The client's connect can finish before the server's 'connection' event runs.
      await vi.waitFor(() => expect(server.sockets.size).toBe(8))
      expect(server.seen).toHaveLength(0)
      await burst(api, 8)
      expect(server.seen).toHaveLength(8)
      expect(server.sockets.size).toBe(8)
    })

    it('does the TLS handshake at warm-up: the burst makes no new one', async () => {
      let handshakes = 0
      const server = await startHTTPSServer(pki.server, (_req, res) => res.end('ok'))
      server.server.on('secureConnection', () => handshakes++)
      await using api = client(server.url, { pool: { connect: { ca: pki.ca.cert } } })
      expect(await api.warmup({ connections: 8 })).toMatchObject({ opened: 8, failed: 0 })
      await vi.waitFor(() => expect(handshakes).toBe(8))
      await burst(api, 8)
      expect(handshakes).toBe(8)
    })

    it('with HTTP/2 opens one connection, which the whole burst then shares', async () => {
      const server = await startH2Server(pki)
      server.server.on('stream', (stream) => stream.respond({ ':status': 200 }, { endStream: true }))
      // connections: 1, as h2 wants: else undici opens one per request made before ALPN is known.
      await using api = client(server.url, { pool: { allowH2: true, connections: 1, connect: { ca: pki.ca.cert } } })
      const report = await api.warmup({ connections: 8 })
      expect(report).toMatchObject({ opened: 1, capped: { requested: 8, limit: 1 } })
      await vi.waitFor(() => expect(server.sessions).toHaveLength(1))
      await burst(api, 8)
      expect(server.sessions).toHaveLength(1)
    })

    it('drops warmed sockets the server closed; requests then connect afresh', async () => {
      const sockets = clientSockets()
      const server = await startServer(200)
      await using api = client(server.url)
      expect(await api.warmup({ connections: 4 })).toMatchObject({ opened: 4 })
      await vi.waitFor(() => expect(server.sockets.size).toBe(4))
      for (const socket of server.sockets) socket.destroy()
      await vi.waitFor(() => expect(sockets.every((socket) => socket.destroyed)).toBe(true))
      await burst(api, 4)
      expect(server.sockets.size).toBe(8)
    })

    it('counts connections already open as reused and opens only the rest', async () => {
      const server = await startServer(200)
      await using api = client(server.url)
      await api.warmup({ connections: 3 })
      expect(await api.warmup({ connections: 5 })).toMatchObject({ opened: 2, reused: 3 })
      await vi.waitFor(() => expect(server.sockets.size).toBe(5))
    })
  })
}

describe('limits', () => {
  it('caps connections at pool.connections and says so', async () => {
    const server = await startServer(200)
    await using api = createClient({ baseURL: server.url, pool: { connections: 4 } })
    const report = await api.warmup({ connections: 8 })
    expect(report).toMatchObject({ opened: 4, capped: { requested: 8, limit: 4, reason: 'pool.connections' } })
    await vi.waitFor(() => expect(server.sockets.size).toBe(4))
    await burst(api, 8)
    expect(server.sockets.size).toBe(4)
  })

  it('opens pool.connections when connections is not given', async () => {
    const server = await startServer(200)
    await using api = createClient({ baseURL: server.url, pool: { connections: 3 } })
    expect(await api.warmup()).toMatchObject({ opened: 3 })
  })

  it('closes warmed sockets no request took after ttl', async () => {
    const server = await startServer(200)
    await using api = createClient({ baseURL: server.url })
    await api.warmup({ connections: 2, ttl: 20 })
    await vi.waitFor(() => expect([...server.sockets].every((socket) => socket.destroyed)).toBe(true))
  })
})

describe('failures', () => {
  it('reports an origin that refuses connections, without throwing', async () => {
    const port = await refusedPort()
    await using api = createClient({ baseURL: `http://127.0.0.1:${port}/v1/secret-tenant?token=t` })
    const report = await api.warmup({ connections: 4 })
    expect(report).toMatchObject({ opened: 0, failed: 4, errors: [{ origin: `http://127.0.0.1:${port}`, code: 'ECONNREFUSED', count: 4 }] })
    expect(JSON.stringify(report)).not.toMatch(/secret|token/)
  })

  it('ends connects still running at timeout and reports them failed', async () => {
    const port = await stalledPort()
    await using api = createClient({ baseURL: `http://127.0.0.1:${port}` })
    const report = await api.warmup({ connections: 2, timeout: 50 })
    expect(report).toMatchObject({ opened: 0, failed: 2, errors: [{ message: 'the warm-up timed out after 50 ms', count: 2 }] })
  })

  it("rejects with the signal's reason when aborted", async () => {
    const port = await stalledPort()
    await using api = createClient({ baseURL: `http://127.0.0.1:${port}` })
    const controller = new AbortController()
    const warming = api.warmup({ connections: 2, signal: controller.signal })
    controller.abort(new Error('shutting down'))
    await expect(warming).rejects.toThrow('shutting down')
  })
})

describe('close', () => {
  it('closes the warmed sockets at once: the server sees them closed', async () => {
    const server = await startServer(200)
    const api = createClient({ baseURL: server.url })
    await api.warmup({ connections: 4, ttl: 60_000 })
    await api.close()
    await vi.waitFor(() => expect([...server.sockets].every((socket) => socket.destroyed)).toBe(true))
  })

  it('rejects with ClientClosedError after close()', async () => {
    const api = createClient({ baseURL: 'http://127.0.0.1:9' })
    await api.close()
    await expect(api.warmup({ connections: 1 })).rejects.toBeInstanceOf(ClientClosedError)
  })

  it('rejects with ClientClosedError when close() comes during the warm-up', async () => {
    const port = await stalledPort()
    const api = createClient({ baseURL: `http://127.0.0.1:${port}` })
    const warming = api.warmup({ connections: 2 })
    await api.close()
    await expect(warming).rejects.toBeInstanceOf(ClientClosedError)
  })
})

describe('options', () => {
  const api = createClient({ baseURL: 'http://127.0.0.1:9' })

  it.each([0, -1, 1.5, '8', Number.NaN])('refuses connections: %s', async (connections) => {
    await expect(api.warmup({ connections: connections as number })).rejects.toThrow(/connections must be a positive integer/)
  })

  it('names the option meant by an unknown key', async () => {
    await expect(api.warmup({ conections: 8 } as never)).rejects.toThrow('did you mean "connections"?')
  })

  it('refuses a signal that is not an AbortSignal and a ttl no timer can hold', async () => {
    await expect(api.warmup({ signal: 'stop' as never })).rejects.toBeInstanceOf(TypeError)
    await expect(api.warmup({ ttl: 2 ** 31 })).rejects.toBeInstanceOf(RangeError)
  })
})

describe('where nothing can be opened', () => {
  it.each([
    ['dispatcher', () => ({ dispatcher: new Agent() })],
    ['proxy', () => ({ proxy: 'http://127.0.0.1:9' })],
    ['fetch', () => ({ fetch: async () => new Response('') })],
  ] as const)('with %s, says why in skipped', async (name, options) => {
    await using api = createClient({ baseURL: 'http://127.0.0.1:9', ...options() })
    const report = await api.warmup({ connections: 4 })
    expect(report).toMatchObject({ opened: 0, failed: 0 })
    expect(report.skipped).toMatch(new RegExp(`^${name}: `))
  })
})
