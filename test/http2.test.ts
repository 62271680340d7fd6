// HTTP/2 through `pool: { allowH2: true }` (src/node/h2/), on both cores, against a real
// node:http2 TLS server that speaks only h2. Cases after undici's test/http2.js ("Should support
// H2 connection", "Should handle h2 request with body"), Go's x/net/http2 transport_test.go
// (TestTransportRetryAfterGOAWAY*, TestTransportRetryAfterRefusedStream, TestTransportRetryHasLimit),
// Node's test/parallel/test-http2-server-shutdown-before-respond.js (a GOAWAY with an error code
// fails the stream in flight with the session's error), Bun's test/js/node/http2 "ClientHttp2Session
// GOAWAY allows in-flight requests to complete", gRPC's http2 interop test_goaway.py (the next
// request goes on a new connection) and RFC 9113 §6.8 (GOAWAY: streams at or below its last stream
// id complete, those above were not processed) and §8.7 (REFUSED_STREAM; unprocessed requests may
// be sent again, any method), in our own words. The same against nginx: test/nginx/goaway.test.ts.
import http2, { type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2'
import { text } from 'node:stream/consumers'
import { beforeAll, describe, expect, it } from 'vitest'
import { retry } from '../middleware/retry.js'
import { type ClientOptions, createClient, isNetworkError, isTimeoutError, type NetworkError } from '../src/index.js'
import { MAX_RESENDS } from '../src/node/h2/unprocessed.js'
import { startH2Server, startHTTPSServer, type TestPKI, testPKI } from './helpers/tls.js'

const { NGHTTP2_REFUSED_STREAM, NGHTTP2_INTERNAL_ERROR, NGHTTP2_NO_ERROR } = http2.constants

let pki: TestPKI
beforeAll(async () => {
  pki = await testPKI()
})

type Handler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, hit: number) => void

/** An h2-only server answering by `handler`, and what it saw: sessions and request paths. */
async function h2Server(handler: Handler) {
  const server = await startH2Server(pki)
  const paths: string[] = []
  server.server.on('stream', (stream, headers) => {
    paths.push(String(headers[':path']))
    handler(stream, headers, paths.length)
  })
  return { ...server, paths }
}

function answer(stream: ServerHttp2Stream, body: unknown): void {
  if (stream.closed) return
  stream.respond({ ':status': 200, 'content-type': 'application/json' })
  stream.end(JSON.stringify(body))
}

const json: Handler = (stream, headers, hit) => answer(stream, { hit, path: headers[':path'] })

