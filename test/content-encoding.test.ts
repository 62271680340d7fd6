// Content-Encoding on both cores, against node:http servers for what nginx does not send on
// demand (deflate in both forms, zstd, stacked codings, corrupt and unknown codings, a body cut
// short). The real-server cases (nginx gzip and br, bytes on the wire) are in
// content-encoding.nginx.test.ts. Cases ported, as behaviours, from undici's fetch tests
// (test/fetch/encoding.js: stacked and case-insensitive codings, zstd, the chain limit of five;
// test/fetch/decompress.js and decompress-stream.js: x-gzip, `gzip, br`, `deflate, gzip`, unknown
// and empty codings, redirects and HEAD left undecoded) and got's test/gzip.ts (an error answer's
// body is decoded; a body not in its coding fails, also before the answer ends; HEAD answers).
// got's "does not ignore missing data" is not followed: fetch (so both cores) reads a gzip body cut
// short as curl and browsers do. ky has no decoding tests of its own (fetch decodes for it).
import type { IncomingMessage, ServerResponse } from 'node:http'
import zlib from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type ClientOptions, createClient, HTTPError, NetworkError, ParseError } from '../src/index.js'
import { leavesBehind } from '../src/request/redirect-policy.js'
import { type Seen, type Step, startServer } from './helpers/server.js'
import { startHTTPSServer, testPKI } from './helpers/tls.js'

const json = { hello: 'world', items: Array.from({ length: 50 }, (_, i) => i) }
const text = Buffer.from(JSON.stringify(json))
const encoded = (coding: string, body: Buffer, status = 200) => ({
  status,
  body,
  headers: { 'content-type': 'application/json', 'content-encoding': coding },
})
// undici's test/fetch/encoding.js fixtures: "Hello, World!" deflated then gzipped, and in zstd.
const DEFLATE_THEN_GZIP = Buffer.from('H4sIAAAAAAAAA6uY89nj7MmT1wM5zuuf8gxkYZCfx5IFACQ8u/wVAAAA', 'base64')
const ZSTD_HELLO = Buffer.from('KLUv/QBYaQAASGVsbG8sIFdvcmxkIQ==', 'base64')
const hasZstd = typeof (zlib as { createZstdDecompress?: unknown }).createZstdDecompress === 'function'

describe("leavesBehind: a redirect's body is let go of unread (so not decoded) where nextHop follows it", () => {
  const get = { method: 'GET', body: undefined }
  const streamed = (method: string) => ({ method, body: new ReadableStream() })

  it('for a redirect status with a Location', () => {
    for (const status of [301, 302, 303, 307, 308]) expect(leavesBehind(get, status, '/next')).toBe(true)
    expect(leavesBehind(get, 302, ['/next'])).toBe(true)
  })

  it('not for a 3xx without a Location, nor for another status', () => {
    for (const location of [undefined, null, '', [], ['']]) expect(leavesBehind(get, 302, location)).toBe(false)
    for (const status of [200, 300, 304]) expect(leavesBehind(get, status, '/next')).toBe(false)
  })

  it('not for a 307 or 308 whose streamed body cannot be sent again; yes when the next hop is a GET', () => {
    expect(leavesBehind(streamed('PUT'), 307, '/next')).toBe(false)
    expect(leavesBehind(streamed('PUT'), 308, '/next')).toBe(false)
    expect(leavesBehind(streamed('PUT'), 303, '/next')).toBe(true)
    expect(leavesBehind(streamed('POST'), 302, '/next')).toBe(true)
  })
})

