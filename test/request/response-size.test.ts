// maxResponseSize on both cores: a body is counted once decoded, and the read ends as soon as it
// passes the limit — a real decompression bomb (1 GiB of zeros gzipped to ~1 MB, compressed as the
// server sends it) included. Cases ported, as behaviours, from axios's test/unit/adapters/http.js
// ("should support max content length", "… for redirected", "should properly support default max
// content length" and the streamed one: the limit counts decoded bytes, a response past it rejects,
// a redirect's body is not the answer's) and from undici's test/client-request.js
// ("request should throw error when response size exceeds maxResponseSize": UND_ERR_RES_EXCEEDED_MAX_SIZE
// as soon as it is passed). got has no such limit.
import type { ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'
import { describe, expect, it, onTestFinished } from 'vitest'
import { oauth2 } from '../../middleware/index.js'
import { createClient, isMaxResponseSizeError, MaxResponseSizeError, TimeoutError } from '../../src/index.js'
import { startFakeOAuth2 } from '../helpers/oauth2.js'
import { startServer } from '../helpers/server.js'

const MiB = 1024 * 1024
const DEFAULT = 32 * MiB
/** 64 MiB of zeros in 64 KB: in at once (within undici's buffers), long to decode. */
const GZIPPED_64_MIB = zlib.gzipSync(Buffer.alloc(64 * MiB), { level: 9 })

/** `total` zero bytes, in 1 MiB chunks, made as they are read. */
const zeros = (total: number): Readable => {
  const chunk = Buffer.alloc(MiB)
  let left = total
  return new Readable({
    read() {
      const n = Math.min(left, chunk.length)
      left -= n
      this.push(n > 0 ? chunk.subarray(0, n) : null)
    },
  })
}

/** What a bomb's server wrote to the socket, and whether the client hung up before the end. */
type Sent = { bytes: number; finished: boolean; closed: Promise<void> }

/**
 * Answers with `total` zeros gzipped (level 9: 1 GiB is ~1 MB on the wire), compressed as sent, so
 * the server stops making it once the client stops reading.
 */
function bomb(total: number, sent: Sent) {
  return (_req: unknown, res: ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-encoding': 'gzip' })
    const gzip = zlib.createGzip({ level: 9 })
    gzip.on('data', (chunk: Buffer) => (sent.bytes += chunk.length))
    sent.closed = new Promise((resolve) => res.on('close', resolve))
    pipeline(zeros(total), gzip, res)
      .then(() => (sent.finished = true))
      .catch(() => {})
  }
}

/** Answers `size` bytes of `x`, in 16 KiB chunks, without a Content-Length (chunked). */
function chunked(size: number, headers: Record<string, string> = {}) {
  return (_req: unknown, res: ServerResponse): void => {
    res.writeHead(200, { 'content-type': 'text/plain', ...headers })
    const chunk = Buffer.alloc(16 * 1024, 'x')
    let left = size
    const write = (): void => {
      while (left > 0) {
        const n = Math.min(left, chunk.length)
        left -= n
        if (!res.write(chunk.subarray(0, n))) return void res.once('drain', write)
      }
      res.end()
    }
    write()
  }
}

for (const core of ['fetch', 'undici'] as const) {
  describe(`${core} core: maxResponseSize`, () => {
    it('stops a gzip bomb (4 GiB of zeros, ~4 MB gzipped) at 32 MiB decoded, by default, and closes the connection', async () => {
      const sent: Sent = { bytes: 0, finished: false, closed: Promise.resolve() }
      const server = await startServer(bomb(4096 * MiB, sent))
      await using api = createClient({ baseURL: server.url, core })
      const started = performance.now()
      const error = await api.get('/bomb').catch((e: unknown) => e)
      const elapsed = performance.now() - started
      expect(error).toBeInstanceOf(MaxResponseSizeError)
      expect(error).toMatchObject({ code: 'FL_ERR_MAX_RESPONSE_SIZE', limit: DEFAULT, status: 200 })
      expect((error as MaxResponseSizeError).received).toBeGreaterThan(DEFAULT)
      expect((error as MaxResponseSizeError).received).toBeLessThan(DEFAULT + 2 * MiB)
      await sent.closed // the client hung up...
      expect(sent.finished).toBe(false) // ...before the bomb was all sent
      // Of ~4 MB: 32 MiB of zeros is ~32 KB gzipped; the server compresses ahead of a slow reader.
      expect(sent.bytes).toBeLessThan(1024 * 1024)
      expect(elapsed).toBeLessThan(10_000) // reading all of it takes a minute
    }, 30_000)

    it('rejects a plain body past a limit of its own, counted as it comes (no Content-Length)', async () => {
      const server = await startServer(chunked(1 * MiB))
      await using api = createClient({ baseURL: server.url, core, maxResponseSize: 100_000 })
      const error = (await api.get('/').catch((e: unknown) => e)) as MaxResponseSizeError
      expect(error).toBeInstanceOf(MaxResponseSizeError)
      expect(error.limit).toBe(100_000)
      expect(error.received).toBeGreaterThan(100_000)
      expect(error.received).toBeLessThanOrEqual(100_000 + 64 * 1024)
    })

    it('reads a body of exactly the limit, and fails one byte over', async () => {
      const body = Buffer.alloc(5000, 'y')
      const server = await startServer([
        { body, headers: { 'content-type': 'text/plain' } },
        { body: zlib.gzipSync(body), headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' } },
        chunked(5001),
        { body: zlib.gzipSync(Buffer.concat([body, Buffer.from('y')])), headers: { 'content-encoding': 'gzip' } },
      ])
      await using api = createClient({ baseURL: server.url, core, maxResponseSize: 5000 })
      expect((await api.get<string>('/')).data).toHaveLength(5000)
      expect((await api.get<string>('/')).data).toHaveLength(5000)
      await expect(api.get('/')).rejects.toMatchObject({ limit: 5000, received: 5001 })
      await expect(api.get('/')).rejects.toMatchObject({ limit: 5000, received: 5001 })
    })

    it('fails before reading a byte when Content-Length is over the limit, and drops the connection', async () => {
      let closed!: Promise<void>
      const server = await startServer((_req, res) => {
        closed = new Promise((resolve) => res.on('close', resolve))
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(64 * MiB) })
        res.write('{"a":') // and nothing more: only the header can end this read
      })
      await using api = createClient({ baseURL: server.url, core, maxResponseSize: MiB })
      const error = (await api.get('/', { timeout: 5_000 }).catch((e: unknown) => e)) as MaxResponseSizeError
      expect(error).toBeInstanceOf(MaxResponseSizeError)
      expect(error).toMatchObject({ limit: MiB, received: 0 })
      expect(error.message).toContain(`Content-Length says ${64 * MiB} bytes (64 MiB)`)
      await closed
    })

    it("a call's maxResponseSize overrides the client's, Infinity reading any size", async () => {
      const server = await startServer(chunked(200_000))
      await using api = createClient({ baseURL: server.url, core, maxResponseSize: 1000 })
      expect((await api.get<string>('/', { maxResponseSize: Number.POSITIVE_INFINITY })).data).toHaveLength(200_000)
      expect((await api.get<string>('/', { maxResponseSize: 200_000 })).data).toHaveLength(200_000)
      await expect(api.get('/', { maxResponseSize: 199_999 })).rejects.toMatchObject({ limit: 199_999 })
      await expect(api.get('/')).rejects.toMatchObject({ limit: 1000 })
    })

    it('limits every way of reading a whole body: json, text, arrayBuffer, blob, and an error answer', async () => {
      const server = await startServer(chunked(10_000, { 'content-type': 'application/json' }))
      await using api = createClient({ baseURL: server.url, core, maxResponseSize: 4096 })
      for (const responseType of [undefined, 'text', 'arrayBuffer', 'blob'] as const) {
        await expect(api.get('/', responseType ? { responseType } : {})).rejects.toBeInstanceOf(MaxResponseSizeError)
      }
      const failing = await startServer((_req, res) => {
        res.writeHead(500, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ error: 'x'.repeat(10_000) }))
      })
      await using errors = createClient({ baseURL: failing.url, core, maxResponseSize: 4096 })
      await expect(errors.get('/')).rejects.toMatchObject({ name: 'MaxResponseSizeError', status: 500 })
      // A streamed call's error answer is read whole to be parsed: the client's limit applies then.
      await expect(errors.get('/', { responseType: 'stream' })).rejects.toMatchObject({ name: 'MaxResponseSizeError', status: 500 })
    })

    it("leaves a streamed body unlimited by the client's limit, and limits it when the call asks", async () => {
      const server = await startServer(chunked(300_000, { 'content-type': 'application/octet-stream' }))
      await using api = createClient({ baseURL: server.url, core, maxResponseSize: 1000 })
      const whole = await api.get<ReadableStream<Uint8Array>>('/', { responseType: 'stream' })
      expect((await new Response(whole.data).arrayBuffer()).byteLength).toBe(300_000)
      const limited = await api.get<ReadableStream<Uint8Array>>('/', { responseType: 'stream', maxResponseSize: 100_000 })
      const error = await new Response(limited.data).arrayBuffer().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(MaxResponseSizeError)
      expect(error).toMatchObject({ limit: 100_000, status: 200 })
    })

    it("counts the answer's body, not a redirect's on the way", async () => {
      const server = await startServer([
        (_req, res) => res.writeHead(302, { location: '/next', 'content-type': 'text/html' }).end('x'.repeat(64 * 1024)),
        chunked(64 * 1024),
      ])
      await using api = createClient({ baseURL: server.url, core, maxResponseSize: 32 * 1024 })
      // The 302's 64 KiB body is let go of; the 200's is the one over the limit.
      await expect(api.get('/')).rejects.toMatchObject({ name: 'MaxResponseSizeError', status: 200 })
    })

    it('keeps the attempt timeout running while a large gzip answer is decoded', async () => {
      const server = await startServer({ body: GZIPPED_64_MIB, headers: { 'content-encoding': 'gzip', 'content-type': 'text/plain' } })
      await using api = createClient({ baseURL: server.url, core, maxResponseSize: Number.POSITIVE_INFINITY })
      // 64 KB arrive at once; decoding 64 MiB takes far longer than 30 ms (0.7 s on the fetch core).
      await expect(api.get('/', { timeout: 30 })).rejects.toBeInstanceOf(TimeoutError)
    }, 30_000)
  })
}