for (const core of ['fetch', 'undici'] as const) {
  describe(`${core} core`, () => {
    const h2 = (url: string, options: Partial<ClientOptions> = {}) =>
      createClient({ baseURL: url, core, pool: { allowH2: true, connect: { ca: pki.ca.cert } }, ...options })
    const retrying = (retries: NetworkError[]) => retry({ delay: 0, onRetry: (e) => void retries.push(e.error as NetworkError) })

    it('multiplexes concurrent GETs as streams of one session', async () => {
      const server = await h2Server(json)
      await using api = h2(server.url)
      const answers = await Promise.all(['/a', '/b', '/c'].map((path) => api.get<{ path: string }>(path)))
      expect(answers.map((res) => res.data.path)).toEqual(['/a', '/b', '/c'])
      expect(server.sessions.length).toBe(1)
      expect(server.paths.sort()).toEqual(['/a', '/b', '/c'])
    })

    it('sends a JSON body and reads a streamed answer', async () => {
      const server = await h2Server(async (stream) => {
        const body = await text(stream)
        stream.respond({ ':status': 200, 'content-type': 'text/plain' })
        for (const part of ['got ', body, ' in ', 'parts']) stream.write(part)
        stream.end()
      })
      await using api = h2(server.url)
      const res = await api.post<ReadableStream<Uint8Array>>('/echo', { json: { amount: 1 }, responseType: 'stream' })
      expect(await new Response(res.data).text()).toBe('got {"amount":1} in parts')
    })

    it('after a GOAWAY between calls, the next call goes out on a new session', async () => {
      const server = await h2Server(json)
      // retry() covers a next call that races the GOAWAY onto the old connection.
      await using api = h2(server.url, { middleware: [retry({ delay: 0 })] })
      expect((await api.get<{ hit: number }>('/1')).data.hit).toBe(1)
      const first = server.sessions[0] as http2.ServerHttp2Session
      const closed = new Promise((resolve) => first.once('close', resolve))
      first.close() // GOAWAY (NO_ERROR), then the connection ends: a server being redeployed
      await closed
      expect((await api.get<{ path: string }>('/2')).data.path).toBe('/2')
      expect(server.sessions.length).toBe(2)
    })

    it("streams at or below a GOAWAY's last stream id run to their answers, on the same session", async () => {
      const server = await h2Server((stream, headers, hit) => {
        // As nginx does at keepalive_requests: GOAWAY naming the stream it came on as the last.
        if (hit === 3) stream.session?.goaway(NGHTTP2_NO_ERROR, stream.id)
        setTimeout(() => json(stream, headers, hit), 20)
      })
      const retries: NetworkError[] = []
      await using api = h2(server.url, { middleware: [retrying(retries)] })
      const answers = await Promise.all(['/a', '/b', '/c'].map((path) => api.post<{ path: string }>(path, { json: {} })))
      expect(answers.map((res) => res.data.path)).toEqual(['/a', '/b', '/c'])
      expect(retries).toEqual([])
      expect(server.sessions.length).toBe(1)
    })

    it("streams above a GOAWAY's last stream id are sent again on a new session, POSTs too, each processed once", async () => {
      const processed: string[] = []
      const server = await h2Server((stream, headers, hit) => {
        if (hit === 2) stream.session?.goaway(NGHTTP2_NO_ERROR, stream.id)
        // A server does not process the streams above its GOAWAY's last stream id.
        if (hit > 2 && stream.session === server.sessions[0]) return
        processed.push(String(headers[':path']))
        setTimeout(() => json(stream, headers, hit), 10)
      })
      await using api = h2(server.url) // no retry(): the transport sends them again itself
      const paths = ['/1', '/2', '/3', '/4', '/5']
      const answers = await Promise.all(paths.map((path) => api.post<{ path: string }>(path, { json: { path } })))
      expect(answers.map((res) => res.data.path)).toEqual(paths)
      expect(processed.sort()).toEqual(paths)
      expect(server.sessions.length).toBe(2)
    })

    it('a GOAWAY with an error code fails the streams it may have processed and sends again those above its last stream id', async () => {
      const server = await h2Server((stream, headers, hit) => {
        if (hit === 2) stream.session?.goaway(NGHTTP2_INTERNAL_ERROR, 1)
        else if (hit > 2) json(stream, headers, hit)
      })
      await using api = h2(server.url)
      const first = api.post('/first', { json: {} }).then(
        () => undefined,
        (e: unknown) => e as NetworkError,
      )
      while (server.paths.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
      const second = api.post<{ path: string }>('/second', { json: {} })
      const error = await first
      expect(isNetworkError(error) && error.neverSent).toBe(false)
      expect((await second).data.path).toBe('/second')
      expect(server.sessions.length).toBe(2)
    })

    it('a stream reset with REFUSED_STREAM was never processed: sent again without retry(), even a POST', async () => {
      const server = await h2Server((stream, headers, hit) =>
        hit === 1 ? stream.close(NGHTTP2_REFUSED_STREAM) : json(stream, headers, hit),
      )
      await using api = h2(server.url)
      expect((await api.post<{ hit: number }>('/pay', { json: { amount: 1 } })).data.hit).toBe(2)
      expect(server.paths).toEqual(['/pay', '/pay'])
    })

    it(`a request refused on every send fails after ${MAX_RESENDS} more with neverSent, which retry() may send again`, async () => {
      const server = await h2Server((stream) => stream.close(NGHTTP2_REFUSED_STREAM))
      await using api = h2(server.url)
      const error = await api.post('/pay', { json: { amount: 1 } }).catch((e: unknown) => e as NetworkError)
      expect(isNetworkError(error) && [error.systemCode, error.neverSent]).toEqual(['ERR_HTTP2_STREAM_ERROR', true])
      expect(server.paths.length).toBe(1 + MAX_RESENDS)
    })

    it('a stream reset with INTERNAL_ERROR: a GET is retried, a POST is not (it may have been processed)', async () => {
      const server = await h2Server((stream, headers, hit) =>
        hit === 1 || hit === 3 ? stream.close(NGHTTP2_INTERNAL_ERROR) : json(stream, headers, hit),
      )
      await using api = h2(server.url, { middleware: [retry({ delay: 0 })] })
      expect((await api.get<{ hit: number }>('/list')).data.hit).toBe(2)
      const error = await api.post('/pay', { json: { amount: 1 } }).catch((e: unknown) => e as NetworkError)
      expect(isNetworkError(error)).toBe(true)
      expect((error as NetworkError).message).toContain('NGHTTP2_INTERNAL_ERROR')
      expect((error as NetworkError).neverSent).toBe(false)
      expect(server.paths).toEqual(['/list', '/list', '/pay'])
    })

    it('close() waits for the streams in flight', async () => {
      let release = (): void => {}
      const server = await h2Server((stream, headers, hit) => {
        release = () => json(stream, headers, hit)
      })
      const api = h2(server.url)
      const order: string[] = []
      const call = api.get('/slow').then(() => order.push('answered'))
      while (server.paths.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
      const closing = api.close().then(() => order.push('closed'))
      setTimeout(release, 10)
      await Promise.all([call, closing])
      expect(order).toEqual(['answered', 'closed'])
    })

    it('close() with a hung stream ends once the call times out', async () => {
      const server = await h2Server(() => {}) // never answers
      const api = h2(server.url)
      const call = api.get('/hang', { timeout: 50 }).catch((e: unknown) => e)
      while (server.paths.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
      await api.close()
      expect(isTimeoutError(await call)).toBe(true)
    })

    it('falls back to HTTP/1.1 through ALPN when the server does not speak h2', async () => {
      const server = await startHTTPSServer(pki.server, (req, res) => res.end(req.httpVersion))
      await using api = h2(server.url)
      expect((await api.get('/')).data).toBe('1.1')
    })
  })
}
