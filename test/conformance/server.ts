// The one real node:http server every runtime's conformance run talks to. It misbehaves on
// purpose: routes that hang, answer slowly, reset the socket, fail with 503 + Retry-After, and
// fake the WeChat and example APIs. Cases keep their state apart with a per-case key. It also
// listens on a second port, a second origin for redirects to go to.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import zlib from 'node:zlib'
import { cacheRoutes } from './cache-routes.js'
import { signRoutes } from './sign-routes.js'
import { traceRoutes } from './trace-routes.js'

export type ConformanceServer = { url: string; close(): Promise<void> }

type Handler = (req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) => void

const json = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(value))
}

/** Starts the server on 127.0.0.1:0; `close()` destroys open sockets (hanging requests too). */
export async function startConformanceServer(): Promise<ConformanceServer> {
  let port = 0
  let otherPort = 0
  const hits = new Map<string, number>()
  const hit = (key: string): number => {
    const n = (hits.get(key) ?? 0) + 1
    hits.set(key, n)
    return n
  }
  const routes: Record<string, Handler> = {
    ...traceRoutes,
    ...cacheRoutes,
    ...signRoutes,
    // What arrived: method, path + query, headers and the body as text.
    '/echo': (req, res, _url, body) =>
      json(res, 200, { method: req.method, url: req.url, headers: req.headers, body: body.toString('utf8') }),
    // 503 with Retry-After for the first `fail` hits of a key, then 200 with the hit count.
    '/flaky': (_req, res, url) => {
      const n = hit(`flaky:${url.searchParams.get('key')}`)
      if (n <= Number(url.searchParams.get('fail') ?? 1))
        return json(res, 503, { n }, { 'retry-after': url.searchParams.get('after') ?? '1' })
      json(res, 200, { n })
    },
    '/count': (_req, res, url) => json(res, 200, { n: hits.get(url.searchParams.get('key') ?? '') ?? 0 }),
    '/hit': (_req, res, url) => json(res, 200, { n: hit(url.searchParams.get('key') ?? '') }),
    '/hang': () => {},
    '/slow': (_req, res, url) => {
      setTimeout(() => json(res, 200, { slow: true }), Number(url.searchParams.get('ms') ?? 100))
    },
    '/reset': (req) => req.socket.destroy(),
    // `status` (302 by default) to `path` on this origin (`to=same`) or on the second one (`to=other`).
    '/redirect': (_req, res, url) => {
      const origin = `http://127.0.0.1:${url.searchParams.get('to') === 'other' ? otherPort : port}`
      res.writeHead(Number(url.searchParams.get('status') ?? 302), { location: `${origin}${url.searchParams.get('path') ?? '/echo'}` })
      res.end()
    },
    // A redirect to itself, query kept, counted under `key`.
    '/loop': (_req, res, url) => {
      hit(`loop:${url.searchParams.get('key')}`)
      res.writeHead(302, { location: `/loop${url.search}` })
      res.end()
    },
    // JSON saying which accept-encoding arrived, in the Content-Encoding `as` names (raw: deflate
    // without its zlib header, as some servers send it; gzip-br: gzip, then br over it).
    '/encoded': (req, res, url) => {
      const form = url.searchParams.get('as') ?? 'gzip'
      const text = Buffer.from(JSON.stringify({ hello: 'world', accept: req.headers['accept-encoding'] ?? null }))
      const encode: Record<string, [string, (b: Buffer) => Buffer]> = {
        gzip: ['gzip', zlib.gzipSync],
        deflate: ['deflate', zlib.deflateSync],
        raw: ['deflate', zlib.deflateRawSync],
        br: ['br', zlib.brotliCompressSync],
        'gzip-br': ['gzip, br', (b) => zlib.brotliCompressSync(zlib.gzipSync(b))],
      }
      const [coding, apply] = encode[form] ?? ['identity', (b: Buffer) => b]
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': coding })
      res.end(apply(text))
    },
    // `mib` MiB of zeros gzipped (1 GiB is ~1 MB), compressed as it is sent: a decompression bomb
    // that costs the server only what the client reads.
    '/bomb': (_req, res, url) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-encoding': 'gzip' })
      const gzip = zlib.createGzip({ level: 9 })
      const zero = Buffer.alloc(1024 * 1024)
      let left = Number(url.searchParams.get('mib') ?? 1024)
      const write = (): void => {
        while (left-- > 0) if (!gzip.write(zero)) return void gzip.once('drain', write)
        gzip.end()
      }
      gzip.pipe(res)
      res.on('close', () => gzip.destroy())
      write()
    },
    '/status': (_req, res, url) => json(res, Number(url.searchParams.get('code') ?? 500), { error: 'status route' }),
    '/bad-json': (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"secret": "s3cr3t-in-body"')
    },
    '/multipart': (_req, res) => {
      const b = 'fl-boundary'
      res.writeHead(200, { 'content-type': `multipart/form-data; boundary=${b}` })
      res.end(
        `--${b}\r\nContent-Disposition: form-data; name="a"\r\n\r\none\r\n--${b}\r\nContent-Disposition: form-data; name="b"\r\n\r\ntwo\r\n--${b}--\r\n`,
      )
    },
    '/stream': (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      let i = 0
      const timer = setInterval(() => {
        res.write(`chunk${i};`)
        if (++i === 5) {
          clearInterval(timer)
          res.end()
        }
      }, 20)
      res.on('close', () => clearInterval(timer))
    },
    // A listing of 7 items, 3 a page, paged by `Link: <…>; rel="next"` (relative, as GitHub's are not).
    '/pages': (_req, res, url) => {
      const page = Number(url.searchParams.get('page') ?? 1)
      const items = [1, 2, 3, 4, 5, 6, 7].slice((page - 1) * 3, page * 3)
      const next = page * 3 < 7 ? { link: `</pages?page=${page + 1}>; rel="next", </pages?page=3>; rel="last"` } : undefined
      hit(`pages:${url.searchParams.get('key')}`)
      json(res, 200, items, next)
    },
    // An OAuth2 token endpoint (client credentials, HTTP Basic) and a resource that takes its
    // tokens; `/oauth/revoke` makes the resource refuse every token issued so far.
    '/oauth/token': (req, res, _url, body) => {
      const form = new URLSearchParams(body.toString('utf8'))
      const basic = `Basic ${btoa('conf-client:conf-secret')}`
      if (req.headers.authorization !== basic || form.get('grant_type') !== 'client_credentials')
        return json(res, 401, { error: 'invalid_client', error_description: 'unknown client' })
      json(res, 200, { access_token: `at-${hit('oauth:issued')}`, token_type: 'Bearer', expires_in: 3600 })
    },
    '/oauth/revoke': (_req, res) => {
      hits.set('oauth:revoked', hits.get('oauth:issued') ?? 0)
      json(res, 200, { revoked: hits.get('oauth:revoked') })
    },
    '/oauth/resource': (req, res) => {
      const n = Number(/^Bearer at-(\d+)$/.exec(req.headers.authorization ?? '')?.[1] ?? 0)
      if (n === 0 || n <= (hits.get('oauth:revoked') ?? 0)) return json(res, 401, { error: 'invalid_token' })
      json(res, 200, { token: n, issued: hits.get('oauth:issued') })
    },
    // The WeChat API, enough for a token fetch and a template message.
    '/cgi-bin/token': (_req, res, url) =>
      url.searchParams.get('secret') === 'wx-app-secret'
        ? json(res, 200, { access_token: `tok-${url.searchParams.get('appid')}`, expires_in: 7200 })
        : json(res, 200, { errcode: 40125, errmsg: 'invalid appsecret' }),
    '/cgi-bin/message/template/send': (_req, res, url, body) => {
      const sent = JSON.parse(body.toString('utf8') || '{}') as { touser?: string }
      if (!url.searchParams.get('access_token')?.startsWith('tok-')) return json(res, 200, { errcode: 40001, errmsg: 'invalid credential' })
      if (sent.touser === 'blocked') return json(res, 200, { errcode: 43004, errmsg: 'require subscribe' })
      json(res, 200, { errcode: 0, errmsg: 'ok', msgid: 4242 })
    },
  }
  const example: Handler = (req, res, url, body) => {
    if (req.headers['x-api-key'] !== 'example-key') return json(res, 401, { error: 'bad key' })
    const id = /^\/users\/(\d+)$/.exec(url.pathname)?.[1]
    if (id === '13') return json(res, 200, { id: 13, name: 'no email' })
    if (id) return json(res, 200, { id: Number(id), name: `user ${id}`, email: `u${id}@example.com` })
    if (req.method === 'POST') return json(res, 201, { id: 99, ...JSON.parse(body.toString('utf8')) })
    const page = Number(url.searchParams.get('page') ?? 1)
    json(res, 200, {
      items: [{ id: 1, name: 'a', email: 'a@example.com' }],
      page,
      pageSize: Number(url.searchParams.get('page_size') ?? 20),
      total: 1,
    })
  }
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      const handler = routes[url.pathname] ?? (url.pathname.startsWith('/users') ? example : undefined)
      if (handler) return handler(req, res, url, Buffer.concat(chunks))
      json(res, url.pathname === '/' ? 200 : 404, { path: url.pathname, url: req.url })
    })
  }
  const open = new Set<Socket>()
  const servers = [createServer(handle), createServer(handle)]
  for (const server of servers) {
    server.on('connection', (socket) => {
      open.add(socket)
      socket.on('close', () => open.delete(socket))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  }
  ;[port, otherPort] = servers.map((server) => (server.address() as AddressInfo).port) as [number, number]
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy()
        let left = servers.length
        for (const server of servers) server.close(() => --left === 0 && resolve())
      }),
  }
}