for (const core of ['fetch', 'undici'] as const) {
  describe(`${core} core: Content-Encoding`, () => {
    const client = (baseURL: string, options: Partial<ClientOptions> = {}) => createClient({ baseURL, core, ...options })
    const fetchOne = async (step: Step, options: Parameters<ReturnType<typeof client>['get']>[1] = {}) => {
      const server = await startServer(step)
      await using api = client(server.url)
      return { res: await api.get('/', options), seen: server.seen }
    }

    // Anything thrown outside a promise chain fails the test: it would take a service down.
    const stray: unknown[] = []
    const onStray = (error: unknown): number => stray.push(error)
    beforeEach(() => {
      stray.length = 0
      process.on('uncaughtException', onStray)
      process.on('unhandledRejection', onStray)
    })
    afterEach(() => {
      process.off('uncaughtException', onStray)
      process.off('unhandledRejection', onStray)
      expect(stray).toEqual([])
    })

    describe('decoding', () => {
      it('decodes gzip, and x-gzip as gzip', async () => {
        expect((await fetchOne(encoded('gzip', zlib.gzipSync(text)))).res.data).toEqual(json)
        expect((await fetchOne(encoded('x-gzip', zlib.gzipSync(text)))).res.data).toEqual(json)
      })

      it('decodes deflate in the zlib format RFC 9110 names', async () => {
        expect((await fetchOne(encoded('deflate', zlib.deflateSync(text)))).res.data).toEqual(json)
      })

      it('decodes deflate sent raw, as browsers do', async () => {
        expect((await fetchOne(encoded('deflate', zlib.deflateRawSync(text)))).res.data).toEqual(json)
      })

      it('decodes br', async () => {
        expect((await fetchOne(encoded('br', zlib.brotliCompressSync(text)))).res.data).toEqual(json)
      })

      it.skipIf(!hasZstd)('decodes zstd where the runtime has it', async () => {
        const step = { body: ZSTD_HELLO, headers: { 'content-type': 'text/plain', 'content-encoding': 'zstd' } }
        expect((await fetchOne(step)).res.data).toBe('Hello, World!')
      })

      it('undoes stacked codings last one first (RFC 9110 §8.4)', async () => {
        const gzipThenBr = zlib.brotliCompressSync(zlib.gzipSync(text))
        expect((await fetchOne(encoded('gzip, br', gzipThenBr))).res.data).toEqual(json)
        const step = { body: DEFLATE_THEN_GZIP, headers: { 'content-type': 'text/plain', 'content-encoding': 'deflate, gzip' } }
        expect((await fetchOne(step)).res.data).toBe('Hello, World!')
      })

      it('reads codings case-insensitively, and from repeated header lines', async () => {
        const step = { body: DEFLATE_THEN_GZIP, headers: { 'content-type': 'text/plain', 'content-encoding': 'DeFlAtE, GzIp' } }
        expect((await fetchOne(step)).res.data).toBe('Hello, World!')
        const twoLines = (_req: IncomingMessage, res: ServerResponse) => {
          res.setHeader('content-encoding', ['deflate', 'gzip'])
          res.end(DEFLATE_THEN_GZIP)
        }
        expect((await fetchOne(twoLines, { responseType: 'text' })).res.data).toBe('Hello, World!')
      })

      it("decodes an error answer's body for the HTTPError", async () => {
        const failure = await fetchOne(encoded('gzip', zlib.gzipSync(text), 503)).catch((error: unknown) => error)
        expect(failure).toBeInstanceOf(HTTPError)
        expect((failure as HTTPError).data).toEqual(json)
      })

      it('decodes a gzip body cut short of its trailer, as browsers and undici fetch do', async () => {
        const cut = zlib.gzipSync(text).subarray(0, -8) // no CRC32 and length
        expect((await fetchOne(encoded('gzip', cut))).res.data).toEqual(json)
      })

      it('keeps Content-Encoding and Content-Length on the answer, as fetch does', async () => {
        const body = zlib.gzipSync(text)
        const step = {
          body,
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(body.length) },
        }
        const { res } = await fetchOne(step)
        expect(res.data).toEqual(json)
        expect(res.headers.get('content-encoding')).toBe('gzip')
        expect(res.headers.get('content-length')).toBe(String(body.length))
      })

      it('decodes a large body, and one that decodes to many times its size', async () => {
        const many = { items: Array.from({ length: 50_000 }, (_, i) => ({ id: i, name: `item ${i}` })) }
        const large = zlib.gzipSync(JSON.stringify(many), { level: 1 }) // ~300 KB
        expect(((await fetchOne(encoded('gzip', large))).res.data as typeof many).items).toHaveLength(50_000)
        const zeros = zlib.brotliCompressSync(Buffer.alloc(8 << 20)) // a few bytes for 8 MiB
        const { res } = await fetchOne({ body: zeros, headers: { 'content-encoding': 'br' } }, { responseType: 'arrayBuffer' })
        expect((res.data as ArrayBuffer).byteLength).toBe(8 << 20)
      })

      it('has nothing to decode in a HEAD, 204 or 304 answer', async () => {
        const empty = (status: number) => (_req: IncomingMessage, res: ServerResponse) => {
          res.writeHead(status, { 'content-encoding': 'gzip', 'content-type': 'application/json' }).end()
        }
        const server = await startServer(empty(200))
        await using api = client(server.url, { throwHttpErrors: false })
        expect((await api.head('/')).data).toBeUndefined()
        for (const status of [204, 304]) expect((await fetchOne(empty(status))).res.data).toBeUndefined()
      })
    })

    describe('redirects', () => {
      const moved = { status: 302, body: 'not gzip at all', headers: { location: '/landed', 'content-encoding': 'gzip' } }

      it("lets a followed redirect's body go undecoded, and decodes the answer it leads to", async () => {
        const server = await startServer([moved, encoded('gzip', zlib.gzipSync(text))])
        await using api = client(server.url)
        expect((await api.get('/start')).data).toEqual(json)
        const res = await api.get<ReadableStream<Uint8Array>>('/start', { responseType: 'stream' })
        expect(await new Response(res.data).json()).toEqual(json)
      })

      it('decodes a redirect handed back as the answer (maxRedirects: 0)', async () => {
        const step = encoded('gzip', zlib.gzipSync(text), 302)
        const server = await startServer({ ...step, headers: { ...step.headers, location: '/x' } })
        await using api = client(server.url, { maxRedirects: 0 })
        const res = await api.get('/start')
        expect([res.status, res.data]).toEqual([302, json])
      })
    })

    describe('codings it does not decode', () => {
      it('ignores the codings of an answer that has no body, six of them too, as fetch does', async () => {
        const six = Array(6).fill('gzip').join(', ')
        const empty = (status: number) => (_req: IncomingMessage, res: ServerResponse) => {
          res.writeHead(status, { 'content-encoding': six }).end()
        }
        const server = await startServer(empty(200))
        await using api = client(server.url)
        expect((await api.head('/')).status).toBe(200)
        for (const status of [204, 304]) expect((await fetchOne(empty(status))).res.status).toBe(status)
      })

      it('hands a body in an unknown coding back as it came', async () => {
        const body = zlib.gzipSync(text)
        const { res } = await fetchOne(encoded('x-custom, gzip', body), { responseType: 'arrayBuffer' })
        expect(Buffer.from(res.data as ArrayBuffer).equals(body)).toBe(true)
        const empty = await fetchOne(encoded('', body), { responseType: 'arrayBuffer' })
        expect(Buffer.from(empty.res.data as ArrayBuffer).equals(body)).toBe(true)
      })

      it('fails a JSON body in an unknown coding with a ParseError', async () => {
        const failure = await fetchOne(encoded('x-custom', zlib.gzipSync(text))).catch((error: unknown) => error)
        expect(failure).toBeInstanceOf(ParseError)
      })

      it('takes five stacked codings and refuses a sixth, naming the limit', async () => {
        const identity = (n: number) => ({ body: 'test', headers: { 'content-encoding': Array(n).fill('identity').join(', ') } })
        expect((await fetchOne(identity(5))).res.data).toBe('test')
        const failure = await fetchOne(identity(6)).catch((error: unknown) => error)
        expect(failure).toBeInstanceOf(NetworkError)
        expect((failure as Error).message).toMatch(/too many content-encodings in response: 6, maximum allowed is 5/)
      })
    })

    describe('corrupt data', () => {
      it("fails with a NetworkError naming zlib's reason, and no secret", async () => {
        const gz = zlib.gzipSync(text)
        const corrupt = Buffer.concat([gz.subarray(0, 10), Buffer.from('not deflate at all'), gz.subarray(10)])
        const server = await startServer(encoded('gzip', corrupt))
        await using api = client(server.url, { headers: { authorization: 'Bearer SECRET-TOKEN' } })
        const failure = await api.get('/data', { query: { api_key: 'SECRET-KEY' } }).catch((error: unknown) => error)
        expect(failure).toBeInstanceOf(NetworkError)
        expect((failure as NetworkError).systemCode).toBe('Z_DATA_ERROR')
        expect(JSON.stringify(failure) + String(failure)).not.toMatch(/SECRET/)
      })

      it('fails a long body not in its coding while it still comes', async () => {
        const server = await startServer((_req: IncomingMessage, res: ServerResponse) => {
          res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'application/json' })
          res.write(Buffer.alloc(256 * 1024, 'not gzip at all')) // and never ends
        })
        await using api = client(server.url)
        const failure = await api.get('/', { timeout: 5_000 }).catch((error: unknown) => error)
        expect(failure).toBeInstanceOf(NetworkError)
        expect((failure as Error).message).toMatch(/incorrect header check/)
      })
    })

    describe('streamed answers', () => {
      it('decodes a stream as it arrives, before the server has sent the rest', async () => {
        let more: () => void = () => {}
        const server = await startServer((_req: IncomingMessage, res: ServerResponse) => {
          res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' })
          const gzip = zlib.createGzip()
          gzip.pipe(res)
          gzip.write('part one;')
          gzip.flush(() => undefined)
          more = () => gzip.end('part two')
        })
        await using api = client(server.url)
        const res = await api.get<ReadableStream<Uint8Array>>('/', { responseType: 'stream' })
        const reader = res.data.getReader()
        expect(new TextDecoder().decode((await reader.read()).value)).toBe('part one;')
        more()
        let rest = ''
        for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value)
        expect(rest).toBe('part two')
      })

      it('errors a corrupt stream with a NetworkError', async () => {
        const server = await startServer(encoded('br', Buffer.from('not brotli, not anything')))
        await using api = client(server.url)
        const res = await api.get<ReadableStream<Uint8Array>>('/', { responseType: 'stream' })
        const failure = await new Response(res.data).text().catch((error: unknown) => error)
        expect(failure).toBeInstanceOf(NetworkError)
      })
    })

    describe('accept-encoding', () => {
      const headerSeen = (seen: Seen[]) => seen[0]?.headers['accept-encoding']

      it('asks for gzip and deflate over plain HTTP by default, as fetch does', async () => {
        expect(headerSeen((await fetchOne(200)).seen)).toBe('gzip, deflate')
      })

      it('asks for br too over TLS, as fetch does', async () => {
        const pki = await testPKI()
        let seen: string | undefined
        const server = await startHTTPSServer(pki.server, (req, res) => {
          seen = req.headers['accept-encoding']
          res.end()
        })
        await using api = client(server.url, { pool: { connect: { ca: pki.ca.cert } } })
        await api.get('/')
        expect(seen).toBe('br, gzip, deflate')
      })

      it("sends the caller's own accept-encoding as it is, identity included", async () => {
        const server = await startServer(200)
        await using api = client(server.url, { headers: { 'accept-encoding': 'br' } })
        await api.get('/')
        await api.get('/', { headers: { 'accept-encoding': 'identity' } })
        expect(server.seen.map((s) => s.headers['accept-encoding'])).toEqual(['br', 'identity'])
      })

      it('asks for identity on a Range request, as fetch does', async () => {
        expect(headerSeen((await fetchOne(200, { headers: { range: 'bytes=0-9' } })).seen)).toBe('identity')
      })
    })
  })
}
