import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A small local API for the demo and the docs: users, a token endpoint, a slow and a broken route. */
export async function startFakeService(): Promise<{ url: string; close(): Promise<void>; hits: () => number }> {
  const users = new Map([
    [1, { id: 1, name: 'Ada Lovelace', email: 'ada@example.com' }],
    [2, { id: 2, name: 'Grace Hopper', email: 'grace@example.com' }],
  ])
  let hits = 0
  let flaky = 0
  let limited = 0
  const server: Server = createServer((req, res) => {
    hits++
    const url = new URL(req.url ?? '/', 'http://localhost')
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    }
    let raw = ''
    req.on('data', (chunk) => (raw += chunk))
    req.on('end', () => {
      if (req.headers['x-api-key'] !== 'demo-key' && url.pathname.startsWith('/users')) return send(401, { error: 'bad api key' })
      const match = /^\/users\/(\d+)$/.exec(url.pathname)
      // A vendor bug: user 13 comes back with a string id and no email.
      if (req.method === 'GET' && match?.[1] === '13') return send(200, { id: '13', name: 'Malformed' })
      if (req.method === 'GET' && match) {
        const user = users.get(Number(match[1]))
        return user ? send(200, user) : send(404, { error: 'not_found', message: `no user ${match[1]}` })
      }
      if (req.method === 'GET' && url.pathname === '/users') {
        const page = Number(url.searchParams.get('page') ?? 1)
        const pageSize = Number(url.searchParams.get('page_size') ?? 20)
        const all = [...users.values()]
        return send(200, { items: all.slice((page - 1) * pageSize, page * pageSize), page, pageSize, total: all.length })
      }
      if (req.method === 'POST' && url.pathname === '/users') {
        const input = JSON.parse(raw)
        const user = { id: users.size + 1, ...input }
        users.set(user.id, user)
        return send(201, user)
      }
      if (req.method === 'POST' && url.pathname === '/oauth/token') {
        const form = new URLSearchParams(raw)
        return send(200, { access_token: `tok-${form.get('client_id')}`, expires_in: 7200 })
      }
      // Fails twice, asking the client to come back in a moment, then answers.
      if (url.pathname === '/flaky') {
        if (flaky++ % 3 < 2) return res.writeHead(503, { 'retry-after-ms': '150' }).end()
        return send(200, { flaky: 'answered on the third attempt' })
      }
      // Rate-limited once: 429 with Retry-After (seconds), then fine.
      if (url.pathname === '/rate-limited') {
        if (limited++ % 2 === 0)
          return res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' }).end('{"error":"slow down"}')
        return send(200, { limited: 'answered after waiting as asked' })
      }
      if (url.pathname === '/down') return send(503, { error: 'maintenance' })
      if (url.pathname === '/slow') return void setTimeout(() => send(200, { slow: true }), 1_500)
      if (url.pathname === '/html') return res.writeHead(502, { 'content-type': 'application/json' }).end('<html>Bad Gateway</html>')
      if (url.pathname === '/') return send(200, { service: 'fake', ok: true })
      send(404, { error: 'no such route' })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    hits: () => hits,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A local port nothing listens on: connections to it are refused at once. */
export async function deadPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}
