// One behaviour suite, run against both cores: they keep one contract.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { describe, expect, it, vi } from 'vitest'
import {
  type ClientOptions,
  createClient,
  HTTPError,
  isHTTPError,
  isNetworkError,
  NetworkError,
  ParseError,
  TimeoutError,
} from '../src/index.js'
import { echo, refusedPort, startServer } from './helpers/server.js'

// Memory still reachable after a full collection: what a buffering client would hold on to.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
function retained(): number {
  gc()
  const { heapUsed, arrayBuffers } = process.memoryUsage()
  return heapUsed + arrayBuffers
}

type Echo = { method: string; url: string; headers: Record<string, string>; body: string }

for (const core of ['fetch', 'undici'] as const) {
  describe(`${core} core`, () => {
    const client = (baseURL: string, options: Partial<ClientOptions> = {}) => {
      const c = createClient({ baseURL, core, ...options })
      return c
    }

    describe('methods', () => {
      for (const method of ['get', 'post', 'put', 'patch', 'delete'] as const) {
        it(`sends ${method.toUpperCase()} and parses the JSON answer`, async () => {
          const server = await startServer(echo)
          await using api = client(server.url)
          const res = await api[method]<Echo>('/things/1')
          expect(res.status).toBe(200)
          expect(res.ok).toBe(true)
          expect(res.data.method).toBe(method.toUpperCase())
          expect(res.data.url).toBe('/things/1')
          expect(res.headers.get('content-type')).toBe('application/json')
          expect(res.request.method).toBe(method.toUpperCase())
        })
      }

      it('sends HEAD and OPTIONS, and any method through request()', async () => {
        const server = await startServer(echo)
        await using api = client(server.url)
        expect((await api.head('/h')).data).toBeUndefined()
        expect((await api.options<Echo>('/o')).data.method).toBe('OPTIONS')
        expect((await api.request<Echo>('purge', '/p')).data.method).toBe('PURGE')
        expect(server.seen.map((s) => s.method)).toEqual(['HEAD', 'OPTIONS', 'PURGE'])
      })
    })

    describe('URLs', () => {
      it('joins a baseURL path prefix and the path', async () => {
        const server = await startServer(echo)
        await using api = client(`${server.url}/api/v1/`)
        expect((await api.get<Echo>('/users')).data.url).toBe('/api/v1/users')
        expect((await api.get<Echo>('users')).data.url).toBe('/api/v1/users')
      })

      it('encodes query values; arrays repeat the key; undefined is dropped', async () => {
        const server = await startServer(echo)
        await using api = client(server.url)
        const res = await api.get<Echo>('/search', {
          query: { q: 'a b&c=d', tag: ['x', 'y'], page: 1, none: undefined, city: '北京' },
        })
        const url = new URL(res.data.url, server.url)
        expect(url.searchParams.get('q')).toBe('a b&c=d')
        expect(url.searchParams.getAll('tag')).toEqual(['x', 'y'])
        expect(url.searchParams.get('page')).toBe('1')
        expect(url.searchParams.has('none')).toBe(false)
        expect(url.searchParams.get('city')).toBe('北京')
      })

      it('fills path params URL-encoded, "/" included, and keeps the template as route', async () => {
        const server = await startServer(echo)
        await using api = client(server.url)
        const res = await api.get<Echo>('/files/{dir}/{name}', { params: { dir: 'a/b', name: 'résumé v2.pdf' } })
        expect(res.data.url).toBe('/files/a%2Fb/r%C3%A9sum%C3%A9%20v2.pdf')
        expect(res.request.route).toBe('/files/{dir}/{name}')
      })

      it('rejects a missing or an unused param, naming it', async () => {
        await using api = client('http://127.0.0.1:9')
        await expect(api.get('/users/{id}', { params: {} })).rejects.toThrow(/params\.id is missing/)
        await expect(api.get('/users', { params: { id: 1 } })).rejects.toThrow(/"id" have no \{placeholder\}/)
      })
    })

    describe('headers', () => {
      it('merges request headers over client headers; null removes one', async () => {
        const server = await startServer(echo)
        await using api = client(server.url, { headers: { 'x-team': 'core', 'x-drop': 'me', 'x-over': 'client' } })
        const res = await api.get<Echo>('/', { headers: { 'x-over': 'request', 'x-drop': null, 'x-new': '1' } })
        expect(res.data.headers['x-team']).toBe('core')
        expect(res.data.headers['x-over']).toBe('request')
        expect(res.data.headers['x-new']).toBe('1')
        expect(res.data.headers).not.toHaveProperty('x-drop')
      })
    })

    describe('request bodies', () => {
      it('sends json with its content type', async () => {
        const server = await startServer(echo)
        await using api = client(server.url)
        const res = await api.post<Echo>('/users', { json: { name: 'John', tags: ['a'] } })
        expect(JSON.parse(res.data.body)).toEqual({ name: 'John', tags: ['a'] })
        expect(res.data.headers['content-type']).toBe('application/json')
      })

      it('sends form fields urlencoded', async () => {
        const server = await startServer(echo)
        await using api = client(server.url)
        const res = await api.post<Echo>('/oauth/token', { form: { grant_type: 'client_credentials', scope: ['a', 'b'] } })
        expect(res.data.body).toBe('grant_type=client_credentials&scope=a&scope=b')
        expect(res.data.headers['content-type']).toBe('application/x-www-form-urlencoded')
      })

      it('sends FormData as multipart, file included', async () => {
        const server = await startServer(echo)
        await using api = client(server.url)
        const form = new FormData()
        form.append('title', 'report')
        form.append('file', new Blob(['hello file'], { type: 'text/plain' }), 'hello.txt')
        const res = await api.post<Echo>('/upload', { body: form })
        expect(res.data.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/)
        expect(res.data.body).toContain('name="title"')
        expect(res.data.body).toContain('filename="hello.txt"')
        expect(res.data.body).toContain('hello file')
      })

      it('streams a ReadableStream upload', async () => {
        const server = await startServer(echo)
        await using api = client(server.url)
        const chunks = Array.from({ length: 50 }, (_, i) => `chunk-${i};`)
        const stream = Readable.toWeb(Readable.from(chunks.map((c) => Buffer.from(c)))) as ReadableStream<Uint8Array>
        const res = await api.put<Echo>('/blob', { body: stream, headers: { 'content-type': 'text/plain' } })
        expect(res.data.body).toBe(chunks.join(''))
        expect(res.data.headers['transfer-encoding']).toBe('chunked')
      })

      it('sends bytes, Blob and string bodies', async () => {
        const server = await startServer(echo)
        await using api = client(server.url)
        expect((await api.post<Echo>('/b', { body: new Uint8Array([104, 105]) })).data.body).toBe('hi')
        const blob = await api.post<Echo>('/b', { body: new Blob(['blob!'], { type: 'application/x-thing' }) })
        expect(blob.data.body).toBe('blob!')
        expect(blob.data.headers['content-type']).toBe('application/x-thing')
        const text = await api.post<Echo>('/b', { body: 'plain' })
        expect(text.data.headers['content-type']).toBe('text/plain;charset=UTF-8')
      })

      it('rejects two bodies at once, naming both', async () => {
        await using api = client('http://127.0.0.1:9')
        await expect(api.post('/x', { json: {}, form: { a: 1 } })).rejects.toThrow('options json and form cannot be used together')
        await expect(api.post('/x', { json: {}, body: 'x' })).rejects.toThrow('options json and body cannot be used together')
        await expect(api.get('/x', { json: {} })).rejects.toThrow(/GET request cannot have a body/)
      })
    })

    describe('responses', () => {
      it('reads text, empty and explicit response types', async () => {
        const server = await startServer([
          { body: 'hello', headers: { 'content-type': 'text/plain' } },
          { status: 200, headers: { 'content-type': 'application/json' } },
          204,
          { body: '{"a":1}', headers: { 'content-type': 'text/plain' } },
          { body: Buffer.from([1, 2, 3]), headers: { 'content-type': 'application/octet-stream' } },
        ])
        await using api = client(server.url)
        expect((await api.get('/t')).data).toBe('hello')
        expect((await api.get('/empty')).data).toBeUndefined()
        expect((await api.get('/204')).data).toBeUndefined()
        expect((await api.get('/j', { responseType: 'json' })).data).toEqual({ a: 1 })
        const bytes = (await api.get<ArrayBuffer>('/bin')).data
        expect([...new Uint8Array(bytes)]).toEqual([1, 2, 3])
      })

      it('reads a body that arrives in pieces, whole, every way', async () => {
        const pieces = ['{"items":[', '"a",', '"b",', '"c"]}']
        const slow = (type: string) => (_req: IncomingMessage, res: ServerResponse) => {
          res.writeHead(200, { 'content-type': type })
          let i = 0
          const next = (): void => {
            if (i === pieces.length) return void res.end()
            res.write(pieces[i++])
            setTimeout(next, 5)
          }
          next()
        }
        const server = await startServer([
          slow('application/json'),
          slow('text/plain'),
          slow('application/octet-stream'),
          slow('application/json'),
          slow('application/json'),
        ])
        await using api = client(server.url)
        const whole = pieces.join('')
        expect((await api.get('/json')).data).toEqual({ items: ['a', 'b', 'c'] })
        expect((await api.get('/text')).data).toBe(whole)
        expect(Buffer.from((await api.get<ArrayBuffer>('/bytes')).data).toString()).toBe(whole)
        expect(await (await api.get<Blob>('/blob', { responseType: 'blob' })).data.text()).toBe(whole)
        expect(await new Response((await api.get<ReadableStream>('/stream', { responseType: 'stream' })).data).text()).toBe(whole)
      })

      it('rejects invalid JSON with a ParseError naming status and content type', async () => {
        const server = await startServer({ status: 502, body: '<html>Bad gateway</html>', headers: { 'content-type': 'application/json' } })
        await using api = client(server.url, { throwHttpErrors: false })
        const error = await api.get('/broken').catch((e: unknown) => e)
        expect(error).toBeInstanceOf(ParseError)
        expect((error as ParseError).message).toMatch(/answered 502 with content-type application\/json and a body that is not valid JSON/)
        expect((error as ParseError).body).toBe('<html>Bad gateway</html>')
      })

      it('streams a 50 MB download without buffering it', async () => {
        const size = 50 * 1024 * 1024
        const chunk = Buffer.alloc(64 * 1024, 7)
        let firstChunkRead!: () => void
        const gate = new Promise<void>((resolve) => (firstChunkRead = resolve))
        const server = await startServer((_req, res) => {
          res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(size) })
          let sent = 0
          const pump = (): void => {
            while (sent < size) {
              // Past the first MiB, wait until the caller has read a chunk: a client that buffers
              // the whole body before resolving would never get there.
              if (sent === 1024 * 1024) return void gate.then(() => ((sent += chunk.length), res.write(chunk), pump()))
              sent += chunk.length
              if (!res.write(chunk)) return void res.once('drain', pump)
            }
            res.end()
          }
          pump()
        })
        await using api = client(server.url)
        const before = retained()
        const res = await api.get<ReadableStream<Uint8Array>>('/big', { responseType: 'stream' })
        let received = 0
        let peak = 0
        for await (const part of res.data as unknown as AsyncIterable<Uint8Array>) {
          if (received === 0) firstChunkRead()
          received += part.byteLength
          if (received % (8 * 1024 * 1024) < part.byteLength) peak = Math.max(peak, retained() - before)
        }
        expect(received).toBe(size)
        expect(peak).toBeLessThan(30 * 1024 * 1024) // the whole body would be 50 MiB
      })
    })

    describe('streams', () => {
      it('lets the caller cancel a streamed body after the headers, with a timeout set', async () => {
        let closed = false
        const server = await startServer((req, res) => {
          res.writeHead(200, { 'content-type': 'application/octet-stream' })
          res.write('first chunk')
          const drip = setInterval(() => res.write('.'), 50) // a body that never ends
          req.socket.on('close', () => ((closed = true), clearInterval(drip)))
        })
        await using api = client(server.url)
        const controller = new AbortController()
        const res = await api.get<ReadableStream<Uint8Array>>('/drip', {
          responseType: 'stream',
          timeout: 5_000,
          signal: controller.signal,
        })
        const reader = res.data.getReader()
        await reader.read()
        const started = performance.now()
        controller.abort(new Error('user went away'))
        await expect(
          reader
            .read()
            .then(() => reader.read())
            .then(() => reader.read()),
        ).rejects.toThrow()
        expect(performance.now() - started).toBeLessThan(1_000)
        await vi.waitFor(() => expect(closed).toBe(true))
      })
    })

    describe('errors', () => {
      it('rejects a status >= 400 with HTTPError carrying status and parsed body', async () => {
        const server = await startServer({ status: 404, json: { error: 'not_found', message: 'no user 7' } })
        await using api = client(server.url)
        const error = await api.get('/users/7').catch((e: unknown) => e)
        expect(error).toBeInstanceOf(HTTPError)
        expect(isHTTPError(error)).toBe(true)
        const http = error as HTTPError<{ error: string }>
        expect(http.status).toBe(404)
        expect(http.data.error).toBe('not_found')
        expect(http.message).toBe(`GET ${server.url}/users/7 answered 404 Not Found`)
        expect(http.code).toBe('FL_ERR_HTTP')
      })

      it('resolves with the response when throwHttpErrors is false', async () => {
        const server = await startServer({ status: 500, json: { ok: false } })
        await using api = client(server.url, { throwHttpErrors: false })
        const res = await api.get('/fail')
        expect(res.status).toBe(500)
        expect(res.ok).toBe(false)
        expect(res.data).toEqual({ ok: false })
      })

      it('rejects a refused connection with NetworkError ECONNREFUSED, proven never sent', async () => {
        await using api = client(`http://127.0.0.1:${await refusedPort()}`)
        const error = await api.post('/x', { json: {} }).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(NetworkError)
        expect(isNetworkError(error)).toBe(true)
        expect((error as NetworkError).systemCode).toBe('ECONNREFUSED')
        expect((error as NetworkError).neverSent).toBe(true)
      })

      it('rejects a reset socket with NetworkError that may have been sent', async () => {
        const server = await startServer('reset')
        await using api = client(server.url)
        const error = (await api.get('/x').catch((e: unknown) => e)) as NetworkError
        expect(error).toBeInstanceOf(NetworkError)
        expect(['ECONNRESET', 'UND_ERR_SOCKET']).toContain(error.systemCode)
        expect(error.neverSent).toBe(false)
      })

      it('keeps secret query values out of every error rendering', async () => {
        const server = await startServer({ status: 401, json: { errcode: 40001 } })
        await using api = client(server.url, { headers: { authorization: 'Bearer sk-live-HEADER' } })
        const error = (await api
          .get('/cgi-bin/token', { query: { appid: 'wx1', secret: 'APPSECRET-VALUE', access_token: 'TOKEN-VALUE' } })
          .catch((e: unknown) => e)) as HTTPError
        const { inspect } = await import('node:util')
        for (const text of [error.message, error.stack ?? '', JSON.stringify(error), inspect(error, { depth: 5 }), String(error)]) {
          expect(text).not.toContain('APPSECRET-VALUE')
          expect(text).not.toContain('TOKEN-VALUE')
          expect(text).not.toContain('sk-live-HEADER')
        }
        expect(error.request?.url).toContain('secret=***REDACTED***')
        expect(error.request?.url).toContain('appid=wx1')
      })

      it('rejects with the caller abort reason, unchanged', async () => {
        const server = await startServer('hang')
        await using api = client(server.url)
        const controller = new AbortController()
        const pending = api.get('/slow', { signal: controller.signal })
        setTimeout(() => controller.abort(new Error('user left')), 20)
        await expect(pending).rejects.toThrow('user left')
      })

      it('sends no private header for its timeout, across a redirect too', async () => {
        const server = await startServer([{ status: 307, headers: { location: '/next' } }, echo])
        await using api = client(server.url)
        const res = await api.get<Echo>('/first', { timeout: 5_000 })
        expect(res.data.url).toBe('/next')
        for (const seen of server.seen) expect(Object.keys(seen.headers).filter((name) => name.includes('fetchline'))).toEqual([])
      })

      it('enforces a per-request timeout with TimeoutError', async () => {
        const server = await startServer('hang')
        await using api = client(server.url)
        const error = (await api.get('/slow', { timeout: 50 }).catch((e: unknown) => e)) as TimeoutError
        expect(error).toBeInstanceOf(TimeoutError)
        expect(error.timeout).toBe(50)
        expect(error.message).toMatch(/timed out after 50 ms/)
      })
    })

    describe('pool', () => {
      it('opens at most `connections` sockets for 32 concurrent requests', async () => {
        const server = await startServer((_req, res) => {
          setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), 10)
        })
        await using api = client(server.url, { pool: { connections: 4 } })
        await Promise.all(Array.from({ length: 32 }, () => api.get('/x')))
        expect(server.seen).toHaveLength(32)
        expect(server.sockets.size).toBeLessThanOrEqual(4)
        expect(server.sockets.size).toBeGreaterThan(0)
      })
    })

    describe('redirects', () => {
      it('follows a redirect and reports the URL that answered', async () => {
        const server = await startServer([{ status: 302, headers: { location: '/final?x=1' } }, echo])
        await using api = client(server.url)
        const res = await api.get<Echo>('/start')
        expect(res.data.url).toBe('/final?x=1')
        expect(res.url).toBe(`${server.url}/final?x=1`)
      })

      it('drops credentials when a redirect changes origin', async () => {
        const other = await startServer(echo)
        const server = await startServer({ status: 302, headers: { location: `${other.url}/landed` } })
        await using api = client(server.url, { headers: { authorization: 'Bearer s3', 'x-trace': 'keep' } })
        const res = await api.get<Echo>('/start')
        expect(res.data.url).toBe('/landed')
        expect(res.data.headers).not.toHaveProperty('authorization')
        expect(res.data.headers['x-trace']).toBe('keep')
      })

      // The undici core takes origin and path from the URL's href, reusing the last origin: each
      // hop must still go to its own origin, with path and query, never the fragment.
      it('sends each hop to its own origin with path and query, without the fragment', async () => {
        const other = await startServer(echo)
        const server = await startServer([echo, { status: 302, headers: { location: `${other.url}/there?b=2#frag` } }, echo])
        await using api = client(server.url)
        expect((await api.get<Echo>('/here?a=1#top')).data.url).toBe('/here?a=1')
        const moved = await api.get<Echo>('/moved')
        expect(moved.data.url).toBe('/there?b=2')
        expect((await api.get<Echo>('/back')).data.url).toBe('/back')
        expect(server.seen).toHaveLength(3)
        expect(other.seen).toHaveLength(1)
      })

      it('turns a POST into a GET on 303, and keeps method and body on 307', async () => {
        const server = await startServer([
          { status: 303, headers: { location: '/see' } },
          echo,
          { status: 307, headers: { location: '/again' } },
          echo,
        ])
        await using api = client(server.url)
        const seeOther = await api.post<Echo>('/a', { json: { n: 1 } })
        expect(seeOther.data).toMatchObject({ method: 'GET', url: '/see', body: '' })
        const temporary = await api.post<Echo>('/b', { json: { n: 2 } })
        expect(temporary.data).toMatchObject({ method: 'POST', url: '/again', body: '{"n":2}' })
      })
    })
  })
}