describe('maxResponseSize and middleware', () => {
  it("oauth2()'s token request, shared by every caller, reads under the client's limit, not the asking call's", async () => {
    const server = await startFakeOAuth2({ clientId: 'id', clientSecret: 'secret' })
    onTestFinished(() => server.close())
    await using api = createClient({
      baseURL: server.apiURL,
      middleware: [oauth2({ tokenURL: server.tokenURL, clientId: 'id', clientSecret: 'secret' })],
    })
    // `/me` answers ~25 bytes; the token endpoint's answer is longer than 40.
    expect((await api.get('/me', { maxResponseSize: 40 })).data).toMatchObject({ ok: true })
  })
})

describe('maxResponseSize: the option', () => {
  const baseURL = 'https://api.example.com'

  it('takes a whole number of bytes > 0, or Infinity, on the client and on a call', async () => {
    for (const maxResponseSize of [1, 1024, Number.MAX_SAFE_INTEGER, Number.POSITIVE_INFINITY]) {
      expect(() => createClient({ baseURL, maxResponseSize })).not.toThrow()
    }
    const server = await startServer({ body: 'ok', headers: { 'content-type': 'text/plain' } })
    await using api = createClient({ baseURL: server.url })
    expect((await api.get('/', { maxResponseSize: 2 })).data).toBe('ok')
  })

  it('refuses anything else, saying what to pass; 0 and -1 are not "no limit" here', async () => {
    for (const bad of [0, -1, 1.5, Number.NaN, '32MB', null, 2 ** 60]) {
      expect(() => createClient({ baseURL, maxResponseSize: bad as number })).toThrow(
        /maxResponseSize must be a whole number of bytes > 0 .*or Infinity for no limit, got/,
      )
    }
    expect(() => createClient({ baseURL, maxResponseSize: 0 })).toThrow(/0 does not turn the limit off here: pass Infinity/)
    await using api = createClient({ baseURL })
    await expect(api.get('/', { maxResponseSize: -1 })).rejects.toThrow(
      /options\.maxResponseSize must be .* got -1; -1 does not turn the limit off here: pass Infinity for no limit/,
    )
  })
})

describe('MaxResponseSizeError', () => {
  it('names the limit, what was read and how to raise it, with secrets redacted; guarded across copies', async () => {
    const server = await startServer(chunked(64 * 1024))
    await using api = createClient({ baseURL: server.url, maxResponseSize: 1000 })
    const error = (await api.get('/data', { query: { access_token: 'SECRET-TOKEN' } }).catch((e: unknown) => e)) as MaxResponseSizeError
    expect(isMaxResponseSizeError(error)).toBe(true)
    expect(isMaxResponseSizeError(new Error('x'))).toBe(false)
    expect(error.message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/data\?access_token=\*\*\*REDACTED\*\*\* answered 200 with a body larger than maxResponseSize, 1000 bytes: stopped after \d+ bytes \([\d.]+ KiB\) decoded; raise maxResponseSize on the client or the call \(Infinity: no limit\), or read it with responseType: 'stream'$/,
    )
    expect(JSON.stringify(error)).not.toContain('SECRET-TOKEN')
    expect(error.toJSON()).toMatchObject({ name: 'MaxResponseSizeError', code: 'FL_ERR_MAX_RESPONSE_SIZE', limit: 1000, status: 200 })
  })
})
