// The HTTP/2 agent of src/node/h2/ (node:http2 sessions behind `pool: { allowH2: true }`), on both
// cores, against an h2-only node:http2 server: what it does as a connection pool that undici's
// HTTP/2 client did not (one connection for a burst, idle close), what it must keep (the pool's
// bodyTimeout), and which refused requests it can send again. GOAWAY and REFUSED_STREAM rules are
// in test/http2.test.ts; against nginx in test/nginx/goaway.test.ts.
import http2, { type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2'
import { text } from 'node:stream/consumers'
import { beforeAll, describe, expect, it } from 'vitest'
import { type ClientOptions, createClient, isNetworkError, isTimeoutError, type NetworkError } from '../../../src/index.js'
import { KEEP_LIMIT } from '../../../src/node/h2/body.js'
import { startH2Server, type TestPKI, testPKI } from '../../helpers/tls.js'

let pki: TestPKI
beforeAll(async () => {
  pki = await testPKI()
})

type Handler = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, hit: number) => void

async function h2Server(handler: Handler) {
  const server = await startH2Server(pki)
  let hits = 0
  server.server.on('stream', (stream, headers) => handler(stream, headers, ++hits))
  return server
}

function answer(stream: ServerHttp2Stream, body: unknown): void {
  stream.respond({ ':status': 200, 'content-type': 'application/json' })
  stream.end(JSON.stringify(body))
}

/** A body of `size` bytes as a ReadableStream, in 64 KiB chunks. */
function streamed(size: number): ReadableStream<Uint8Array> {
  let left = size
  return new ReadableStream({
    pull(sink) {
      const chunk = new Uint8Array(Math.min(left, 65_536)).fill(97)
      left -= chunk.byteLength
      sink.enqueue(chunk)
      if (left === 0) sink.close()
    },
  })
}

for (const core of ['fetch', 'undici'] as const) {
  describe(`${core} core`, () => {
    const h2 = (url: string, pool: ClientOptions['pool'] = {}) =>
      createClient({ baseURL: url, core, pool: { allowH2: true, connect: { ca: pki.ca.cert }, ...pool } })

    it('a burst before the first connect shares one connection, without connections: 1', async () => {
      const server = await h2Server((stream, headers) => answer(stream, { path: headers[':path'] }))
      await using api = h2(server.url)
      const paths = Array.from({ length: 10 }, (_, i) => `/${i}`)
      const answers = await Promise.all(paths.map((path) => api.get<{ path: string }>(path)))
      expect(answers.map((res) => res.data.path)).toEqual(paths)
      expect(server.sessions.length).toBe(1)
    })

    it('closes a connection left idle for keepAliveTimeout; the next call opens another', async () => {
      const server = await h2Server((stream, headers) => answer(stream, { path: headers[':path'] }))
      await using api = h2(server.url, { keepAliveTimeout: 50 })
      await api.get('/once')
      await new Promise((resolve) => (server.sessions[0] as http2.ServerHttp2Session).once('close', resolve))
      expect((await api.get<{ path: string }>('/again')).data.path).toBe('/again')
      expect(server.sessions.length).toBe(2)
    })

    it("fails a body that stalls past the pool's bodyTimeout with a TimeoutError (limit 'body')", async () => {
      const server = await h2Server((stream) => {
        stream.respond({ ':status': 200, 'content-type': 'text/plain' })
        stream.write('first part, then nothing')
      })
      await using api = h2(server.url, { bodyTimeout: 100 })
      const error = await api.get('/stall', { responseType: 'text' }).catch((e: unknown) => e)
      expect(isTimeoutError(error) && error.limit).toBe('body')
    })

    it('sends a streamed body again after a refusal, the same bytes, when it was small enough to keep', async () => {
      const bodies: number[] = []
      const server = await h2Server(async (stream, _headers, hit) => {
        bodies.push((await text(stream)).length)
        if (hit === 1) stream.close(http2.constants.NGHTTP2_REFUSED_STREAM)
        else answer(stream, { hit })
      })
      await using api = h2(server.url)
      expect((await api.post<{ hit: number }>('/upload', { body: streamed(100_000) })).data.hit).toBe(2)
      expect(bodies).toEqual([100_000, 100_000])
    })

    it(`fails a refused streamed body of more than ${KEEP_LIMIT} bytes with neverSent, sending it once`, async () => {
      let hits = 0
      const server = await h2Server(async (stream) => {
        hits++
        await text(stream)
        stream.close(http2.constants.NGHTTP2_REFUSED_STREAM)
      })
      await using api = h2(server.url)
      const error = await api.post('/upload', { body: streamed(KEEP_LIMIT + 1) }).catch((e: unknown) => e as NetworkError)
      expect(isNetworkError(error) && error.neverSent).toBe(true)
      expect((error as NetworkError).message).toContain(
        'the server did not process the request, and its streamed body cannot be sent again',
      )
      expect(hits).toBe(1)
    })
  })
}
