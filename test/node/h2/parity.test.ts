// What undici's HTTP/2 client gave `pool: { allowH2: true }` that the node:http2 agent of
// src/node/h2/ must keep, on both cores, against an h2-only node:http2 server: TLS failures named
// (tlsFailure), aborts, the pool's headersTimeout, bodies streamed up and down, the server's
// SETTINGS_MAX_CONCURRENT_STREAMS, redirects (followed by src/request/redirect-policy.ts above the
// dispatcher), destroy(). Cases after undici's test/http2.js ("Should handle
// h2 request with body", "Should handle h2 continue", "Should throw if bad allowH2 has been
// passed", "Dispatcher#destroy") and Node's test/parallel/test-http2-client-destroy.js and
// test-http2-max-concurrent-streams.js, in our own words.

import http2, { type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { text } from 'node:stream/consumers'
import { beforeAll, describe, expect, it } from 'vitest'
import { type ClientOptions, createClient, isNetworkError, isTimeoutError, type NetworkError } from '../../../src/index.js'
import { Transport } from '../../../src/node/connect.js'
import { startH2Server, type TestPKI, testPKI } from '../../helpers/tls.js'

let pki: TestPKI
beforeAll(async () => {
  pki = await testPKI()
})

type Handler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void

/** An h2-only server that requires a client certificate signed by the test CA; closed by `await using`. */
async function mutualTLS() {
  const server = http2.createSecureServer({
    ...pki.server,
    allowHTTP1: false,
    requestCert: true,
    rejectUnauthorized: true,
    ca: [pki.ca.cert],
  })
  const sessions = new Set<http2.ServerHttp2Session>()
  server.on('session', (session) => sessions.add(session.on('error', () => {})))
  server.on('stream', (stream) => answer(stream, 'ok'))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `https://127.0.0.1:${port}`,
    [Symbol.asyncDispose]: () => {
      for (const session of sessions) session.destroy()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

async function h2Server(handler: Handler, settings?: http2.Settings) {
  const server = await startH2Server(pki)
  if (settings) server.server.updateSettings(settings)
  server.server.on('stream', handler)
  return server
}

const answer = (stream: ServerHttp2Stream, body: string): void => {
  stream.respond({ ':status': 200, 'content-type': 'text/plain' })
  stream.end(body)
}

/** A body of `size` bytes as a ReadableStream, in 16 KiB chunks. */
function streamed(size: number): ReadableStream<Uint8Array> {
  let left = size
  return new ReadableStream({
    pull(sink) {
      const chunk = new Uint8Array(Math.min(left, 16_384)).fill(98)
      left -= chunk.byteLength
      sink.enqueue(chunk)
      if (left === 0) sink.close()
    },
  })
}

for (const core of ['fetch', 'undici'] as const) {
  describe(`${core} core`, () => {
    const h2 = (url: string, pool: ClientOptions['pool'] = {}, options: Partial<ClientOptions> = {}) =>
      createClient({ baseURL: url, core, pool: { allowH2: true, connect: { ca: pki.ca.cert }, ...pool }, ...options })

    it("an untrusted server certificate fails with tlsFailure 'certificate', neverSent", async () => {
      const server = await h2Server((stream) => answer(stream, 'ok'))
      await using api = createClient({ baseURL: server.url, core, pool: { allowH2: true } })
      const error = await api.post('/pay', { json: {} }).catch((e: unknown) => e as NetworkError)
      expect(isNetworkError(error) && [error.tlsFailure, error.neverSent]).toEqual(['certificate', true])
    })

    it("a server that requires a client certificate fails the call with tlsFailure 'refused'", async () => {
      await using server = await mutualTLS()
      await using api = h2(server.url)
      const error = await api.get('/me').catch((e: unknown) => e as NetworkError)
      expect(isNetworkError(error) && error.tlsFailure).toBe('refused')
    })

    it('an abort while the answer streams in ends the call and cancels the stream', async () => {
      let cancelled = false
      const server = await h2Server((stream) => {
        stream.respond({ ':status': 200 })
        stream.write('part')
        stream.on('close', () => (cancelled = stream.rstCode === http2.constants.NGHTTP2_CANCEL))
      })
      await using api = h2(server.url)
      const controller = new AbortController()
      const res = await api.get<ReadableStream<Uint8Array>>('/drip', { responseType: 'stream', signal: controller.signal })
      const reader = res.data.getReader()
      await reader.read()
      controller.abort()
      await expect(reader.read()).rejects.toBeDefined()
      await expect.poll(() => cancelled).toBe(true)
    })

    it("an answer whose headers take longer than the pool's headersTimeout fails as on HTTP/1.1 (a TimeoutError, limit 'headers')", async () => {
      const server = await h2Server(() => {}) // never answers
      await using api = h2(server.url, { headersTimeout: 100 })
      const error = await api.get('/hang').catch((e: unknown) => e)
      expect(isTimeoutError(error) && [error.limit, error.timeout]).toEqual(['headers', 100])
    })

    it('streams a 2 MiB request body up and a 2 MiB answer down', async () => {
      const size = 2 * 1024 * 1024
      const server = await h2Server(async (stream) => answer(stream, 'c'.repeat((await text(stream)).length)))
      await using api = h2(server.url)
      const res = await api.post<ReadableStream<Uint8Array>>('/echo', { body: streamed(size), responseType: 'stream' })
      expect((await new Response(res.data).arrayBuffer()).byteLength).toBe(size)
    })

    it("keeps to the server's SETTINGS_MAX_CONCURRENT_STREAMS: a burst above it waits, on one connection", async () => {
      let open = 0
      let most = 0
      const server = await h2Server(
        (stream) => {
          most = Math.max(most, ++open)
          setTimeout(() => {
            open--
            answer(stream, 'ok')
          }, 10)
        },
        { maxConcurrentStreams: 2 },
      )
      await using api = h2(server.url)
      const answers = await Promise.all(Array.from({ length: 10 }, () => api.get('/one', { responseType: 'text' })))
      expect(answers.map((res) => res.data)).toEqual(Array(10).fill('ok'))
      expect([most, server.sessions.length]).toEqual([2, 1])
    })

    it('follows a redirect (the redirect policy of both cores) as a second stream on the same connection', async () => {
      const server = await h2Server((stream, headers) => {
        if (headers[':path'] !== '/old') return answer(stream, String(headers[':path']))
        stream.respond({ ':status': 302, location: '/new' })
        stream.end()
      })
      await using api = h2(server.url)
      const res = await api.get('/old', { responseType: 'text' })
      expect([res.status, res.data, server.sessions.length]).toEqual([200, '/new', 1])
    })

    it('destroy() fails the calls in flight and opens no new connection', async () => {
      const server = await h2Server(() => {}) // never answers
      const transport = new Transport({ allowH2: true, connect: { ca: pki.ca.cert } })
      await using api = createClient({ baseURL: server.url, core, dispatcher: transport.agent })
      const call = api.get('/hang').catch((e: unknown) => e)
      await expect.poll(() => server.sessions.length).toBe(1)
      await new Promise((resolve) => setTimeout(resolve, 20))
      await transport.agent.destroy(new Error('going down'))
      expect(isNetworkError(await call)).toBe(true)
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(server.sessions.length).toBe(1)
    })
  })
}
